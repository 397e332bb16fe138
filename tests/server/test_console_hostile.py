"""The console (not in the OpenAPI schema, so not fuzzed by schemathesis) under hostile input: never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import hypothesis
import pytest
from hypothesis import HealthCheck
from hypothesis import strategies as st

from console_helpers import csrf, received, signed_in, staff

HOSTILE = st.one_of(
    st.text(max_size=80),  # any code point, NUL and surrogate-free included
    st.sampled_from(["\x00", "a\x00b", "9" * 40, "-1", "1e999999", "NaN", "../../etc/passwd", "%00", "' OR 1=1 --",
                     "\ud7ff" * 30, "x" * 5000]),
)
SETTINGS = hypothesis.settings(max_examples=40, deadline=None, database=None, derandomize=True,
                               suppress_health_check=list(HealthCheck))


@pytest.fixture
def console(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    item_ids = received(kelurahan, ["3575034708850001"])
    return signed_in(ctx, "vera"), item_ids[0]


def test_console_pages_and_forms_answer_no_5xx(console):
    client, item_id = console
    client.follow_redirects = False
    token = csrf(client, f"/console/items/{item_id}")

    @SETTINGS
    @hypothesis.given(value=HOSTILE, other=HOSTILE)
    def run(value, other):
        quoted = quote(value, safe="")
        answers = [
            client.get(f"/console/queue?category={quoted}&office={quote(other, safe='')}&offset={quoted}"),
            client.get(f"/console/queue?offset={quote(other, safe='')}"),
            client.get(f"/console/search?q={quoted}"),
            client.get(f"/console/items/{quoted or 'x'}"),
            client.get(f"/console/lang/{quoted or 'x'}?next={quote(other, safe='')}"),
            client.get(f"/console/static/{quoted or 'x'}"),
            client.post(f"/console/items/{quoted or 'x'}/decide",
                        data={"csrf": token, "action": other, "reason": value, "expected_state": value}),
            client.post(f"/console/items/{item_id}/decide",
                        data={"csrf": token, "action": "return", "reason": value, "expected_state": other}),
            client.post("/console/bulk", data={"csrf": token, "action": value, "item": [f"{item_id}|{other}", value],
                                               "reason": other}),
        ]
        for response in answers:
            assert response.status_code < 500, (response.request.method, response.request.url, response.status_code)

    run()
    # Found by this test on PostgreSQL: a long office id went into the audit subject (VARCHAR(80)): 500.
    assert client.get("/console/queue?office=" + "x" * 5000).status_code == 200
