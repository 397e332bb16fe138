"""Status feed: signed pages applied through the workflow from the stored cursor; forged pages refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.services import outbox, status_feed, sync
from app.storage.models import Proposal, ProposalTransition
from app.storage.sync_models import StatusRecord, SyncLink
from app.sync import keys
from app.sync.errors import StatusRejected
from app.sync.status import StatusReason
from tests.fakes.sync_world import queue_ready


@pytest.fixture
def delivered(linked, dinsos):
    ids = queue_ready(linked, 61, 62)
    outbox.build_batches(linked)
    sync.send_pending(linked, dinsos, now=utcnow())
    return ids


def _state(ctx, pid) -> str:
    with ctx.reading() as session:
        return session.get(Proposal, pid).state


def _cursor(ctx) -> int:
    with ctx.reading() as session:
        return session.get(SyncLink, 1).status_cursor


def test_statuses_move_proposals_through_the_workflow(linked, dinsos, delivered):
    done, back = delivered
    for state in ("verified", "finalised", "approved", "forwarded"):
        dinsos.decide(done, state)
    dinsos.decide(back, "returned", [StatusReason("foto_buram", "Foto rumah buram.")])
    report = status_feed.pull_statuses(linked, dinsos)
    assert (report.applied, report.not_applied, report.cursor) == (5, [], 5)
    assert _state(linked, done) == "forwarded" and _state(linked, back) == "returned"
    with linked.reading() as session:
        last = session.scalars(select(ProposalTransition).where(ProposalTransition.proposal_id == back)
                               .order_by(ProposalTransition.id.desc())).first()
        assert (last.action, last.actor) == ("return", "dinsos")
        assert "Foto rumah buram." in last.reason and last.data["reasons"][0]["code"] == "foto_buram"
        assert session.get(Proposal, back).assigned_to == linked.operator_id
        assert len(session.scalars(select(StatusRecord)).all()) == 5
    assert _cursor(linked) == 5


def test_a_page_signed_by_another_key_is_refused_and_changes_nothing(linked, dinsos, delivered):
    dinsos.decide(delivered[0], "verified")
    dinsos.server = keys.generate_ed25519()
    dinsos.statuses.clear()
    dinsos.cursor = 0
    dinsos.decide(delivered[0], "verified")
    with pytest.raises(StatusRejected) as caught:
        status_feed.pull_statuses(linked, dinsos)
    assert caught.value.reason == "bad_signature"
    assert _state(linked, delivered[0]) == "received" and _cursor(linked) == 0


def test_a_page_that_does_not_continue_from_the_cursor_is_refused(linked, dinsos, delivered):
    dinsos.decide(delivered[0], "verified")
    status_feed.pull_statuses(linked, dinsos)
    dinsos.decide(delivered[1], "verified")
    real = dinsos.get_statuses
    dinsos.get_statuses = lambda office_id, after, token: real(office_id, 0, token)  # an old page replayed
    with pytest.raises(StatusRejected) as caught:
        status_feed.pull_statuses(linked, dinsos)
    assert caught.value.reason == "cursor_mismatch"
    assert _state(linked, delivered[1]) == "received" and _cursor(linked) == 1


def test_a_status_the_workflow_cannot_take_is_kept_and_the_feed_moves_on(linked, dinsos, delivered):
    dinsos.decide(delivered[0], "finalised")  # finalised before verified: no such step
    dinsos.decide(delivered[1], "verified")
    report = status_feed.pull_statuses(linked, dinsos)
    assert report.not_applied == [1] and report.applied == 1 and _cursor(linked) == 2
    assert _state(linked, delivered[0]) == "received"
    with linked.reading() as session:
        assert session.get(StatusRecord, 1).applied is False


def test_a_page_that_is_not_a_status_page_is_refused(linked, dinsos, delivered):
    dinsos.get_statuses = lambda office_id, after, token: {"format": "usulkan-status-page"}
    with pytest.raises(StatusRejected) as caught:
        status_feed.pull_statuses(linked, dinsos)
    assert caught.value.reason == "bad_format" and _cursor(linked) == 0
