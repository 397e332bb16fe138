"""Everything the review page shows about one item: household, what changed, versions, the office's
history, duplicates side by side, and the documents it names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from app.server.models import Batch, Decision, DuplicateFlag, Item, ItemDocument, Office, StaffUser

MAX_VERSIONS = 50
DOCUMENT_URL = "/console/items/{item_id}/documents/{sha256}"


@dataclass
class View:
    item: Item
    office: Office
    payload: dict
    versions: list[Item] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    verified_by: str | None = None
    timeline: list[dict] = field(default_factory=list)
    decree: tuple[str, object] | None = None


def _flat(value, prefix: str = "") -> dict[str, object]:
    """{"household.members[0].name": "SITI"}: leaves of a payload, so two versions compare field by field."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key in sorted(value):
            out.update(_flat(value[key], f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            out.update(_flat(entry, f"{prefix}[{index}]"))
    else:
        out[prefix] = value
    return out


def changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    old, new = _flat(before), _flat(after)
    return [(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


def documents(item_id: str, payload: dict, stored: set[str] | None = None) -> list[dict]:
    """The documents the item names: once Dinsos holds the bytes (``stored``), a link; otherwise 'not received'."""
    out = []
    for doc in payload.get("documents") or []:
        if not isinstance(doc, dict):
            continue
        sha = str(doc.get("sha256") or "")
        ok = len(sha) == 64 and all(c in "0123456789abcdef" for c in sha) and (stored is None or sha in stored)
        media = str(doc.get("media_type") or "")
        out.append({"kind": str(doc.get("kind") or ""), "filename": str(doc.get("filename") or ""),
                    "media_type": media, "url": DOCUMENT_URL.format(item_id=item_id, sha256=sha) if ok else None,
                    "image": media.startswith("image/"), "pdf": media == "application/pdf"})
    for key, value in sorted(_flat(payload).items()):
        if key.endswith("_attachment_id") and value:
            out.append({"kind": key.rsplit(".", 1)[-1].removesuffix("_attachment_id"), "filename": "",
                        "media_type": "", "url": None, "image": False, "pdf": False})
    return out


def _chain(session, item: Item) -> list[Item]:
    """Every version of the item, oldest first: back through base_id, then forward to newer ones."""
    chain = [item]
    current = item
    while current.base_id and len(chain) < MAX_VERSIONS:
        earlier = session.get(Item, current.base_id)
        if earlier is None:
            break
        chain.insert(0, earlier)
        current = earlier
    current = item
    while len(chain) < MAX_VERSIONS:
        later = session.execute(select(Item).where(Item.base_id == current.item_id)).scalars().first()
        if later is None:
            break
        chain.append(later)
        current = later
    return chain


def load(session, item_id: str) -> View | None:
    row = session.execute(select(Item, Office).join(Office, Office.id == Item.office_id)
                          .where(Item.item_id == item_id)).first()
    if row is None:
        return None
    item, office = row
    view = View(item, office, json.loads(item.payload))
    view.versions = _chain(session, item)
    ids = [v.item_id for v in view.versions]
    names = dict(session.execute(select(StaffUser.id, StaffUser.username)).all())
    for d in session.execute(select(Decision).where(Decision.item_id.in_(ids)).order_by(Decision.id)).scalars():
        view.history.append({"item_id": d.item_id, "action": d.action, "from": d.from_state, "to": d.to_state,
                             "reasons": json.loads(d.reasons), "by": names.get(d.user_id, "?"),
                             "at": d.decided_at, "decree_number": d.decree_number, "decree_date": d.decree_date,
                             "decree_document": d.decree_document_sha256, "decision_id": d.id})
        if d.item_id == item.item_id and d.decree_number:
            view.decree = (d.decree_number, d.decree_date)
        if d.item_id == item.item_id and d.action == "verify":
            view.verified_by = names.get(d.user_id)
    if item.base_id:
        earlier = next((v for v in view.versions if v.item_id == item.base_id), None)
        if earlier is not None:
            view.changes = changes(json.loads(earlier.payload), view.payload)
    flags = session.execute(select(DuplicateFlag).where(
        or_(DuplicateFlag.item_id == item_id, DuplicateFlag.other_item_id == item_id)).order_by(DuplicateFlag.id)).scalars()
    by_other: dict[str, dict] = {}
    for flag in flags:
        other_id = flag.other_item_id if flag.item_id == item_id else flag.item_id
        entry = by_other.get(other_id)
        if entry is None:
            other = session.execute(select(Item, Office).join(Office, Office.id == Item.office_id)
                                    .where(Item.item_id == other_id)).first()
            if other is None:
                continue
            entry = by_other[other_id] = {"niks": [], "resolved": True, "item": other[0], "office": other[1],
                                          "payload": json.loads(other[0].payload), "resolution": None}
        if flag.nik not in entry["niks"]:
            entry["niks"].append(flag.nik)
        if flag.resolved_at is None:
            entry["resolved"] = False
        elif flag.resolution:
            entry["resolution"] = {"how": flag.resolution, "by": names.get(flag.resolved_by, "?"),
                                   "note": flag.resolution_note or "", "at": flag.resolved_at,
                                   "kept": flag.kept_item_id}
    for entry in by_other.values():
        entry["nik"] = entry["niks"][0]
        view.duplicates.append(entry)
    stored = set(session.scalars(select(ItemDocument.sha256).where(ItemDocument.item_id == item.item_id,
                                                                   ItemDocument.stored_at.is_not(None))))
    view.documents = documents(item.item_id, view.payload, stored)
    view.timeline = timeline(session, view)
    return view


def timeline(session, view: View) -> list[dict]:
    """The item's whole history with this office, oldest first: each version as it arrived (in which of
    the office's batches) and every step Dinsos took on it."""
    batches = dict(session.execute(select(Batch.batch_id, Batch.sequence)
                                   .where(Batch.batch_id.in_([v.batch_id for v in view.versions]))).all())
    events = [{"at": v.received_at, "version": v.version, "event": "received", "batch": batches.get(v.batch_id),
               "resent": v.base_id is not None, "item_id": v.item_id} for v in view.versions]
    by_id = {v.item_id: v.version for v in view.versions}
    events += [{"at": h["at"], "version": by_id.get(h["item_id"]), "event": "decision", **h} for h in view.history]
    return sorted(events, key=lambda e: (e["at"], e["event"] != "received"))
