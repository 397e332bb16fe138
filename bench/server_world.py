"""A registered, bound kelurahan that builds and seals batches: shared by the server tests and the benches."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.server.context import ServerContext
from app.server.provisioning import bind_office, register_office
from app.sync import keys
from app.sync.batch import BatchItem, batch_hash, build_batch
from app.sync.canonical import ZERO_HASH
from app.sync.certificates import issue_certificate
from app.sync.envelope import seal

NOW = datetime(2026, 3, 2, 3, 4, 5, tzinfo=UTC)


def det_uuid(name: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(name.encode()).digest()[:16], version=4))


def nik(n: int) -> str:
    """A made-up, well-formed NIK (Kota Pasuruan, born 01-01-90) numbered ``n``."""
    return f"357503010190{n:04d}"


def proposal(nik_value: str, index: int = 0, *, kind: str = "baru") -> dict:
    return {
        "kind": kind,
        "programme": "pkh",
        "tracking_code": f"USL-{index:06d}",
        "household": {
            "kk_number": "3575030101900001",
            "address": "JL. PAHLAWAN NO. 7",
            "rt": "001",
            "rw": "002",
            "members": [{"nik": nik_value, "name": "SITI AMINAH", "relationship": "kepala_keluarga"}],
        },
        "desil": 2,
    }


@dataclass
class Kelurahan:
    ctx: ServerContext
    office_id: str
    authority: object
    operator: object
    cert: object
    feed_token: str
    sequence: int = 0
    prev: str = ZERO_HASH
    tag: str = "a"
    counter: int = field(default=0)

    def certify(self, operator, **overrides):
        fields = dict(
            office_id=self.office_id, operator_id=det_uuid(f"{self.tag}-operator"), name="Ani Operator",
            role="operator", public_key=keys.public_bytes(operator.public_key()),
            valid_from=NOW - timedelta(days=30), valid_until=NOW + timedelta(days=365),
            issued_at=NOW - timedelta(days=30), cert_id=str(uuid.uuid4()),
        )
        fields.update(overrides)
        return issue_certificate(self.authority, **fields)

    def items(self, niks: list[str], *, item_type: str = "proposal") -> list[BatchItem]:
        out = []
        for value in niks:
            self.counter += 1
            out.append(BatchItem.create(item_id=str(uuid.uuid4()), item_type=item_type,
                                        payload=proposal(value, self.counter), route="muskel"))
        return out

    def batch(self, items=None, *, sequence=None, prev=None, cert=None, signer=None, created_at=NOW,
              advance=True, batch_id=None):
        """(sealed bytes, batch hash, signed batch); advances the office's chain unless told not to."""
        sequence = self.sequence + 1 if sequence is None else sequence
        prev = self.prev if prev is None else prev
        signed = build_batch(
            office_id=self.office_id, sequence=sequence, prev_batch_hash=prev,
            operator_certificate=cert or self.cert, items=items or self.items([nik(self.counter + 1)]),
            created_at=created_at, batch_id=batch_id,
        ).sign_operator(signer or self.operator)
        data = signed.to_bytes()
        sealed = seal(data, keys.public_bytes(self.ctx.keys.x25519.public_key()),
                      batch_id=signed.batch_id, office_id=self.office_id)
        digest = batch_hash(data)
        if advance:
            self.sequence, self.prev = sequence, digest
        return sealed, digest, signed


def sealed_bind_request(ctx: ServerContext, office_id: str, code: str, authority, *, signed_at=None
                        ) -> tuple[bytes, str]:
    """(the sealed bind request an office would send, the feed token inside it)."""
    import secrets

    from app.sync.bind import make_bind_request

    token = secrets.token_urlsafe(32)
    sealed = make_bind_request(keys.as_signer(authority), office_id=office_id, enrolment_code=code, feed_token=token,
                               signed_at=signed_at or NOW, dinsos_x25519_public=ctx.keys.x25519.public_key())
    return sealed, token


def enrol(ctx: ServerContext, tag: str = "a", *, village: str = "35.75.03.1009") -> Kelurahan:
    registered = register_office(ctx, name=f"Kelurahan {tag}", village_code=village)
    authority = keys.generate_ed25519()
    request, feed_token = sealed_bind_request(ctx, registered.office_id, registered.document["enrolment_code"],
                                              authority)
    bind_office(ctx, registered.office_id, request)
    operator = keys.generate_ed25519()
    kel = Kelurahan(ctx, registered.office_id, authority, operator, None, feed_token, tag=tag)
    kel.cert = kel.certify(operator)
    return kel
