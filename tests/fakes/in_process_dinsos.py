"""The real Dinsos server's bind and ingest called in the test's own process, answering as HttpTransport would."""

from __future__ import annotations

import json

from app.server import errors as server_errors
from app.server.context import ServerContext
from app.server.ingest import HELD, ingest
from app.server.provisioning import bind_office, register_office
from app.services import keys as office_keys
from app.services import provisioning
from app.sync.errors import SyncError
from app.sync.transport_http import BatchRefused, ServerUnreachable


class InProcessDinsos:
    """The real server's bind and ingest called in-process, answering as HttpTransport would.

    ``fail`` makes the next post fail like a broken connection: ``"before_commit"`` (the request
    never reached the server) or ``"after_commit"`` (the server stored the batch, the reply was lost).
    """

    def __init__(self, ctx: ServerContext):
        self.ctx = ctx
        self.fail: str | None = None
        self.posts = 0

    def bind(self, office_id: str, request: bytes) -> bytes:
        return bind_office(self.ctx, office_id, bytes(request))

    def post_batch(self, sealed: bytes) -> dict:
        self.posts += 1
        fail, self.fail = self.fail, None
        if fail == "before_commit":
            raise ServerUnreachable()
        try:
            result = ingest(self.ctx, sealed, source="http")
        except (SyncError, server_errors.ServerError) as err:  # the HTTP layer's error answers
            raise BatchRefused(getattr(err, "reason", "error"), err.message()) from err
        if result.outcome == HELD:
            raise BatchRefused("gap", "held", 202)
        if fail == "after_commit":
            raise ServerUnreachable()
        return json.loads(result.receipt)


def link_to_server(server: ServerContext, lurah_ctx, operator_ctx, transport_type=InProcessDinsos):
    """Register the kelurahan at Dinsos, provision and bind the office, certify its operator."""
    document = register_office(server, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    transport = transport_type(server)
    provisioning.import_provisioning(lurah_ctx, document)
    provisioning.bind(lurah_ctx, transport)
    office_keys.certify_operator(lurah_ctx, operator_ctx.operator_id)
    return transport
