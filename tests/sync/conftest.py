"""Fixtures of the sync tests: one office with a certified operator, and a batch factory."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.sync import keys
from app.sync.batch import PartlySignedBatch, build_batch
from app.sync.canonical import ZERO_HASH
from sync_fixtures import NOW, World, ed25519, fixed_uuid, make_items, seed


@pytest.fixture
def world() -> World:
    operator = ed25519("operator")
    w = World(
        office_id=fixed_uuid("office-bugul-kidul"),
        authority=ed25519("lurah authority"),
        other_authority=ed25519("another kelurahan's authority"),
        operator=operator,
        cert=None,  # type: ignore[arg-type]
        server=ed25519("dinsos server"),
        root=ed25519("dinsos root"),
        dinsos_x25519=keys.x25519_private_from_bytes(seed("dinsos x25519")),
    )
    w.cert = w.certify(operator)
    return w


@pytest.fixture
def make_signed(world):
    """Build, sign and (when SPTJM needs it) countersign a batch of ``world``'s office."""

    def make(
        *,
        sequence: int = 1,
        prev: str = ZERO_HASH,
        items=None,
        sptjm: bool = False,
        cert=None,
        signer=None,
        countersigner=None,
        countersign: bool = True,
        created_at: datetime = NOW,
        batch_id: str | None = None,
    ) -> PartlySignedBatch:
        unsigned = build_batch(
            office_id=world.office_id,
            sequence=sequence,
            prev_batch_hash=prev,
            operator_certificate=cert or world.cert,
            items=items if items is not None else make_items(sptjm=sptjm),
            created_at=created_at,
            batch_id=batch_id or fixed_uuid(f"batch-{sequence}"),
        )
        signed = unsigned.sign_operator(signer or world.operator)
        if countersign and signed.needs_countersignature:
            signed = signed.countersign(countersigner or world.authority)
        return signed

    return make
