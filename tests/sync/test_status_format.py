"""Status updates and pages: signed by the server key, for one office, continuing from the office's cursor."""

from __future__ import annotations

import dataclasses

import pytest

from app.sync.canonical import canonical_bytes
from app.sync.errors import StatusRejected
from app.sync.status import (
    StatusPage,
    StatusReason,
    StatusUpdate,
    issue_status,
    issue_status_page,
    verify_status,
    verify_status_page,
)
from sync_fixtures import NOW, ed25519, fixed_uuid


def update(world, cursor: int, *, server=None, office_id=None, state="returned") -> StatusUpdate:
    return issue_status(
        server or world.server,
        feed_cursor=cursor,
        office_id=office_id or world.office_id,
        item_id=fixed_uuid(f"item-{cursor}"),
        state=state,
        decided_by_role="dinsos_verifier",
        decided_at=NOW,
        tracking_code=f"USL-2026-{cursor:05d}",
        reasons=[StatusReason("desil_mismatch", "Desil rumah tangga tidak sesuai dengan DTSEN.")],
    )


def reason_of(call) -> str:
    with pytest.raises(StatusRejected) as err:
        call()
    return err.value.reason


def test_update_round_trips_and_verifies(world):
    u = update(world, 3)
    assert StatusUpdate.from_bytes(u.to_bytes()) == u
    verify_status(u, world.server.public_key(), office_id=world.office_id)
    assert reason_of(lambda: verify_status(u, world.server.public_key(), office_id=fixed_uuid("x"))) == "wrong_office"
    wrong_key = world.authority.public_key()
    assert reason_of(lambda: verify_status(u, wrong_key, office_id=world.office_id)) == "bad_signature"
    altered = dataclasses.replace(u, state="approved")
    assert reason_of(lambda: verify_status(altered, world.server.public_key(), office_id=world.office_id)) == (
        "bad_signature"
    )


def test_unknown_state_is_refused(world):
    with pytest.raises(StatusRejected):
        update(world, 1, state="lost")


def test_page_round_trips_and_verifies(world):
    page = issue_status_page(world.server, office_id=world.office_id, cursor_from=2, cursor_to=9,
                             updates=[update(world, 3), update(world, 7, state="finalised")])
    again = StatusPage.from_bytes(page.to_bytes())
    assert again == page
    verify_status_page(again, world.server.public_key(), office_id=world.office_id, after_cursor=2)


def test_page_that_does_not_continue_from_the_office_cursor(world):
    page = issue_status_page(world.server, office_id=world.office_id, cursor_from=2, cursor_to=3,
                             updates=[update(world, 3)])
    for after in (0, 3):
        assert reason_of(lambda: verify_status_page(page, world.server.public_key(), office_id=world.office_id,
                                                    after_cursor=after)) == "cursor_mismatch"


def test_page_with_a_dropped_update_or_a_foreign_update(world):
    page = issue_status_page(world.server, office_id=world.office_id, cursor_from=0, cursor_to=9,
                             updates=[update(world, 3), update(world, 7)])
    dropped = dataclasses.replace(page, updates=page.updates[:1])
    assert reason_of(lambda: verify_status_page(dropped, world.server.public_key(), office_id=world.office_id,
                                                after_cursor=0)) == "bad_signature"
    foreign = issue_status_page(world.server, office_id=world.office_id, cursor_from=0, cursor_to=9,
                                updates=[update(world, 3, office_id=fixed_uuid("other office"))])
    assert reason_of(lambda: verify_status_page(foreign, world.server.public_key(), office_id=world.office_id,
                                                after_cursor=0)) == "wrong_office"
    inner_forged = issue_status_page(world.server, office_id=world.office_id, cursor_from=0, cursor_to=9,
                                     updates=[update(world, 3, server=ed25519("impostor"))])
    assert reason_of(lambda: verify_status_page(inner_forged, world.server.public_key(), office_id=world.office_id,
                                                after_cursor=0)) == "bad_signature"


@pytest.mark.parametrize("cursors,cursor_to", [([3, 3], 9), ([7, 3], 9), ([3, 10], 9), ([2], 9)])
def test_page_cursors_must_increase_inside_the_range(world, cursors, cursor_to):
    with pytest.raises(StatusRejected) as err:
        issue_status_page(world.server, office_id=world.office_id, cursor_from=2, cursor_to=cursor_to,
                          updates=[update(world, c) for c in cursors])
    assert err.value.reason == "bad_format"


def test_malformed_status_bytes(world):
    u = update(world, 1)
    for bad in (b"[]", canonical_bytes(u.to_dict() | {"reasons": [{"code": "X Y", "text": "t"}]})):
        with pytest.raises(StatusRejected):
            StatusUpdate.from_bytes(bad)
