"""Shared test data for the sync tests: keys from fixed seeds, fixed ids, made-up households."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.sync import keys
from app.sync.batch import BatchItem
from app.sync.certificates import OperatorCertificate, issue_certificate

NOW = datetime(2026, 3, 2, 3, 4, 5, tzinfo=UTC)
# Made-up identity data: the envelope tests look for these in the sealed bytes.
TEST_NIK = "3575034507890001"
TEST_NAME = "SITI AMINAH WULANDARI"


def seed(name: str) -> bytes:
    return hashlib.sha256(f"usulkan test key: {name}".encode()).digest()


def ed25519(name: str):
    return keys.ed25519_private_from_bytes(seed(name))


def fixed_uuid(name: str) -> str:
    """A deterministic version-4 UUID, so failures name the same ids every run."""
    return str(uuid.UUID(bytes=hashlib.sha256(name.encode()).digest()[:16], version=4))


@dataclass
class World:
    office_id: str
    authority: object
    other_authority: object
    operator: object
    cert: OperatorCertificate
    server: object
    root: object
    dinsos_x25519: object

    @property
    def authority_public(self) -> bytes:
        return keys.public_bytes(self.authority.public_key())

    def certify(self, operator_key, **overrides) -> OperatorCertificate:
        fields = dict(
            office_id=self.office_id,
            operator_id=fixed_uuid("operator-ani"),
            name="Ani Operator",
            role="operator",
            public_key=keys.public_bytes(operator_key.public_key()),
            valid_from=NOW - timedelta(days=30),
            valid_until=NOW + timedelta(days=365),
            issued_at=NOW - timedelta(days=30),
            cert_id=fixed_uuid("cert-ani"),
        )
        fields.update(overrides)
        authority = fields.pop("authority", self.authority)
        return issue_certificate(authority, **fields)


def proposal_payload(index: int) -> dict:
    return {
        "kind": "baru",
        "programme": "pkh",
        "household": {
            "kk_number": "3575030101900001",
            "address": "JL. PAHLAWAN NO. 7",
            "rt": "001",
            "rw": "002",
            "members": [{"nik": TEST_NIK, "name": TEST_NAME, "relation": "kepala"}],
        },
        "desil": 2,
        "note": f"usulan nomor {index}",
    }


def make_items(count: int = 2, *, sptjm: bool = False, payload=proposal_payload) -> list[BatchItem]:
    items = []
    for i in range(count):
        route = "sptjm" if sptjm and i == 0 else "muskel"
        items.append(
            BatchItem.create(item_id=fixed_uuid(f"item-{i}"), item_type="proposal", payload=payload(i), route=route)
        )
    return items
