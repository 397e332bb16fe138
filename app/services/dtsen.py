"""The DTSEN reference in the office: import packages (file or network), what changed, lookup, the suggested route."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select

from app.domain.workflow import ProposalKind
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.context import OfficeContext
from app.services.keys import NotProvisioned
from app.services.sync import server_key
from app.storage.dtsen_models import DEFAULT_MAX_DESIL, DtsenFamily, DtsenMember, DtsenPreviousFamily, DtsenState
from app.storage.sync_models import SyncLink
from app.sync.canonical import b64url_decode
from app.sync.dtsen import MAX_PACKAGE_BYTES, Family, Release, open_package, read_package
from app.sync.dtsen import DtsenRefused as DtsenRefused  # the Sending page names its reasons

log = logging.getLogger(__name__)
MAX_CHANGES = 500


class DtsenFileUnreadable(UsulkanError):
    template = N_("The DTSEN file cannot be read.")
    hint = N_("Check that the USB stick is plugged in and the file is there.")


class ThresholdInvalid(UsulkanError):
    template = N_("The desil limit must be a number from 1 to 10.")


@dataclass(frozen=True)
class Status:
    version: int
    kind: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    imported_at: datetime | None
    families: int
    max_desil: int

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and _naive(now) > self.expires_at


@dataclass
class ImportReport:
    versions: list[int] = field(default_factory=list)
    skipped: int = 0  # packages the office already had (an older file on the same stick)
    expired: bool = False

    @property
    def version(self) -> int | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class Record:
    no_kk: str
    dtsen_id: str
    desil: int
    programmes: tuple[str, ...]
    members: tuple[tuple[str, str], ...]  # (nik, name)
    matched_by: str  # "no_kk" or "nik"
    version: int


@dataclass(frozen=True)
class Change:
    no_kk: str
    dtsen_id: str
    change: str  # "new", "left", "desil"
    old_desil: int | None
    new_desil: int | None
    head: str


@dataclass(frozen=True)
class RouteAdvice:
    kind: ProposalKind
    text: str


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _state(session) -> DtsenState:
    row = session.get(DtsenState, 1)
    if row is None:
        row = DtsenState(id=1, version=0, max_desil=DEFAULT_MAX_DESIL)
        session.add(row)
        session.flush()
    return row


def status(ctx: OfficeContext) -> Status:
    with ctx.reading() as session:
        row = session.get(DtsenState, 1)
        count = session.scalar(select(func.count()).select_from(DtsenFamily)) or 0
        if row is None:
            return Status(0, None, None, None, None, count, DEFAULT_MAX_DESIL)
        return Status(row.version, row.kind, row.issued_at, row.expires_at, row.imported_at, count, row.max_desil)


def set_max_desil(ctx: OfficeContext, max_desil: int) -> None:
    """The highest desil a new-recipient proposal fits (the programmes' threshold; 4 by default)."""
    if not isinstance(max_desil, int) or not 1 <= max_desil <= 10:
        raise ThresholdInvalid()
    with ctx.transaction() as session:
        row = _state(session)
        before, row.max_desil = row.max_desil, max_desil
        ctx.audit(session, "dtsen.threshold", "office", ctx.office_id, before=before, after=max_desil)


def _link(ctx: OfficeContext):
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        if link is None or not link.feed_token:
            raise NotProvisioned()
        state = session.get(DtsenState, 1)
        current = (state.version, state.manifest_hash) if state is not None else (0, None)
        return link.server_office_id, link.feed_token, server_key(session), current


def _row(family: Family) -> dict:
    return {"no_kk": family.no_kk, "dtsen_id": family.dtsen_id, "desil": family.desil,
            "programmes": ";".join(family.programmes),
            "members": json.dumps([[m.nik, m.name] for m in family.members], ensure_ascii=False)}


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


_FIELDS = ("dtsen_id", "desil", "programmes", "members")


def _old_rows(session, keys: list[str] | None) -> dict[str, dict]:
    """The current rows of these families (all of them for ``None``), as plain dicts."""
    columns = (DtsenFamily.no_kk, DtsenFamily.dtsen_id, DtsenFamily.desil, DtsenFamily.programmes,
               DtsenFamily.members)
    if keys is None:
        return {row[0]: dict(zip(_FIELDS, row[1:])) for row in session.execute(select(*columns))}
    out: dict[str, dict] = {}
    for chunk in _chunks(keys):
        out.update({row[0]: dict(zip(_FIELDS, row[1:]))
                    for row in session.execute(select(*columns).where(DtsenFamily.no_kk.in_(chunk)))})
    return out


def _apply(ctx: OfficeContext, release: Release, now: datetime) -> None:
    """One version in one transaction: what it changes is kept with the old values, then applied.

    A delta reads and writes only the families it names; a snapshot is compared with the whole
    current version (it may change anything).
    """
    snapshot = release.manifest.kind == "snapshot"
    rows = {f.no_kk: _row(f) for f in release.families}
    with ctx.transaction() as session:
        state = _state(session)
        old = _old_rows(session, None if snapshot else [*rows, *release.removed])
        gone = [kk for kk in old if kk not in rows] if snapshot else [kk for kk in release.removed if kk in old]
        previous = [{"no_kk": kk, "change": "left", **old[kk]} for kk in gone]
        for kk, row in rows.items():
            before = old.get(kk)
            if before is None:
                previous.append({"no_kk": kk, "change": "new", **dict.fromkeys(_FIELDS)})
            elif any(before[name] != row[name] for name in _FIELDS):
                previous.append({"no_kk": kk, "change": "changed", **before})
        if snapshot:
            written = rows
        else:
            written = {kk: row for kk, row in rows.items() if kk not in old or old[kk] != {n: row[n] for n in _FIELDS}}
        connection = session.connection()
        connection.execute(delete(DtsenPreviousFamily))
        if previous:
            connection.execute(DtsenPreviousFamily.__table__.insert(), previous)
        if snapshot:
            connection.execute(delete(DtsenFamily))
            connection.execute(delete(DtsenMember))
        else:
            for chunk in _chunks([*gone, *(kk for kk in written if kk in old)]):
                connection.execute(delete(DtsenFamily).where(DtsenFamily.no_kk.in_(chunk)))
                connection.execute(delete(DtsenMember).where(DtsenMember.no_kk.in_(chunk)))
        families = [f for f in release.families if f.no_kk in written]
        niks = [m.nik for f in families for m in f.members]
        if not snapshot:
            # A NIK that moved to another family in this version: the newest family holds it.
            for chunk in _chunks(niks):
                connection.execute(delete(DtsenMember).where(DtsenMember.nik.in_(chunk)))
        if families:
            # Core executemany, not the ORM's bulk path: a snapshot is tens of thousands of rows.
            connection.execute(DtsenFamily.__table__.insert(), [written[f.no_kk] for f in families])
            connection.execute(DtsenMember.__table__.insert(), [{"nik": m.nik, "no_kk": f.no_kk}
                                                                for f in families for m in f.members])
        manifest = release.manifest
        state.previous_version = state.version or None
        state.version, state.kind, state.manifest_hash = manifest.version, manifest.kind, manifest.digest
        state.issued_at, state.expires_at = _naive(manifest.issued_at), _naive(manifest.expires_at)
        state.imported_at = _naive(now)
        ctx.audit(session, "dtsen.imported", "office", ctx.office_id, version=manifest.version,
                  kind=manifest.kind, families=len(release.families), removed=len(release.removed))


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_PACKAGE_BYTES + 1)
    except OSError as err:
        raise DtsenFileUnreadable() from err


