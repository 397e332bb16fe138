"""GET /v1/offices/{id}/sync-state: what Dinsos holds of an office's chain, for an office restored from a backup."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at runtime.

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sqlalchemy import select

from app.server import provisioning
from app.server.context import ServerContext
from app.server.errors import NotAuthenticated
from app.server.models import Batch, Office

# Receipts per answer: an office asks again with ``after`` set to the last sequence it got.
PAGE = 500


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def sync_state(ctx: ServerContext, office_id: str, after: int, limit: int = PAGE) -> dict:
    """The last accepted sequence and batch hash, and the stored signed receipts after ``after``.

    Every receipt is the one the office got (or should have got) for that batch, signed by the
    server key: the office checks each, so this answer needs no signature of its own.
    """
    with ctx.reading() as session:
        office = session.get(Office, office_id)
        rows = session.execute(
            select(Batch.sequence, Batch.receipt).where(Batch.office_id == office_id, Batch.sequence > after)
            .order_by(Batch.sequence).limit(limit)
        ).all()
        return {
            "format": "usulkan-sync-state",
            "office_id": office_id,
            "last_sequence": office.last_sequence,
            "last_batch_hash": office.last_batch_hash,
            "receipts": [json.loads(bytes(receipt)) for _seq, receipt in rows],
            "more": len(rows) == limit,
        }


def sync_state_router(ctx: ServerContext) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/offices/{office_id}/sync-state",
                responses={200: {"description": "last sequence, batch hash and the signed receipts after `after`"}})
    def get_sync_state(office_id: str, after: Annotated[int, Query(ge=0)] = 0,
                       limit: Annotated[int, Query(ge=1, le=PAGE)] = PAGE,
                       authorization: Annotated[str | None, Header()] = None) -> dict:
        with ctx.reading() as session:
            office = provisioning.office_for_feed_token(session, office_id, _bearer(authorization))
        if office is None:
            raise NotAuthenticated()
        return sync_state(ctx, office_id, after, limit)

    return router
