"""What the DTSEN reference costs in the office: a 200,000-person snapshot, a 5 % delta, lookups.

`python -m bench.dtsen [--persons 200000]`. Figures vary by machine; only the ratios travel.

* Import of a snapshot (check, decrypt, parse, apply: ``dtsen.import_files``) against a raw
  executemany insert of the same rows into the same tables in the same run. Goal: raw/import ≥ 0.5.
* A delta changing 5 % of the families against a full re-import of the same version as a snapshot.
  Goal: ≥ 10x faster.
* ``dtsen.lookup`` by NIK and by No. KK at that size, median of 2,000 each. Goal: under 1 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete

PERSONS_PER_FAMILY = 4


def _families(n_families: int, seed: int = 14):
    from app.sync.dtsen import PROGRAMMES, Family, Member

    rng = random.Random(seed)
    out = []
    for f in range(n_families):
        kk = f"35750310{f:08d}"
        members = tuple(Member(f"3575{f:08d}{m:04d}", f"Warga {f} {m}") for m in range(PERSONS_PER_FAMILY))
        programmes = tuple(sorted(rng.sample(PROGRAMMES, rng.randint(0, 2))))
        out.append(Family(kk, f"DT{f:010d}", rng.randint(1, 10), programmes, members))
    return out


def _office(folder: Path):
    from app.services.office import create_office, open_office
    from app.storage.sync_models import DinsosKey, SyncLink
    from app.storage.vault import KdfParams
    from app.sync import keys

    created = create_office(folder, name="Kelurahan Bench", village_code="35.75.03.1009", lurah_name="Bu Lurah",
                            lurah_passphrase="sandi lurah bench", operator_name="Ani",
                            operator_passphrase="sandi operator bench", kdf=KdfParams.for_tests())
    ctx = open_office(folder, created.operator_id, "sandi operator bench")
    server = keys.generate_ed25519()
    office_id, token = str(uuid.uuid4()), "bench-feed-token-" + "x" * 30
    with ctx.transaction() as session:
        session.add(SyncLink(id=1, server_office_id=office_id, root_public_key=b"\0" * 32, status_cursor=0,
                             feed_token=token, imported_at=ctx.clock()))
        session.add(DinsosKey(purpose="server_signing", key_id="bench", certificate="{}",
                              public_key=keys.public_bytes(server.public_key()),
                              valid_until=ctx.clock() + timedelta(days=365)))
    return ctx, server, office_id, token


def _package(server, office_id, token, version, kind, families, removed=(), previous=None):
    from app.clock import utcnow
    from app.sync.dtsen import file_entries, issue_manifest, payload_files, seal_package
    from app.sync.return_file import feed_token_digest

    files = payload_files(kind, families, removed)
    now = utcnow()
    manifest = issue_manifest(server, office_id=office_id, version=version, kind=kind,
                              base_version=None if kind == "snapshot" else version - 1,
                              previous_manifest_hash=previous, issued_at=now, expires_at=now + timedelta(days=120),
                              families=len(families), files=file_entries(files))
    return manifest, seal_package(manifest, files, feed_token_digest(token))


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(persons: int) -> dict:
    from app.clock import utcnow
    from app.services import dtsen
    from app.services.dtsen import _row
    from app.storage.dtsen_models import DtsenFamily, DtsenMember

    n = persons // PERSONS_PER_FAMILY
    families = _families(n)
    with tempfile.TemporaryDirectory(prefix="usulkan-bench-dtsen-") as tmp:
        folder = Path(tmp)
        ctx, server, office_id, token = _office(folder / "office")
        try:
            # Raw: the very rows, straight into the same tables (no check, no decryption, no parse).
            rows = [_row(f) for f in families]
            members = [{"nik": m.nik, "no_kk": f.no_kk} for f in families for m in f.members]

            def raw() -> None:
                with ctx.transaction() as session:
                    connection = session.connection()
                    connection.execute(DtsenFamily.__table__.insert(), rows)
                    connection.execute(DtsenMember.__table__.insert(), members)

            raw_s = _timed(raw)
            with ctx.transaction() as session:
                session.execute(delete(DtsenFamily))
                session.execute(delete(DtsenMember))

            m1, snap = _package(server, office_id, token, 1, "snapshot", families)
            (folder / "v1").write_bytes(snap)
            import_s = _timed(lambda: dtsen.import_files(ctx, [folder / "v1"], now=utcnow()))

            rng = random.Random(5)
            changed_idx = rng.sample(range(n), n // 20)
            from app.sync.dtsen import Family

            changed = [Family(families[i].no_kk, families[i].dtsen_id, families[i].desil % 10 + 1,
                              families[i].programmes, families[i].members) for i in changed_idx]
            m2, delta = _package(server, office_id, token, 2, "delta", changed, previous=m1.digest)
            (folder / "v2").write_bytes(delta)
            delta_s = _timed(lambda: dtsen.import_files(ctx, [folder / "v2"], now=utcnow()))
            assert len(dtsen.changes(ctx, limit=n)) == len(changed)

            after = list(families)
            for i, fam in zip(changed_idx, changed):
                after[i] = fam
            _m3, full = _package(server, office_id, token, 3, "snapshot", after, previous=m2.digest)
            (folder / "v3").write_bytes(full)
            full_s = _timed(lambda: dtsen.import_files(ctx, [folder / "v3"], now=utcnow()))

            def lookups(keys_) -> float:
                times = []
                for key in keys_:
                    started = time.perf_counter()
                    assert dtsen.lookup(ctx, key) is not None
                    times.append(time.perf_counter() - started)
                return statistics.median(times) * 1000

            sample = rng.sample(families, 2000)
            by_nik = lookups([f.members[-1].nik for f in sample])
            by_kk = lookups([f.no_kk for f in sample])
        finally:
            ctx.close()
    return {"persons": n * PERSONS_PER_FAMILY, "families": n, "raw_s": raw_s, "import_s": import_s,
            "raw_over_import": raw_s / import_s, "delta_s": delta_s, "full_reimport_s": full_s,
            "delta_speedup": full_s / delta_s, "lookup_nik_ms": by_nik, "lookup_kk_ms": by_kk,
            "snapshot_bytes": len(snap)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    figures = run(parser.parse_args().persons)
    for key, value in figures.items():
        print(f"{key:18} {value:.3f}" if isinstance(value, float) else f"{key:18} {value}")


if __name__ == "__main__":
    main()
