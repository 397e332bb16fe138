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
