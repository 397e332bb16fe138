"""Builders of DTSEN packages for the tests: families, and a snapshot/delta chain signed by a test server key."""

from __future__ import annotations

from datetime import timedelta

from app.sync.dtsen import Family, Member, file_entries, issue_manifest, payload_files, seal_package
from app.sync.return_file import feed_token_digest
from sync_fixtures import NOW, ed25519

OFFICE = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
OTHER = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
TOKEN = "feed-token-of-the-test-office-" + "x" * 20


def family(n: int, desil: int = 3, programmes=("PKH",), members: int = 2) -> Family:
    kk = f"3575031009{n:06d}"
    return Family(kk, f"DTSEN-{n:06d}", desil, tuple(sorted(programmes)),
                  tuple(Member(f"35750310{n:06d}{m:02d}", f"Warga {n} {m}") for m in range(1, members + 1)))


def package(version, kind="snapshot", families=(), removed=(), *, base=None, previous=None, office=OFFICE,
            server=None, token=TOKEN, issued=NOW, files=None):
    """(bytes, manifest) of one package; ``files`` replaces the payload sealed (not the one signed)."""
    server = server or ed25519("server")
    signed_files = payload_files(kind, families, removed)
    manifest = issue_manifest(server, office_id=office, version=version, kind=kind, base_version=base,
                              previous_manifest_hash=previous, issued_at=issued,
                              expires_at=issued + timedelta(days=100), families=len(families),
                              files=file_entries(signed_files))
    return seal_package(manifest, files or signed_files, feed_token_digest(token)), manifest
