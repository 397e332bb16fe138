"""Shared fixtures: offscreen Qt, Indonesian by default, a temporary office folder per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app import i18n  # noqa: E402


@pytest.fixture(autouse=True)
def _indonesian():
    i18n.set_language("id")
    yield
    i18n.set_language("id")


@pytest.fixture(scope="session")
def fast_kdf():
    """Argon2id parameters small enough for tests (production calibrates to 0.3-1 s)."""
    from app.storage.vault import KdfParams

    return KdfParams.for_tests()


OPERATOR_PASS = "kata sandi operator"
LURAH_PASS = "kata sandi lurah"
# Kelurahan Bugul Kidul, Kota Pasuruan (Jawa Timur).
VILLAGE = "35.75.03.1009"


@pytest.fixture
def created_office(tmp_path, fast_kdf):
    from app.services.office import create_office

    folder = tmp_path / "office"
    created = create_office(
        folder,
        name="Kelurahan Bugul Kidul",
        village_code=VILLAGE,
        lurah_name="Bapak Lurah",
        lurah_passphrase=LURAH_PASS,
        operator_name="Ani Operator",
        operator_passphrase=OPERATOR_PASS,
        kdf=fast_kdf,
    )
    return folder, created


@pytest.fixture
def office(created_office):
    """An unlocked office, acting as its first operator."""
    from app.services.office import open_office

    folder, created = created_office
    ctx = open_office(folder, created.operator_id, OPERATOR_PASS)
    yield ctx
    ctx.close()