def _order(blobs: list[bytes]) -> list[bytes]:
    """By the version their manifest names (not yet trusted: each is checked when it is opened)."""
    return [data for _, data in sorted(((read_package(data)[0].version, data) for data in blobs),
                                       key=lambda pair: pair[0])]


def apply_packages(ctx: OfficeContext, blobs: list[bytes], *, now: datetime) -> ImportReport:
    """Check every package in version order before anything changes, then apply them one by one.

    With several files, one the office already has (replay or rollback) is skipped; alone, it is
    refused. Any other refusal refuses the whole set and nothing changes.
    """
    office_id, token, key, (version, manifest_hash) = _link(ctx)
    report = ImportReport()
    releases: list[Release] = []
    for data in _order(blobs):
        try:
            release = open_package(data, token, office_id=office_id, server_public_key=key,
                                   current_version=version, current_manifest_hash=manifest_hash)
        except DtsenRefused as err:
            if err.reason in ("replay", "rollback") and len(blobs) > 1:
                report.skipped += 1
                continue
            raise
        releases.append(release)
        version, manifest_hash = release.version, release.manifest.digest
    if not releases and blobs:
        raise DtsenRefused("replay")
    for release in releases:
        _apply(ctx, release, now)
        report.versions.append(release.version)
    report.expired = bool(releases) and releases[-1].expired(now)
    return report


def import_files(ctx: OfficeContext, paths, *, now: datetime) -> ImportReport:
    """`usulkan dtsen import FILE...` and the page's button: packages from a USB stick."""
    return apply_packages(ctx, [_read(Path(p)) for p in paths], now=now)


MAX_FEED_PAGES = 50


