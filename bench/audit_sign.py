"""What the signed audit history costs: per-batch signing with the audit head, per-entry signatures.

`python -m bench.audit_sign` (also part (d) of `python -m bench.sync`). Figures vary by machine;
only the ratios travel.

* Per batch: build + operator signature of a batch of 1 / 50 / 499 proposals, with and without
  the ``audit_head`` item every batch now carries (the same proposals; 499 because the head
  takes the 500th place). Goal: within 1.1x.
* Per audit entry: 1,000 ``audit.append`` into an encrypted office database in one transaction,
  signed by the acting person's key and unsigned, against 1,000 raw Ed25519 signatures of
  entry-sized messages.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from app.storage import audit, migrate
from app.storage.engine import make_engine
from app.sync import chain, keys
from app.sync.batch import BatchItem, build_batch
from app.sync.canonical import ZERO_HASH
from app.sync.certificates import issue_certificate
from bench.verify import NOW, payloads

SIZES = (1, 50, 499)


def _batch_signing(min_seconds: float) -> list[tuple[int, float, float]]:
    authority, operator = keys.generate_ed25519(), keys.generate_ed25519()
    cert = issue_certificate(authority, office_id=str(uuid.uuid4()), operator_id=str(uuid.uuid4()), name="BENCH",
                             role="operator", public_key=keys.public_bytes(operator.public_key()),
                             valid_from=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=365), issued_at=NOW)
    signer = keys.as_signer(operator)
    out = []
    for count in SIZES:
        items = [BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload=p, route="muskel")
                 for p in payloads(count)]
        head = BatchItem.create(item_id=str(uuid.uuid4()), item_type="audit_head",
                                payload=chain.head_payload(123_456, "ab" * 32))

        def sign(with_head: bool, items=items, head=head):
            build_batch(office_id=cert.office_id, sequence=1, prev_batch_hash=ZERO_HASH, operator_certificate=cert,
                        items=items + [head] if with_head else items, created_at=NOW).sign_operator(signer)

        plain, headed = paired(lambda: sign(False), lambda: sign(True), min_seconds)
        out.append((count, plain, headed))
    return out


def paired(first, second, min_seconds: float, at_least: int = 15) -> tuple[float, float]:
    """Medians of ``first`` and ``second`` run alternately, so a busy neighbour slows both alike."""
    import statistics
    import time

    a, b = [], []
    started = time.perf_counter()
    while len(a) < at_least or time.perf_counter() - started < 2 * min_seconds:
        for call, runs in ((first, a), (second, b)):
            t0 = time.perf_counter()
            call()
            runs.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def _entries(folder: Path, count: int, signer) -> float:
    import time

    engine = make_engine(folder / f"bench-{secrets.token_hex(4)}.db", secrets.token_bytes(32))
    migrate.upgrade(engine)
    try:
        start = datetime(2026, 11, 1, 8, 0)
        t0 = time.perf_counter()
        with Session(engine) as session, session.begin():
            for index in range(count):
                audit.append(session, at=start + timedelta(seconds=index), operator_id="9b0c6a52-0d55-4c39-9a36-2f1b5d9e0a11",
                             action="proposal.view", entity_type="proposal", entity_id=str(uuid.UUID(int=index)),
                             detail={"n": index}, signer=signer)
        return time.perf_counter() - t0
    finally:
        engine.dispose()


def _raw_signatures(count: int) -> float:
    import time

    key = keys.generate_ed25519()
    message = b"x" * 330  # about the size of an entry's canonical bytes
    t0 = time.perf_counter()
    for _ in range(count):
        key.sign(message)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-seconds", type=float, default=0.3)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)

    print("batch build + operator signature (median ms), without and with the audit head item")
    print(f"{'items':>6} {'without':>10} {'with head':>10} {'ratio':>7}")
    for count, plain, headed in _batch_signing(args.min_seconds):
        print(f"{count:>6} {plain * 1000:>10.3f} {headed * 1000:>10.3f} {headed / plain:>7.3f}")

    signer = keys.Ed25519Signer(keys.generate_ed25519())
    import statistics

    with tempfile.TemporaryDirectory() as tmp:
        signed_runs, unsigned_runs, raw_runs = [], [], []
        for _ in range(args.rounds):  # alternate, so load on the machine hits all three alike
            signed_runs.append(_entries(Path(tmp), args.entries, signer))
            unsigned_runs.append(_entries(Path(tmp), args.entries, None))
            raw_runs.append(_raw_signatures(args.entries))
    signed, unsigned, raw = (statistics.median(r) for r in (signed_runs, unsigned_runs, raw_runs))
    per = 1000 / args.entries * 1000
    print()
    print(f"audit entries, ms per 1,000 (median of {args.rounds}, one transaction, SQLCipher database)")
    print(f"  signed append   {signed * per:9.1f}")
    print(f"  unsigned append {unsigned * per:9.1f}")
    print(f"  signature share {(signed - unsigned) * per:9.1f}  ({signed / unsigned:.2f}x the unsigned append)")
    print(f"  raw Ed25519     {raw * per:9.1f}  (1,000 signatures of entry-sized messages)")


if __name__ == "__main__":
    main()
