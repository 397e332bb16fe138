"""What merging ground-check results costs: 500 field results merged against the raw row update.

`python -m bench.field`. Figures vary by machine; only the ratios travel.

* Raw: one transaction updating 500 household records (new values, version + 1, a version row),
  in an encrypted office database: the least any import must do.
* Merge: the same 500 households, one field result each (stored, then merged field by field
  against its base version with ``services.field.remerge_in``), in one transaction: what
  ``import_results`` does once the file is checked.
* Open: checking a 500-record results file (HPKE open, certificate, Ed25519 signature, values),
  pure.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.services.field import remerge_in
from app.storage import migrate
from app.storage.engine import make_engine
from app.storage.field_models import (
    FieldAssignment,
    FieldResultRow,
    HouseholdRecord,
    HouseholdRecordVersion,
)
from app.storage.models import Operator
from app.sync import field as files
from app.sync import keys
from app.sync.certificates import issue_certificate

COUNT = 500
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
BASE = {"floor_material": "earth", "wall_material": "bamboo", "roof_material": "zinc", "toilet": "shared",
        "income_band": None}


def _kk(n: int) -> str:
    return f"3575031201{n:06d}"


def _seed(session: Session) -> None:
    session.add(Operator(id="field", name="Citra", role="field_staff", active=True, created_at=NOW))
    session.flush()
    session.add(FieldAssignment(id="a", person_id="field", assigned_by="field", due_date=date(2026, 12, 20),
                                households={}, variables=[], return_private=b"", created_at=NOW))
    values = {k: v for k, v in BASE.items() if v}
    for n in range(COUNT):
        session.add(HouseholdRecord(kk_number=_kk(n), head_name="X", address="Jl.", values=values, version=1,
                                    updated_at=NOW))
    session.flush()
    for n in range(COUNT):
        session.add(HouseholdRecordVersion(kk_number=_kk(n), version=1, values=values, source="office",
                                           made_by=None, made_at=NOW))


def _fresh(folder: Path, name: str):
    engine = make_engine(folder / f"{name}.db", secrets.token_bytes(32))
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        _seed(session)
    return engine


def _raw(engine) -> float:
    values = {k: v for k, v in BASE.items() if v} | {"floor_material": "cement_brick"}
    start = time.perf_counter()
    with Session(engine) as session, session.begin():
        for n in range(COUNT):
            session.execute(update(HouseholdRecord).where(HouseholdRecord.kk_number == _kk(n))
                            .values(values=values, version=HouseholdRecord.version + 1))
            session.add(HouseholdRecordVersion(kk_number=_kk(n), version=2, values=values, source="field",
                                               made_by=None, made_at=NOW))
    return time.perf_counter() - start


def _merge(engine) -> float:
    ctx = SimpleNamespace(operator_id=None, clock=lambda: NOW)
    values = {k: v for k, v in BASE.items() if v} | {"floor_material": "cement_brick", "wall_material": "masonry"}
    start = time.perf_counter()
    with Session(engine) as session, session.begin():
        for n in range(COUNT):
            session.add(FieldResultRow(results_id=str(uuid.uuid4()), assignment_id="a", person_id="field",
                                       kk_number=_kk(n), base_version=1, values=values, latitude=None,
                                       longitude=None, notes="", checked_at=NOW, imported_at=NOW))
            session.flush()
            remerge_in(ctx, session, _kk(n))
    return time.perf_counter() - start


def _open_file() -> float:
    authority, person = keys.generate_ed25519(), keys.Ed25519Signer(keys.generate_ed25519())
    office, person_id = str(uuid.uuid4()), str(uuid.uuid4())
    cert = issue_certificate(authority, office_id=office, operator_id=person_id, name="Citra", role="field_staff",
                             public_key=person.public_key_bytes, valid_from=NOW - timedelta(days=1),
                             valid_until=NOW + timedelta(days=365), issued_at=NOW - timedelta(days=1))
    back = keys.generate_x25519()
    records = tuple(files.ResultRecord(_kk(n), 1, {"floor_material": "cement_brick"}, NOW,
                                       (files.Photo("front", secrets.token_bytes(2000)),), "-7.6453", "112.9075", "")
                    for n in range(COUNT))
    data = files.write_results(files.Results(str(uuid.uuid4()), str(uuid.uuid4()), office, person_id, NOW, records,
                                             cert), person, keys.public_bytes(back.public_key()))
    start = time.perf_counter()
    files.open_results(data, back, office_id=office, authority=keys.public_bytes(authority.public_key()))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    raw, merged, opened = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            raw.append(_raw(_fresh(Path(tmp), f"raw{r}")))
            merged.append(_merge(_fresh(Path(tmp), f"merge{r}")))
            opened.append(_open_file())
    best_raw, best_merge, best_open = min(raw), min(merged), min(opened)
    print(f"raw update of {COUNT} households:   {best_raw * 1000:8.1f} ms")
    print(f"merge of {COUNT} field results:     {best_merge * 1000:8.1f} ms  ({best_merge / best_raw:.1f}x raw)")
    print(f"open a {COUNT}-record results file: {best_open * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
