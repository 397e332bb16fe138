"""The national upload: finalised proposals in the shape of SIKS-NG's usulan upload, one row per member,
as CSV or XLSX.

The columns are the data elements the public guidance says go into SIKS-NG for a household (No. KK,
NIK, name, birth place and date, mother's maiden name, relationship, address and the region codes),
named and coded as Dukcapil's records do; docs/server.md says where they come from and that the
exact headers of Kemensos's upload template are not confirmed here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, select

from app.server.context import ServerContext
from app.server.models import Decision, Item, Office

COLUMNS = (
    "NO", "KODE_PROVINSI", "KODE_KABUPATEN", "KODE_KECAMATAN", "KODE_DESA", "NOKK", "NIK", "NAMA",
    "TEMPAT_LAHIR", "TANGGAL_LAHIR", "JENIS_KELAMIN", "NAMA_IBU_KANDUNG", "HUBUNGAN_KELUARGA", "ALAMAT", "RT",
    "RW", "JENIS_USULAN", "PROGRAM", "NOMOR_SK", "TANGGAL_SK", "KODE_LACAK",
)
EXPORTED_STATES = ("finalised", "approved", "forwarded")
# Dukcapil's codes: sex 1 male, 2 female; status hubungan dalam keluarga (SHDK) 1..11.
SEX = {"L": "1", "P": "2"}
SHDK = {"kepala_keluarga": "1", "suami": "2", "istri": "3", "anak": "4", "menantu": "5", "cucu": "6",
        "orang_tua": "7", "mertua": "8", "famili_lain": "9", "pembantu": "10", "lainnya": "11"}
KIND = {"baru": "USULAN BARU", "pembaruan": "PERBAIKAN DATA", "sanggahan": "SANGGAHAN"}
PROGRAMMES = {"pkh": "PKH", "bpnt": "BPNT", "pbi_jk": "PBI-JK"}


def _region(code: str) -> tuple[str, str, str, str]:
    """35.75.03.1009 -> (35, 75, 03, 1009); a code of another shape goes whole into KODE_DESA."""
    parts = code.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return parts[0], parts[1], parts[2], parts[3]
    return "", "", "", code


def _date(text: object) -> str:
    """ISO 2026-02-27 -> 27-02-2026 (as the forms of Kemensos write it); anything else as it is."""
    value = str(text or "")
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
    return value


def _programmes(payload: dict) -> str:
    found = payload.get("programmes") if isinstance(payload.get("programmes"), list) else [payload.get("programme")]
    return ", ".join(PROGRAMMES.get(str(p), str(p)) for p in found if p)


def rows(ctx: ServerContext) -> Iterator[tuple[str, ...]]:
    """One row per member of every finalised (approved, forwarded) proposal, by kelurahan, oldest first."""
    decree = (select(Decision.item_id, func.max(Decision.id).label("last"))
              .where(Decision.decree_number.is_not(None)).group_by(Decision.item_id).subquery())
    query = (
        select(Item.payload, Item.kind, Item.tracking_code, Office.village_code, Decision.decree_number,
               Decision.decree_date)
        .join(Office, Office.id == Item.office_id)
        .outerjoin(decree, decree.c.item_id == Item.item_id)
        .outerjoin(Decision, Decision.id == decree.c.last)
        .where(Item.item_type == "proposal", Item.state.in_(EXPORTED_STATES))
        .order_by(Office.village_code, Item.received_at, Item.item_id)
        .execution_options(yield_per=1000)
    )
    number = 0
    with ctx.reading() as session:
        for payload_text, kind, tracking, village, sk_number, sk_date in session.execute(query):
            payload = json.loads(payload_text)
            household = payload.get("household") if isinstance(payload.get("household"), dict) else {}
            region = _region(str(household.get("village_code") or village))
            for member in household.get("members") or []:
                if not isinstance(member, dict):
                    continue
                number += 1
                relation = str(member.get("relationship", member.get("relation", "")))
                yield (
                    str(number), *region, str(household.get("kk_number", "")), str(member.get("nik", "")),
                    str(member.get("name", "")), str(member.get("birth_place") or ""), _date(member.get("birth_date")),
                    SEX.get(str(member.get("sex")), ""), str(member.get("mother_name") or ""),
                    SHDK.get(relation, ""), str(household.get("address", "")), str(household.get("rt", "")),
                    str(household.get("rw", "")), KIND.get(str(kind or payload.get("kind")), str(kind or "")),
                    _programmes(payload), sk_number or "", sk_date.strftime("%d-%m-%Y") if sk_date else "",
                    str(tracking or payload.get("tracking_code") or ""),
                )


def _cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in a spreadsheet: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(ctx: ServerContext) -> tuple[bytes, int]:
    """(the file, its member rows); UTF-8 with a BOM so Excel reads the names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows(ctx):
        writer.writerow([_cell(v) for v in row])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def to_xlsx(ctx: ServerContext) -> tuple[bytes, int]:
    """(the workbook, its member rows): every cell text, so 16-digit NIKs are never rounded."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("USULAN")
    sheet.append(list(COLUMNS))
    count = 0
    for row in rows(ctx):
        sheet.append([_cell(v) for v in row])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count
