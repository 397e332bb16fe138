"""schemathesis against the server's own OpenAPI schema, signed in as staff: no answer is a 5xx (bounded run)."""

from __future__ import annotations

import os

import hypothesis
import hypothesis.errors
import pytest
from hypothesis import HealthCheck, Phase

import schemathesis
from app.server import auth
from app.server.app import create_app
from bench.server_world import nik
from schemathesis.generation.modes import GenerationMode

pytestmark = pytest.mark.fuzz
PASSWORD = "rahasia-dinsos-123"
# Small on purpose: every operation, both modes, a few minutes at most on two shared cores.
EXAMPLES = int(os.environ.get("USULKAN_FUZZ_EXAMPLES", "60"))
SETTINGS = hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                               phases=[Phase.explicit, Phase.generate],
                               suppress_health_check=list(HealthCheck))
SIGNED_OUT = ("/v1/review/logout",)  # would end the session every later case signs in with


@pytest.fixture
def world(ctx):
    """A server with an admin, a bound kelurahan and one received proposal (so ids lead somewhere)."""
    from bench.server_world import enrol

    app = create_app(context=ctx)
    auth.add_staff(ctx, username="adi", password=PASSWORD, role="admin")
    kel = enrol(ctx, "a")
    sealed, _, signed = kel.batch(kel.items([nik(1)]))
    from app.server.ingest import ingest

    ingest(ctx, sealed, source="test")
    token = auth.login(ctx, "adi", PASSWORD)
    return app, {"Authorization": f"Bearer {token}"}, kel, signed.items[0].item_id


def _headers(case, staff: dict, kel) -> dict:
    if case.path in SIGNED_OUT:
        return {}
    if case.path.startswith("/v1/offices/"):
        return {"Authorization": f"Bearer {kel.feed_token}"}
    return staff


def _no_5xx(case, response) -> None:
    assert response.status_code < 500, (f"{case.method} {case.formatted_path} -> {response.status_code}\n"
                                        f"{case.as_curl_command()}\n{response.text[:500]}")


def test_every_operation_answers_4xx_not_5xx(world):
    app, staff, kel, _item = world
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, [op.label for op in operations]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @SETTINGS
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                _no_5xx(case, case.call(headers=_headers(case, staff, kel)))

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                # No parameters and no body (GET /healthz): nothing to make invalid.
                assert mode is GenerationMode.NEGATIVE, operation.label


def test_stateful_links_answer_no_5xx(world):
    app, staff, kel, _item = world
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    base = schema.as_state_machine()

    class Machine(base):
        def get_call_kwargs(self, case):
            return {"headers": _headers(case, staff, kel)}

        def validate_response(self, response, case, **kwargs):
            _no_5xx(case, response)

    Machine.run(settings=hypothesis.settings(SETTINGS, max_examples=25, stateful_step_count=8))