def pull(ctx: OfficeContext, transport, *, now: datetime) -> ImportReport:
    """In the sync round: ask Dinsos for what follows the office's version and apply it (nothing if none).

    Dinsos answers at most a page of packages at a time (``more``); each page is checked whole and
    applied before the next is asked for, from the version the office then has.
    """
    report = ImportReport()
    for _page in range(MAX_FEED_PAGES):
        office_id, token, _key, (version, _hash) = _link(ctx)
        answer = transport.get_dtsen(office_id, version, token)
        packages = answer.get("packages") if isinstance(answer, dict) else None
        if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
            raise DtsenRefused("bad_format")
        if not packages:
            break
        try:
            blobs = [b64url_decode(p) for p in packages]
        except ValueError as err:
            raise DtsenRefused("bad_format") from err
        page = apply_packages(ctx, blobs, now=now)
        report.versions += page.versions
        report.skipped += page.skipped
        report.expired = page.expired
        if answer.get("more") is not True or not page.versions:
            break
    return report


def import_summary(report: ImportReport) -> str:
    if not report.versions:
        return _("The office already has this DTSEN data; nothing changed.")
    text = _("DTSEN data imported: the office now has version {version}.").format(version=report.version)
    if report.expired:
        text += " " + _("Dinsos marked this data as due for renewal; ask for a newer DTSEN package.")
    return text


def _record(row, matched_by: str, version: int) -> Record:
    members = tuple((nik, name) for nik, name in json.loads(row.members))
    programmes = tuple(p for p in row.programmes.split(";") if p)
    return Record(row.no_kk, row.dtsen_id, row.desil, programmes, members, matched_by, version)


def lookup(ctx: OfficeContext, nik_or_kk: str) -> Record | None:
    """The family in the office's DTSEN version by No. KK, else by a member's NIK; offline."""
    key = "".join(ch for ch in str(nik_or_kk) if ch.isdigit())
    if len(key) != 16:
        return None
    with ctx.reading() as session:
        state = session.get(DtsenState, 1)
        version = state.version if state is not None else 0
        row = session.get(DtsenFamily, key)
        if row is not None:
            return _record(row, "no_kk", version)
        kk = session.scalar(select(DtsenMember.no_kk).where(DtsenMember.nik == key))
        row = session.get(DtsenFamily, kk) if kk is not None else None
        return _record(row, "nik", version) if row is not None else None


def _head(members: str) -> str:
    listed = json.loads(members)
    return listed[0][1] if listed else ""


def changes(ctx: OfficeContext, limit: int = MAX_CHANGES) -> list[Change]:
    """What the last version changed against the one before: families new, gone, or whose desil moved."""
    current, previous = DtsenFamily, DtsenPreviousFamily
    with ctx.reading() as session:
        state = session.get(DtsenState, 1)
        if state is None or not state.previous_version:
            return []
        rows = session.execute(
            select(previous.no_kk, previous.change, previous.desil, previous.members, previous.dtsen_id,
                   current.desil, current.members, current.dtsen_id)
            .outerjoin(current, current.no_kk == previous.no_kk)
            .where((previous.change != "changed") | (previous.desil != current.desil))
            .order_by(previous.change.desc(), previous.no_kk).limit(limit)).all()
    out = []
    for kk, change, old_desil, old_members, old_id, new_desil, new_members, new_id in rows:
        if change == "new":
            out.append(Change(kk, new_id, "new", None, new_desil, _head(new_members)))
        elif change == "left":
            out.append(Change(kk, old_id, "left", old_desil, None, _head(old_members)))
        else:
            out.append(Change(kk, new_id, "desil", old_desil, new_desil, _head(new_members)))
    return out


def max_desil(ctx: OfficeContext) -> int:
    with ctx.reading() as session:
        row = session.get(DtsenState, 1)
        return row.max_desil if row is not None else DEFAULT_MAX_DESIL


def route(record: Record | None, limit: int) -> RouteAdvice:
    """The proposal kind the registry's desil suggests, with the reason in words (shown before the click)."""
    if record is None:
        return RouteAdvice(ProposalKind.BARU, _(
            "This family is not in the office's DTSEN data: a new-recipient proposal (usulan baru) registers it."))
    if record.desil <= limit:
        return RouteAdvice(ProposalKind.BARU, _(
            "Desil {desil} is within the programmes' limit (desil 1 to {limit}): a new-recipient proposal "
            "(usulan baru) fits.").format(desil=record.desil, limit=limit))
    return RouteAdvice(ProposalKind.PEMBARUAN, _(
        "Desil {desil} is above the programmes' limit (desil 1 to {limit}): the family would not qualify as it "
        "stands, so an update proposal (usulan pembaruan) with the family's current conditions fits better."
    ).format(desil=record.desil, limit=limit))
