"""The national upload in SIKS-NG's shape from the console: one row per member of every finalised
proposal, CSV and XLSX, Dukcapil's codes, the decree of the approval; Kepala and admin only; audited."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from console_helpers import received, signed_in, staff
from openpyxl import load_workbook
from sqlalchemy import select

from app.server import review, siksng_export
from app.server.auth import Staff
from app.server.ingest import ingest
from app.server.models import AuditEntry, StaffUser
from app.sync.batch import BatchItem
from bench.server_world import nik, proposal


def _send(kelurahan, payload):
    item = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload=payload, route="muskel")
    ingest(kelurahan.ctx, kelurahan.batch([item])[0])
    return item.item_id


@pytest.fixture
def done(ctx, kelurahan):
    for name, role in (("vera", "verifier"), ("kirana", "kepala"), ("adi", "admin")):
        staff(ctx, name, role)
    with ctx.reading() as session:
        users = {u.username: Staff(u.id, u.username, u.role) for u in session.execute(select(StaffUser)).scalars()}
    payload = proposal(nik(1))
    payload["programmes"] = ["pkh", "bpnt"]
    payload["household"]["village_code"] = "35.75.03.1009"
    payload["household"]["members"] = [
        {"nik": nik(1), "name": "SITI AMINAH", "sex": "P", "birth_place": "PASURUAN", "birth_date": "1990-01-01",
         "relationship": "kepala_keluarga", "mother_name": "MURNI"},
        {"nik": nik(2), "name": "=HYPERLINK(\"x\")", "sex": "L", "birth_place": "MALANG",
         "birth_date": "2012-07-08", "relationship": "anak", "mother_name": "SITI AMINAH"}]
    finalised = _send(kelurahan, payload)
    (waiting,) = received(kelurahan, [nik(7)])
    review.decide(ctx, users["vera"], finalised, "verify")
    review.decide(ctx, users["kirana"], finalised, "finalise")
    from datetime import date

    review.decide(ctx, users["adi"], finalised, "approve", decree=review.Decree("188/45/2026", date(2026, 2, 27)))
    return finalised, waiting


def test_csv_one_row_per_member_with_codes_and_decree(ctx, done):
    client = signed_in(ctx, "kirana")
    assert "1 usulan siap diekspor" in client.get("/console/export").text
    answer = client.get("/console/export/siks-ng.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == list(siksng_export.COLUMNS)
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [r["NIK"] for r in table] == [nik(1), nik(2)]  # the waiting proposal is not in it
    head, child = table
    assert (head["KODE_PROVINSI"], head["KODE_KABUPATEN"], head["KODE_KECAMATAN"], head["KODE_DESA"]) == (
        "35", "75", "03", "1009")
    assert (head["NOKK"], head["JENIS_KELAMIN"], head["HUBUNGAN_KELUARGA"], head["TANGGAL_LAHIR"]) == (
        "3575030101900001", "2", "1", "01-01-1990")
    assert (child["JENIS_KELAMIN"], child["HUBUNGAN_KELUARGA"], child["NAMA_IBU_KANDUNG"]) == ("1", "4", "SITI AMINAH")
    assert child["NAMA"] == "'=HYPERLINK(\"x\")"  # never a formula in the spreadsheet
    assert (head["NOMOR_SK"], head["TANGGAL_SK"], head["PROGRAM"], head["JENIS_USULAN"]) == (
        "188/45/2026", "27-02-2026", "PKH, BPNT", "USULAN BARU")
    assert [r["NO"] for r in table] == ["1", "2"]
    with ctx.reading() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export_siksng")).scalar_one()
    assert entry.actor == "staff:kirana" and '"rows":2' in entry.detail.replace(" ", "") and nik(1) not in entry.detail


def test_xlsx_keeps_niks_as_text(ctx, done):
    answer = signed_in(ctx, "adi").get("/console/export/siks-ng.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(siksng_export.COLUMNS)
    assert values[1][6] == nik(1) and isinstance(values[1][6], str) and len(values) == 3


def test_a_verifier_may_not_export(ctx, done):
    vera = signed_in(ctx, "vera")
    assert vera.get("/console/export").status_code == 403
    assert vera.get("/console/export/siks-ng.csv").status_code == 403
    assert signed_in(ctx, "adi").get("/console/export/siks-ng.exe").status_code == 404
    with ctx.reading() as session:
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "export_siksng")).first() is None


def test_the_cli_writes_the_same_file(ctx, done, tmp_path):
    from app.server.cli import main

    expected, _count = siksng_export.to_csv(ctx)
    common = ["--data-dir", str(ctx.settings.data_dir), "--database-url", ctx.settings.database_url]
    out = tmp_path / "siks-ng.csv"
    assert main(["export", *common, "--shape", "siks-ng", "--format", "csv", "--out", str(out)]) == 0
    assert out.read_bytes() == expected
    with ctx.reading() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "export_siksng")).scalar_one()
    assert entry.actor == "cli"
