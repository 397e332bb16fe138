"""The field laptop: a kit of the person's own keys becomes their own small office; only assigned households travel."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.services import field, field_kit, field_work
from app.services.office import open_office
from app.storage.field_models import HouseholdRecord
from app.storage.vault import UnknownOperator
from tests.fakes.field import (
    DUE,
    FIELD_PASS,
    KK1,
    KK2,
    START,
    enrol_field,
)


def test_laptop_from_kit_opens_the_assignment_and_signs_results(linked, lurah, created_office, fast_kdf, tmp_path):
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3", values=dict(START))
    field.record_household(linked, KK2, head_name="Budi Santoso", address="Jl. Melati 9", values=dict(START))
    kit = field_kit.export_kit(citra, FIELD_PASS, kdf=fast_kdf)
    citra.close()
    assert b"Citra" not in kit  # the kit is sealed whole
    with pytest.raises(field_kit.KitRefused):
        field_kit.set_up_laptop(tmp_path / "laptop", kit, "bukan kata sandinya", kdf=fast_kdf)
    person = field_kit.set_up_laptop(tmp_path / "laptop", kit, FIELD_PASS, kdf=fast_kdf)
    laptop = open_office(tmp_path / "laptop", person, FIELD_PASS)
    try:
        with pytest.raises(UnknownOperator):
            open_office(tmp_path / "laptop", linked.operator_id, "apa saja")  # nobody else is in there
        with laptop.reading() as session:
            assert session.scalar(select(func.count()).select_from(HouseholdRecord)) == 0
        data = field.write_assignment(linked, person, [KK1], DUE)
        assignment = field_work.keep_assignment(laptop, data)
        assert [h.kk_number for h in field_work.my_assignments(laptop)[0].households] == [KK1]
        draft = field_work.draft_for(laptop, assignment, KK1)
        draft.values["floor_material"] = "cement_brick"
        draft.photos["kk"] = b"\x89PNG kk"
        field_work.save_draft(laptop, assignment, draft)
        results = field_work.results_file(laptop, assignment)
    finally:
        laptop.close()
    report = field.import_results(linked, results)
    assert report.applied == 1 and field.get_household(linked, KK1).values["floor_material"] == "cement_brick"
    assert (tmp_path / "laptop" / "vault.json").exists()
    for path in (tmp_path / "laptop").rglob("*"):
        assert path.is_dir() or b"Siti Aminah" not in path.read_bytes()  # encrypted like the office


def test_a_damaged_kit_is_refused(linked, lurah, created_office, fast_kdf, tmp_path):
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    kit = bytearray(field_kit.export_kit(citra, FIELD_PASS, kdf=fast_kdf))
    citra.close()
    kit[-10] ^= 1
    with pytest.raises(field_kit.KitRefused):
        field_kit.set_up_laptop(tmp_path / "laptop", bytes(kit), FIELD_PASS, kdf=fast_kdf)
    assert not (tmp_path / "laptop").exists()
    with pytest.raises(field_kit.KitRefused):
        field_kit.set_up_laptop(tmp_path / "laptop", b"{}", FIELD_PASS, kdf=fast_kdf)


def test_the_cli_carries_the_kit_to_a_laptop(linked, lurah, created_office, fast_kdf, tmp_path, monkeypatch):
    import os
    import stat

    from app import cli
    from app.services import office as office_service

    monkeypatch.setattr(office_service, "_calibrated", lambda: fast_kdf)
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    citra.close()
    secret = tmp_path / "sandi.txt"
    secret.write_text(FIELD_PASS + "\n")
    kit = tmp_path / "citra.kit"
    assert cli.main(["--data-dir", str(created_office[0]), "field", "export-kit", "--operator", "Citra Lapangan",
                     "--passphrase-file", str(secret), str(kit)]) == 0
    assert stat.S_IMODE(os.stat(kit).st_mode) == 0o600
    laptop = tmp_path / "laptop"
    assert cli.main(["--data-dir", str(laptop), "field", "setup-laptop", "--passphrase-file", str(secret),
                     str(kit)]) == 0
    ctx = open_office(laptop, office_service.find_operator(laptop, "Citra Lapangan"), FIELD_PASS)
    try:
        field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3", values=dict(START))
        assignment = field_work.keep_assignment(ctx, field.write_assignment(linked, ctx.operator_id, [KK1],
                                                                            DUE))
        assert assignment.households[0].kk_number == KK1
    finally:
        ctx.close()
