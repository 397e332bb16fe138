"""The server's keys: Dinsos root, server signing key and X25519 batch key, made once and kept 0600."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey


from app import fsutil
from app.sync import keys as k
from app.sync.canonical import b64url_encode, utc_second
from app.sync.certificates import DinsosKeyCertificate, issue_dinsos_key

ROOT_FILE = "root.ed25519"
SERVER_FILE = "server.ed25519"
X25519_FILE = "batch.x25519"
SERVER_CERT_FILE = "server-signing.cert.json"
X25519_CERT_FILE = "batch-encryption.cert.json"
# Long-lived on purpose: every office pins these at provisioning; rotating is a planned event.
KEY_VALIDITY = timedelta(days=3650)


@dataclass(frozen=True)
class ServerKeys:
    root: Ed25519PrivateKey
    server: k.Ed25519Signer
    x25519: X25519PrivateKey
    server_cert: DinsosKeyCertificate
    x25519_cert: DinsosKeyCertificate

    @property
    def root_public(self) -> bytes:
        return k.public_bytes(self.root.public_key())

    @property
    def server_public(self) -> bytes:
        return self.server.public_key_bytes

    def public_document(self) -> dict[str, Any]:
        """What offices may know: the root key and both certified Dinsos keys (never a private key)."""
        return {
            "format": "usulkan-dinsos-keys",
            "root_public_key": b64url_encode(self.root_public),
            "root_fingerprint": k.fingerprint(self.root_public),
            "server_signing": _cert_json(self.server_cert),
            "batch_encryption": _cert_json(self.x25519_cert),
        }

    def __repr__(self) -> str:  # never print a private key by accident
        return f"ServerKeys(root={k.key_id(self.root_public)}, server={k.key_id(self.server_public)})"


def _cert_json(cert: DinsosKeyCertificate) -> dict[str, Any]:
    return json.loads(cert.to_bytes())


def write_private(path: Path, data: bytes) -> None:
    """0600 before the first byte, and a crash leaves the old file or the new one, never half."""
    # A new folder is private; an existing one (say the admin's working folder) is left as it is.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fsutil.write_atomic(path, data)


def load_or_create(folder: Path, *, now: datetime | None = None) -> ServerKeys:
    """Read the keys from ``folder``; on first start generate them all, certified by a new root."""
    folder = Path(folder)
    if not (folder / ROOT_FILE).exists():
        _generate(folder, utc_second(now or datetime.now(UTC)))
    root = k.ed25519_private_from_bytes((folder / ROOT_FILE).read_bytes())
    server = k.Ed25519Signer(k.ed25519_private_from_bytes((folder / SERVER_FILE).read_bytes()))
    x25519 = k.x25519_private_from_bytes((folder / X25519_FILE).read_bytes())
    server_cert = DinsosKeyCertificate.from_bytes((folder / SERVER_CERT_FILE).read_bytes())
    x25519_cert = DinsosKeyCertificate.from_bytes((folder / X25519_CERT_FILE).read_bytes())
    if server_cert.public_key != server.public_key_bytes or x25519_cert.public_key != k.public_bytes(
        x25519.public_key()
    ):
        raise RuntimeError("the key certificates in the keys folder do not match the keys")
    return ServerKeys(root, server, x25519, server_cert, x25519_cert)


def _generate(folder: Path, now: datetime) -> None:
    root, server, x25519 = k.generate_ed25519(), k.generate_ed25519(), k.generate_x25519()
    window = dict(valid_from=now, valid_until=now + KEY_VALIDITY, issued_at=now)
    server_cert = issue_dinsos_key(
        root, purpose="server_signing", public_key=k.public_bytes(server.public_key()), **window
    )
    x25519_cert = issue_dinsos_key(
        root, purpose="batch_encryption", public_key=k.public_bytes(x25519.public_key()), **window
    )
    # Certificates first and the root last: the root file is what marks the folder complete.
    write_private(folder / SERVER_CERT_FILE, server_cert.to_bytes())
    write_private(folder / X25519_CERT_FILE, x25519_cert.to_bytes())
    write_private(folder / SERVER_FILE, k.private_bytes(server))
    write_private(folder / X25519_FILE, k.private_bytes(x25519))
    write_private(folder / ROOT_FILE, k.private_bytes(root))
