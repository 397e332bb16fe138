"""The DTSEN reference on the server: import Dinsos's CSV extract per office, publish snapshots and deltas.

The CSV columns are documented in docs/server.md ("DTSEN reference"). Each publication is a new
version signed by the server key; the plain payload is kept so a package can be sealed again to the
office's current feed token when it is handed out (by file or by GET /v1/offices/{id}/dtsen).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from app.i18n import N_
from app.server import audit
from app.server.context import ServerContext
from app.server.errors import OfficeNotBound, ServerError, UnknownOffice
from app.server.models import DtsenFamily, DtsenPublished, DtsenRelease, Office
from app.sync.canonical import b64url_encode, canonical_bytes
from app.sync.dtsen import (
    DIGITS16,
    DTSEN_ID,
    FAMILIES_FILE,
    MAX_FAMILIES,
    MAX_MEMBERS,
    PROGRAMMES,
    REMOVED_FILE,
    Family,
    Manifest,
    Member,
    file_entries,
    issue_manifest,
    package_name,
    payload_files,
    seal_package,
)

COLUMNS = ("dtsen_id", "no_kk", "desil", "programmes", "nik", "name")
# The DTSEN is ranked again four times a year: a package older than that is stale, never refused.
EXPIRES_AFTER = timedelta(days=120)
MAX_CSV_BYTES = 128 * 1024 * 1024
FEED_PAGE = 20


class ExtractInvalid(ServerError):
    reason, http_status = "dtsen_extract_invalid", 400
    template = N_("The DTSEN extract is not valid at line {line} (column {column}).")
    hint = N_("Correct that line of the CSV file (docs/server.md, DTSEN reference) and import it again.")


class NothingToPublish(ServerError):
    reason, http_status = "dtsen_nothing_new", 409
    template = N_("The DTSEN data of this kelurahan has not changed since the last publication.")
    hint = N_("Import a newer DTSEN extract first.")


class NoExtract(ServerError):
    reason, http_status = "dtsen_no_extract", 409
    template = N_("No DTSEN extract has been imported for this kelurahan yet.")
    hint = N_("Import one first: usulkan-server dtsen import --office ID FILE.csv")


@dataclass(frozen=True)
class Publication:
    office_id: str
    version: int
    kind: str
    families: int
    removed: int
    name: str
    data: bytes


def _record(family: Family) -> str:
    return canonical_bytes(family.to_dict()).decode("utf-8")


def parse_extract(text: str) -> list[Family]:
    """The families of a CSV extract (one row per member); any bad row raises ExtractInvalid naming it."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [c.strip() for c in reader.fieldnames] != list(COLUMNS):
        raise ExtractInvalid(line=1, column=",".join(COLUMNS))
    families: dict[str, dict] = {}
    niks: set[str] = set()
    for row in reader:
        line = reader.line_num
        values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            raise ExtractInvalid(line=line, column="(extra)")
        kk, nik, name, dtsen_id = values["no_kk"], values["nik"], values["name"], values["dtsen_id"]
        for column, ok in (("no_kk", DIGITS16.fullmatch(kk)), ("nik", DIGITS16.fullmatch(nik)),
                           ("name", 0 < len(name) <= 120), ("dtsen_id", DTSEN_ID.fullmatch(dtsen_id)),
                           ("desil", values["desil"].isdigit() and 1 <= int(values["desil"]) <= 10)):
            if not ok:
                raise ExtractInvalid(line=line, column=column)
        programmes = tuple(sorted({p for p in values["programmes"].replace(",", ";").split(";") if p.strip()}))
        programmes = tuple(p.strip().upper() for p in programmes)
        if any(p not in PROGRAMMES for p in programmes):
            raise ExtractInvalid(line=line, column="programmes")
        if nik in niks:
            raise ExtractInvalid(line=line, column="nik")
        niks.add(nik)
        head = (dtsen_id, int(values["desil"]), tuple(sorted(set(programmes))))
        family = families.setdefault(kk, {"head": head, "members": []})
        if family["head"] != head:
            raise ExtractInvalid(line=line, column="dtsen_id/desil/programmes")  # one family, two values
        if len(family["members"]) == MAX_MEMBERS:
            raise ExtractInvalid(line=line, column="no_kk")
        family["members"].append(Member(nik, name))
        if len(families) > MAX_FAMILIES:
            raise ExtractInvalid(line=line, column="no_kk")
    return [Family(kk, f["head"][0], f["head"][1], f["head"][2], tuple(f["members"]))
            for kk, f in sorted(families.items())]


def _office(session, office_id: str) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise UnknownOffice()
    return office


