"""Creating and opening an office: keyslots for the Lurah, the operator and the recovery code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.services import office as svc
from app.storage.models import AuditEntry, Operator
from app.storage.vault import UnknownOperator, WrongPassphrase
from tests.conftest import LURAH_PASS, OPERATOR_PASS, VILLAGE


def test_created_office_opens_for_each_person_and_by_recovery(created_office):
    folder, created = created_office
    names = dict(svc.list_operators(folder))
    assert names == {created.lurah_id: "Bapak Lurah", created.operator_id: "Ani Operator"}
    for operator_id, passphrase, role in (
        (created.operator_id, OPERATOR_PASS, "operator"),
        (created.lurah_id, LURAH_PASS, "lurah"),
    ):
        ctx = svc.open_office(folder, operator_id, passphrase)
        assert (ctx.operator_role, ctx.office_name, ctx.regency_code) == (role, "Kelurahan Bugul Kidul", "35.75")
        ctx.close()
    ctx = svc.open_office_with_recovery(folder, created.recovery_code)
    assert ctx.operator_id == created.lurah_id
    ctx.close()
    assert not folder.with_name(folder.name + ".creating").exists()


def test_a_wrong_passphrase_opens_nothing_and_says_so(created_office):
    folder, created = created_office
    with pytest.raises(WrongPassphrase) as info:
        svc.open_office(folder, created.operator_id, OPERATOR_PASS + "x")
    assert info.value.message()  # an Indonesian sentence, not a traceback


def test_an_office_is_not_created_twice(created_office, fast_kdf):
    folder, _ = created_office
    with pytest.raises(svc.OfficeExists):
        svc.create_office(
            folder, name="x", village_code=VILLAGE, lurah_name="a", lurah_passphrase=LURAH_PASS,
            operator_name="b", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf,
        )


@pytest.mark.parametrize(
    ("village", "lurah_pass", "error"),
    [("35.75.03.9999", LURAH_PASS, svc.UnknownVillage), (VILLAGE, "pendek", svc.WeakPassphrase)],
)
def test_bad_office_input_is_refused_before_anything_is_written(tmp_path, fast_kdf, village, lurah_pass, error):
    folder = tmp_path / "new"
    with pytest.raises(error):
        svc.create_office(
            folder, name="x", village_code=village, lurah_name="a", lurah_passphrase=lurah_pass,
            operator_name="b", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf,
        )
    assert not folder.exists()


def test_removing_an_operator_rekeys_and_their_passphrase_no_longer_opens(created_office, fast_kdf):
    folder, created = created_office
    lurah = svc.open_office(folder, created.lurah_id, LURAH_PASS)
    old_key = lurah.data_key
    budi = svc.add_operator(lurah, name="Budi", role="operator", passphrase="sandi budi 123", kdf=fast_kdf)
    svc.remove_operator(lurah, created.operator_id)
    assert lurah.data_key != old_key
    with lurah.reading() as session:
        removed = session.get(Operator, created.operator_id)
        assert removed.active is False and removed.revoked_at is not None
        # The removal, then the backup made right after the re-key (app/services/backup.after_rekey).
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(2)).all() == [
            "backup.create", "operator.remove"]
    lurah.close()
    with pytest.raises(UnknownOperator):
        svc.open_office(folder, created.operator_id, OPERATOR_PASS)
    ctx = svc.open_office(folder, budi, "sandi budi 123")
    assert ctx.operator_name == "Budi"
    ctx.close()


def test_change_passphrase(created_office, fast_kdf):
    folder, created = created_office
    ctx = svc.open_office(folder, created.operator_id, OPERATOR_PASS)
    with pytest.raises(svc.WeakPassphrase):
        svc.change_passphrase(ctx, OPERATOR_PASS, "short", kdf=fast_kdf)
    svc.change_passphrase(ctx, OPERATOR_PASS, "sandi baru yang panjang", kdf=fast_kdf)
    ctx.close()
    with pytest.raises(WrongPassphrase):
        svc.open_office(folder, created.operator_id, OPERATOR_PASS)
    svc.open_office(folder, created.operator_id, "sandi baru yang panjang").close()


def test_a_folder_with_other_files_is_refused_and_left_as_it_was(tmp_path, fast_kdf):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "surat.docx").write_bytes(b"letter")
    with pytest.raises(svc.FolderNotEmpty):
        svc.create_office(
            folder, name="x", village_code=VILLAGE, lurah_name="a", lurah_passphrase=LURAH_PASS,
            operator_name="b", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf,
        )
    assert [p.name for p in folder.iterdir()] == ["surat.docx"]


def test_a_failure_half_way_leaves_no_half_made_office(tmp_path, fast_kdf, monkeypatch):
    from app.storage import migrate

    def broken(engine, revision="head"):
        raise OSError("disk full")

    monkeypatch.setattr(migrate, "upgrade", broken)
    folder = tmp_path / "office"
    with pytest.raises(svc.OfficeNotCreated) as info:
        svc.create_office(
            folder, name="x", village_code=VILLAGE, lurah_name="a", lurah_passphrase=LURAH_PASS,
            operator_name="b", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf,
        )
    assert list(tmp_path.iterdir()) == []
    assert "penuh" in info.value.message()  # "disk full" is named as a likely cause
