"""GET /v1/offices/{id}/dtsen?after=VERSION: the DTSEN packages an office needs, opened with its feed token."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at runtime.

from typing import Annotated

from fastapi import APIRouter, Header, Query

from app.server import dtsen, provisioning
from app.server.context import ServerContext
from app.server.errors import NotAuthenticated
from app.server.sync_state import _bearer

MAX_VERSION = 2**31 - 1


def dtsen_router(ctx: ServerContext) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/offices/{office_id}/dtsen",
                responses={200: {"description": "the sealed usulkan-dtsen packages after `after`, in order"}})
    def get_dtsen(office_id: str, after: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
                  authorization: Annotated[str | None, Header()] = None) -> dict:
        with ctx.reading() as session:
            office = provisioning.office_for_feed_token(session, office_id, _bearer(authorization))
        if office is None:
            raise NotAuthenticated()
        return dtsen.packages_after(ctx, office_id, after)

    return router