def import_extract(ctx: ServerContext, office_id: str, data: bytes, *, actor: str = "cli") -> int:
    """Replace the office's stored extract with this CSV (the whole kelurahan); the number of families."""
    if len(data) > MAX_CSV_BYTES:
        raise ExtractInvalid(line=0, column="(file size)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ExtractInvalid(line=0, column="(encoding: UTF-8)") from err
    families = parse_extract(text)
    now = ctx.now()
    with ctx.transaction() as session:
        _office(session, office_id)
        session.execute(delete(DtsenFamily).where(DtsenFamily.office_id == office_id))
        session.add_all(DtsenFamily(office_id=office_id, no_kk=f.no_kk, record=_record(f), imported_at=now)
                        for f in families)
        audit.append(session, at=now, actor=actor, action="dtsen_imported", subject=office_id,
                     detail={"families": len(families), "members": sum(len(f.members) for f in families)})
    return len(families)


def _families(records) -> list[Family]:
    return [Family.from_dict(json.loads(r)) for r in records]


def _seal(release: DtsenRelease, token_digest: str) -> bytes:
    manifest = Manifest.from_dict(json.loads(bytes(release.manifest)))
    files = {FAMILIES_FILE: bytes(release.families_file)}
    if release.removed_file is not None:
        files[REMOVED_FILE] = bytes(release.removed_file)
    return seal_package(manifest, files, token_digest)


def publish(ctx: ServerContext, office_id: str, *, snapshot: bool = False, actor: str = "cli") -> Publication:
    """The next version: a snapshot the first time (or when asked), else a delta against the last one."""
    now = ctx.now()
    with ctx.transaction() as session:
        office = _office(session, office_id)
        if office.feed_token_hash is None:
            raise OfficeNotBound()
        current = dict(session.execute(select(DtsenFamily.no_kk, DtsenFamily.record)
                                       .where(DtsenFamily.office_id == office_id)).all())
        if not current:
            raise NoExtract()
        published = dict(session.execute(select(DtsenPublished.no_kk, DtsenPublished.record)
                                         .where(DtsenPublished.office_id == office_id)).all())
        last = session.scalar(select(DtsenRelease).where(DtsenRelease.office_id == office_id)
                              .order_by(DtsenRelease.version.desc()).limit(1))
        changed = [r for kk, r in current.items() if published.get(kk) != r]
        removed = sorted(kk for kk in published if kk not in current)
        if last is not None and not snapshot and not changed and not removed:
            raise NothingToPublish()
        kind = "snapshot" if last is None or snapshot else "delta"
        version = 1 if last is None else last.version + 1
        families = _families(current.values() if kind == "snapshot" else changed)
        files = payload_files(kind, families, removed if kind == "delta" else ())
        manifest = issue_manifest(
            ctx.keys.server, office_id=office_id, version=version, kind=kind,
            base_version=None if kind == "snapshot" else last.version,
            previous_manifest_hash=None if last is None else last.manifest_hash,
            issued_at=now, expires_at=now + EXPIRES_AFTER, families=len(families), files=file_entries(files))
        release = DtsenRelease(office_id=office_id, version=version, kind=kind, manifest=manifest.to_bytes(),
                               manifest_hash=manifest.digest, families_file=files[FAMILIES_FILE],
                               removed_file=files.get(REMOVED_FILE), published_at=now)
        session.add(release)
        session.execute(delete(DtsenPublished).where(DtsenPublished.office_id == office_id))
        session.add_all(DtsenPublished(office_id=office_id, no_kk=kk, record=r) for kk, r in current.items())
        audit.append(session, at=now, actor=actor, action="dtsen_published", subject=office_id,
                     detail={"version": version, "kind": kind, "families": len(families), "removed": len(removed)})
        data = _seal(release, office.feed_token_hash)
    return Publication(office_id, version, kind, len(families), len(removed if kind == "delta" else ()),
                       package_name(office_id, version, kind), data)


def latest_version(ctx: ServerContext, office_id: str) -> int:
    with ctx.reading() as session:
        return session.scalar(select(func.max(DtsenRelease.version))
                              .where(DtsenRelease.office_id == office_id)) or 0


def packages_after(ctx: ServerContext, office_id: str, after: int, *, limit: int | None = None) -> dict:
    """The sealed packages that bring an office from ``after`` to the newest version, in order.

    From the newest snapshot above ``after`` when there is one (the deltas before it are not
    needed), else the deltas after ``after``; ``more`` when the office must ask again.
    """
    limit = limit or FEED_PAGE
    with ctx.reading() as session:
        office = _office(session, office_id)
        snapshot = session.scalar(select(func.max(DtsenRelease.version)).where(
            DtsenRelease.office_id == office_id, DtsenRelease.version > after, DtsenRelease.kind == "snapshot"))
        start = snapshot - 1 if snapshot is not None else after
        rows = session.scalars(select(DtsenRelease).where(DtsenRelease.office_id == office_id,
                                                          DtsenRelease.version > start)
                               .order_by(DtsenRelease.version).limit(limit + 1)).all()
        latest = session.scalar(select(func.max(DtsenRelease.version))
                                .where(DtsenRelease.office_id == office_id)) or 0
        packages = [_seal(r, office.feed_token_hash) for r in rows[:limit]]
    return {"format": "usulkan-dtsen-feed", "office_id": office_id, "latest_version": latest,
            "packages": [b64url_encode(p) for p in packages], "more": len(rows) > limit}

