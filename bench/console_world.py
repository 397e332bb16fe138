"""A Dinsos database with many proposals from many kelurahan, written in bulk (SQLAlchemy core) for the console bench.

The rows look like what ingest and review write: canonical payloads with a household and members,
one NIK row per member, batches of 500 per office, and states spread the way a working city shows
them (new, resent after a return, verified and waiting, returned, finalised), each with the
decisions that brought it there at plausible times in the last four months.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select

from app.server import auth
from app.server.context import ServerContext
from app.server.models import (
    Batch,
    Decision,
    DuplicateFlag,
    Item,
    ItemNik,
    Office,
    ReasonCode,
    StaffUser,
)
from app.sync.canonical import canonical_bytes

PASSWORD = "rahasia-dinsos-123"
CHUNK = 2000
BATCH_ITEMS = 500
NAMES = ("SITI AMINAH", "BUDI SANTOSO", "DEWI LESTARI", "AGUS SALIM", "RINA WATI", "JOKO SUSILO", "SRI WAHYUNI",
         "AHMAD FAUZI", "NUR HASANAH", "EKO PRASETYO", "YULI ASTUTI", "HENDRA GUNAWAN")
RELATIONS = ("kepala_keluarga", "istri", "anak", "anak", "anak")
# Share of lineages in each end state (a resent lineage is two rows: the returned base and the new version).
SHARES = (("new", 0.38), ("resent", 0.06), ("verified", 0.16), ("returned", 0.12), ("finalised", 0.28))


@dataclass
class World:
    items: int
    offices: list[str]
    sample_ids: dict[str, list[str]]  # state -> some item ids in it (the review pages opened)
    sample_niks: list[str]
    verifier: str = "verif1"
    kepala: str = "kepala1"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _payload(rng: random.Random, counter: int, tracking: str, kind: str) -> tuple[str, list[str]]:
    size = rng.randint(1, 5)
    members = []
    niks = []
    for m in range(size):
        value = f"{3575000000000000 + counter * 5 + m:016d}"
        niks.append(value)
        members.append({"nik": value, "name": f"{rng.choice(NAMES)} {counter % 997}",
                        "relationship": RELATIONS[m], "birth_date": f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{m}"})
    body = {"kind": kind, "programme": rng.choice(("pkh", "bpnt", "pbi")), "tracking_code": tracking,
            "household": {"kk_number": f"{3575030000000000 + counter:016d}",
                          "address": f"JL. PAHLAWAN NO. {counter % 200 + 1}", "rt": f"{rng.randint(1, 12):03d}",
                          "rw": f"{rng.randint(1, 8):03d}", "members": members},
            "desil": rng.randint(1, 4), "socioeconomic": {"floor": "tanah", "wall": "bambu", "income": rng.randint(5, 30) * 100000}}
    return canonical_bytes(body).decode("utf-8"), niks


def _staff(ctx: ServerContext) -> dict[str, int]:
    auth.add_staff(ctx, username="verif1", password=PASSWORD, role="verifier")
    auth.add_staff(ctx, username="kepala1", password=PASSWORD, role="kepala")
    with ctx.reading() as session:
        return dict(session.execute(select(StaffUser.username, StaffUser.id)).all())


def build(ctx: ServerContext, items: int = 100_000, offices: int = 80, *, seed: int = 11) -> World:
    """Write about ``items`` item rows from ``offices`` kelurahan; ``ctx.now()`` is today."""
    rng = random.Random(seed)
    now = ctx.now()
    users = _staff(ctx)
    with ctx.reading() as session:
        reasons = [(r.code, r.text) for r in session.execute(select(ReasonCode)).scalars()] or [("lain", "lainnya")]
    office_ids = [_uuid(rng) for _ in range(offices)]
    office_rows = [{"id": oid, "name": f"Kelurahan Bench {n:02d}", "village_code": f"35.75.03.{1001 + n}",
                    "created_at": now - timedelta(days=200), "bound_at": now - timedelta(days=199),
                    "last_sequence": 0, "last_batch_hash": "0" * 64, "feed_cursor": 0}
                   for n, oid in enumerate(office_ids)]
    per_office = {oid: [] for oid in office_ids}
    item_rows, nik_rows, decisions = [], [], []
    sample: dict[str, list[str]] = {s: [] for s, _ in SHARES}
    sample_niks: list[str] = []
    counter = 0

    def add_item(office_id, received, state, updated, base_id=None, version=1):
        nonlocal counter
        counter += 1
        item_id = _uuid(rng)
        tracking = f"USL-{counter:07d}"
        payload, niks = _payload(rng, counter, tracking, "baru")
        per_office[office_id].append(item_id)
        item_rows.append({"item_id": item_id, "batch_id": None, "office_id": office_id, "item_type": "proposal",
                          "version": version, "base_id": base_id, "route": "muskel", "kind": "baru",
                          "tracking_code": tracking, "payload": payload,
                          "payload_hash": hashlib.sha256(payload.encode()).hexdigest(), "state": state,
                          "received_at": received, "updated_at": updated})
        nik_rows.extend({"item_id": item_id, "office_id": office_id, "nik": n} for n in niks)
        if len(sample_niks) < 200 and rng.random() < 0.01:
            sample_niks.append(niks[0])
        return item_id

    def decide(item_id, action, from_state, to_state, at, who, why=()):
        decisions.append({"item_id": item_id, "action": action, "from_state": from_state, "to_state": to_state,
                          "reasons": json.dumps([{"code": c, "text": t} for c, t in why], ensure_ascii=False),
                          "user_id": users[who], "decided_at": at, "feed_cursor": 0})

    cumulative = []
    total = 0.0
    for state, share in SHARES:
        total += share
        cumulative.append((total, state))
    while len(item_rows) < items:
        office_id = office_ids[min(int(rng.paretovariate(1.2)) - 1, offices - 1) if rng.random() < 0.3
                               else rng.randrange(offices)]
        pick = rng.random()
        state = next(s for edge, s in cumulative if pick <= edge)
        received = now - timedelta(days=rng.uniform(0.2, 120), seconds=rng.randint(0, 86399))
        step = lambda at: min(now, at + timedelta(days=rng.expovariate(1 / 6), hours=rng.randint(1, 8)))
        if state == "new":
            sample["new"].append(add_item(office_id, received, "received", received))
        elif state == "verified":
            at = step(received)
            item_id = add_item(office_id, received, "verified", at)
            decide(item_id, "verify", "received", "verified", at, "verif1")
            sample["verified"].append(item_id)
        elif state in ("returned", "resent"):
            at = step(received)
            base = add_item(office_id, received, "returned" if state == "returned" else "superseded", at)
            decide(base, "return", "received", "returned", at, "verif1", [rng.choice(reasons)])
            if state == "resent":
                again = step(at)
                sample["resent"].append(add_item(office_id, again, "received", again, base_id=base, version=2))
            else:
                sample["returned"].append(base)
        else:
            verified = step(received)
            final = step(verified)
            item_id = add_item(office_id, received, "finalised", final)
            decide(item_id, "verify", "received", "verified", verified, "verif1")
            decide(item_id, "finalise", "verified", "finalised", final, "kepala1")
            sample["finalised"].append(item_id)
    _write(ctx, office_rows, per_office, item_rows, nik_rows, decisions, now, rng)
    return World(len(item_rows), office_ids, {s: ids[:100] for s, ids in sample.items()}, sample_niks)


def _write(ctx, office_rows, per_office, item_rows, nik_rows, decisions, now, rng) -> None:
    batches, by_id = [], {}
    for office in office_rows:
        ids = per_office[office["id"]]
        for seq, start in enumerate(range(0, len(ids), BATCH_ITEMS), 1):
            batch_id = _uuid(rng)
            chunk = ids[start:start + BATCH_ITEMS]
            batches.append({"batch_id": batch_id, "office_id": office["id"], "sequence": seq,
                            "batch_hash": hashlib.sha256(batch_id.encode()).hexdigest(), "received_at": now,
                            "item_count": len(chunk), "raw": b"", "receipt": b""})
            by_id.update(dict.fromkeys(chunk, batch_id))
            office["last_sequence"] = seq
    for row in item_rows:
        row["batch_id"] = by_id[row["item_id"]]
    # A few cross-kelurahan duplicates, as ingest flags them: the same NIK in two offices' proposals.
    flags = []
    for n in range(0, len(item_rows) - 1, 997):
        a, b = item_rows[n], item_rows[n + 1]
        if a["office_id"] != b["office_id"] and a["state"] == "received":
            flags.append({"item_id": b["item_id"], "other_item_id": a["item_id"], "nik": "3575030101900001",
                          "created_at": b["received_at"]})
    with ctx.engine.begin() as conn:
        conn.execute(insert(Office), office_rows)
        for table, rows in ((Batch, batches), (Item, item_rows), (ItemNik, nik_rows), (Decision, decisions),
                            (DuplicateFlag, flags)):
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start:start + CHUNK])
