"""The finalised list for the national system (BNBA columns) as CSV or XLSX."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, select

from app.server.context import ServerContext
from app.server.models import Decision, Item, Office

COLUMNS = ("NIK", "No. KK", "Nama", "Alamat", "RT", "RW", "Kode Kelurahan", "Program", "Tanggal Keputusan")
EXPORTED_STATES = ("finalised", "approved", "forwarded")
_HEAD_RELATIONS = ("kepala_keluarga", "kepala")


def _head(members: list) -> dict:
    """The head of the household (kepala keluarga), else the first member."""
    members = [m for m in members if isinstance(m, dict)]
    for member in members:
        if member.get("relationship", member.get("relation")) in _HEAD_RELATIONS:
            return member
    return members[0] if members else {}


def _programme(payload: dict) -> str:
    if isinstance(payload.get("programmes"), list):
        return ", ".join(str(p) for p in payload["programmes"])
    return str(payload.get("programme") or "")


def rows(ctx: ServerContext) -> Iterator[tuple[str, ...]]:
    finalised_at = (
        select(Decision.item_id, func.max(Decision.decided_at).label("at"))
        .where(Decision.action == "finalise").group_by(Decision.item_id).subquery()
    )
    query = (
        select(Item.payload, Office.village_code, finalised_at.c.at)
        .join(Office, Office.id == Item.office_id)
        .outerjoin(finalised_at, finalised_at.c.item_id == Item.item_id)
        .where(Item.item_type == "proposal", Item.state.in_(EXPORTED_STATES))
        .order_by(Office.village_code, Item.received_at, Item.item_id)
    )
    with ctx.reading() as session:
        for payload_text, village_code, decided_at in session.execute(query):
            payload = json.loads(payload_text)
            household = payload.get("household") if isinstance(payload.get("household"), dict) else {}
            head = _head(household.get("members") or [])
            yield (
                str(head.get("nik", "")), str(household.get("kk_number", "")), str(head.get("name", "")),
                str(household.get("address", "")), str(household.get("rt", "")), str(household.get("rw", "")),
                str(household.get("village_code") or village_code), _programme(payload),
                decided_at.date().isoformat() if decided_at else "",
            )


def _cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in a spreadsheet: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(ctx: ServerContext) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows(ctx):
        writer.writerow([_cell(v) for v in row])
    # UTF-8 with BOM so Excel on Windows reads the names right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(ctx: ServerContext) -> bytes:
    from openpyxl import Workbook  # optional: only this export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("BNBA")
    sheet.append(list(COLUMNS))
    for row in rows(ctx):
        # NIK and No. KK as text: as numbers a spreadsheet rounds 16 digits away.
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
