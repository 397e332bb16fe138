"""The field person's work between assignment and results: assignments kept, drafts per household, days offline."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import field_laptop
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.storage.field_models import FieldDraft, FieldInbox
from app.sync import field as files
# What the field person's page shows and checks, so the screen need not reach into app.sync.
from app.sync.field import MAX_FILE_BYTES as MAX_FILE_BYTES
from app.sync.field import MAX_PHOTO_BYTES as MAX_PHOTO_BYTES
from app.sync.field import PHOTO_KINDS as PHOTO_KINDS
from app.sync.field import AssignedHousehold as AssignedHousehold
from app.sync.field import Assignment as Assignment
from app.sync.canonical import b64url_decode, b64url_encode


class CoordinatesInvalid(UsulkanError):
    template = N_("The coordinates are not decimal degrees.")
    hint = N_("Type or paste them like -7.6453 and 112.9075 (latitude, longitude), or leave both empty.")


class PhotoTooLarge(UsulkanError):
    template = N_("A photo is too large to travel (at most 8 MiB).")
    hint = N_("Take the photo at a smaller size, or choose another file.")


class NothingRecorded(UsulkanError):
    template = N_("Nothing is recorded for this assignment yet.")
    hint = N_("Open a household, check it and press Save first.")


def keep_assignment(ctx: OfficeContext, data: bytes) -> files.Assignment:
    """Open an assignment file (only the field person it is for can) and keep it for the days offline."""
    assignment = field_laptop.open_assignment(ctx, data)
    with ctx.transaction() as session:
        if session.get(FieldInbox, assignment.assignment_id) is None:
            session.add(FieldInbox(assignment_id=assignment.assignment_id, person_id=ctx.operator_id, data=data,
                                   opened_at=office_keys.now_seconds(ctx)))
            ctx.audit(session, "field.assignment_opened", "field_assignment", assignment.assignment_id,
                      households=len(assignment.households))
    return assignment


def my_assignments(ctx: OfficeContext) -> list[files.Assignment]:
    """The assignments the signed-in field person opened, each checked again as it is read."""
    field_laptop._require_field(ctx)
    with ctx.reading() as session:
        kept = session.scalars(select(FieldInbox.data).where(FieldInbox.person_id == ctx.operator_id)
                               .order_by(FieldInbox.opened_at)).all()
    found = [field_laptop.open_assignment(ctx, data) for data in kept]
    return sorted(found, key=lambda a: (a.due_date, a.issued_at))


@dataclass
class Draft:
    kk_number: str
    values: dict[str, str]
    photos: dict[str, bytes] = field(default_factory=dict)
    latitude: str | None = None
    longitude: str | None = None
    notes: str = ""
    saved: bool = False


def draft_for(ctx: OfficeContext, assignment: files.Assignment, kk_number: str) -> Draft:
    """What was recorded for the household so far, or its current values from the office when nothing yet."""
    household = next(h for h in assignment.households if h.kk_number == kk_number)
    with ctx.reading() as session:
        row = session.scalars(select(FieldDraft).where(FieldDraft.assignment_id == assignment.assignment_id,
                                                       FieldDraft.kk_number == kk_number)).first()
    if row is None:
        return Draft(kk_number, dict(household.base_values))
    return Draft(kk_number, dict(row.values), {k: b64url_decode(v) for k, v in row.photos.items()}, row.latitude,
                 row.longitude, row.notes, True)


def save_draft(ctx: OfficeContext, assignment: files.Assignment, draft: Draft) -> None:
    """Keep what was typed for one household (encrypted with the rest of the database)."""
    field_laptop._require_field(ctx)
    if not files.check_coordinates(draft.latitude, draft.longitude):
        raise CoordinatesInvalid()
    if any(kind not in files.PHOTO_KINDS or len(data) > files.MAX_PHOTO_BYTES for kind, data in draft.photos.items()):
        raise PhotoTooLarge()
    with ctx.transaction() as session:
        row = session.scalars(select(FieldDraft).where(FieldDraft.assignment_id == assignment.assignment_id,
                                                       FieldDraft.kk_number == draft.kk_number)).first()
        if row is None:
            row = FieldDraft(assignment_id=assignment.assignment_id, kk_number=draft.kk_number)
            session.add(row)
        row.values = dict(draft.values)
        row.photos = {k: b64url_encode(v) for k, v in draft.photos.items()}
        row.latitude, row.longitude, row.notes = draft.latitude, draft.longitude, draft.notes
        row.saved_at = office_keys.now_seconds(ctx)


def results_file(ctx: OfficeContext, assignment: files.Assignment) -> bytes:
    """The signed results file of every household with a saved record."""
    records = []
    with ctx.reading() as session:
        rows = session.scalars(select(FieldDraft).where(FieldDraft.assignment_id == assignment.assignment_id)).all()
    bases = {h.kk_number: h.base_version for h in assignment.households}
    for row in sorted(rows, key=lambda r: r.kk_number):
        photos = tuple(files.Photo(kind, b64url_decode(data)) for kind, data in sorted(row.photos.items()))
        records.append(files.ResultRecord(row.kk_number, bases[row.kk_number], dict(row.values), row.saved_at,
                                          photos, row.latitude, row.longitude, row.notes))
    if not records:
        raise NothingRecorded()
    return field_laptop.write_results(ctx, assignment, records)
