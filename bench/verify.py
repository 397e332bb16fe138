"""Sync-format benchmark: verify_batch and seal/open against the raw primitives, in the same run.

Run: .venv/bin/python -m bench.verify [--min-seconds 0.3]
For batches of 1, 50 and 500 synthetic proposals (one SPTJM item, so both signatures are checked)
prints the median time of verify_batch on the serialised bytes next to one raw Ed25519 verify
and one raw SHA-256 of the same bytes, with the ratios; then seal / open_envelope next to raw
HPKE encrypt / decrypt of the same bytes. Figures vary by machine; only the ratios travel.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from app.sync import keys
from app.sync.batch import BatchItem, build_batch, verify_batch
from app.sync.canonical import ZERO_HASH
from app.sync.certificates import issue_certificate
from app.sync.envelope import SUITE, open_envelope, seal

SIZES = (1, 50, 500)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
NAMES = ("SITI", "NUR", "AHMAD", "DEWI", "BUDI", "AGUS", "RINA", "AMINAH", "RAHAYU", "SANTOSO", "WIJAYA", "HIDAYAT")


def median_seconds(call: Callable[[], object], min_seconds: float) -> float:
    """Median of repeated runs, repeated until ``min_seconds`` have passed (at least 5 runs)."""
    runs: list[float] = []
    started = time.perf_counter()
    while len(runs) < 5 or time.perf_counter() - started < min_seconds:
        t0 = time.perf_counter()
        call()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def payloads(count: int, seed: int = 7):
    """Proposal-shaped payloads of made-up households (about 1 KB each; no real people)."""
    rng = random.Random(seed)
    for index in range(count):
        members = [
            {
                "nik": f"357503{rng.randrange(10**10):010d}",
                "name": f"{rng.choice(NAMES)} {rng.choice(NAMES)}",
                "sex": rng.choice("LP"),
                "birth_place": "PASURUAN",
                "birth_date": f"{rng.randrange(1950, 2020)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                "relation": "kepala_keluarga" if position == 0 else "anak",
                "mother_name": f"{rng.choice(NAMES)} {rng.choice(NAMES)}",
            }
            for position in range(rng.choice((1, 2, 3, 4, 4, 5, 6)))
        ]
        yield {
            "kind": "baru",
            "programme": "pkh",
            "desil": rng.randrange(1, 6),
            "household": {
                "kk_number": f"357503{index:010d}",
                "address": f"JL. PAHLAWAN NO. {rng.randrange(1, 200)}",
                "rt": f"{rng.randrange(1, 12):03d}",
                "rw": f"{rng.randrange(1, 8):03d}",
                "members": members,
            },
        }


def signed_batch(authority, operator, cert, count: int):
    items = [
        BatchItem.create(
            item_id=str(uuid.uuid4()), item_type="proposal", payload=payload, route="sptjm" if i == 0 else "muskel"
        )
        for i, payload in enumerate(payloads(count))
    ]
    unsigned = build_batch(
        office_id=cert.office_id,
        sequence=1,
        prev_batch_hash=ZERO_HASH,
        operator_certificate=cert,
        items=items,
        created_at=NOW,
    )
    return unsigned.sign_operator(operator).countersign(authority)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-seconds", type=float, default=0.3, help="time spent per measurement")
    args = parser.parse_args(argv)

    authority, operator = keys.generate_ed25519(), keys.generate_ed25519()
    authority_public = keys.public_bytes(authority.public_key())
    cert = issue_certificate(
        authority,
        office_id=str(uuid.uuid4()),
        operator_id=str(uuid.uuid4()),
        name="BENCH OPERATOR",
        role="operator",
        public_key=keys.public_bytes(operator.public_key()),
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=365),
        issued_at=NOW,
    )
    dinsos = keys.generate_x25519()

    print("verify_batch on serialised bytes (median ms) vs one raw Ed25519 verify and raw SHA-256 of the bytes")
    print(f"{'items':>6} {'bytes':>10} {'verify_batch':>12} {'ed25519':>10} {'sha256':>10}", end="")
    print(f" {'x ed25519':>10} {'x sha256':>10}")
    batches = {}
    for count in SIZES:
        signed = signed_batch(authority, operator, cert, count)
        data = signed.to_bytes()
        batches[count] = signed
        signing = signed.unsigned.signing_bytes
        public = operator.public_key()
        signature = signed.operator_signature
        t_verify = median_seconds(
            lambda: verify_batch(data, authority_public_key=authority_public, now=NOW), args.min_seconds
        )
        t_ed = median_seconds(lambda: public.verify(signature, signing), args.min_seconds)
        t_sha = median_seconds(lambda: hashlib.sha256(data).digest(), args.min_seconds)
        print(
            f"{count:>6} {len(data):>10} {ms(t_verify):>12} {ms(t_ed)} {ms(t_sha)}"
            f" {t_verify / t_ed:>10.0f} {t_verify / t_sha:>10.0f}"
        )

    print()
    print("seal / open_envelope (median ms) vs raw HPKE encrypt / decrypt of the same bytes")
    print(f"{'items':>6} {'bytes':>10} {'seal':>10} {'hpke enc':>10} {'ratio':>7}", end="")
    print(f" {'open':>10} {'hpke dec':>10} {'ratio':>7}")
    public_x = dinsos.public_key()
    for count, signed in batches.items():
        data = signed.to_bytes()
        sealed = seal(data, public_x, batch_id=signed.batch_id, office_id=signed.office_id)
        raw = SUITE.encrypt(data, public_x, info=b"bench")
        t_seal = median_seconds(
            lambda: seal(data, public_x, batch_id=signed.batch_id, office_id=signed.office_id), args.min_seconds
        )
        t_enc = median_seconds(lambda: SUITE.encrypt(data, public_x, info=b"bench"), args.min_seconds)
        t_open = median_seconds(lambda: open_envelope(sealed, dinsos), args.min_seconds)
        t_dec = median_seconds(lambda: SUITE.decrypt(raw, dinsos, info=b"bench"), args.min_seconds)
        print(
            f"{count:>6} {len(data):>10} {ms(t_seal)} {ms(t_enc)} {t_seal / t_enc:>7.2f}"
            f" {ms(t_open)} {ms(t_dec)} {t_open / t_dec:>7.2f}"
        )


if __name__ == "__main__":
    main()
