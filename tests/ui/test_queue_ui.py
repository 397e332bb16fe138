"""Queueing from the screens puts the proposal in the outbox: what the operator queues can really leave."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.workflow import Action, State
from app.services import outbox
from app.services.proposals import get_proposal
from app.storage.sync_models import OutboxItem
from tests.ui.test_editor import Answers, _ready_proposal, editor_for


def _items(ctx) -> list[OutboxItem]:
    with ctx.reading() as session:
        return list(session.scalars(select(OutboxItem)))


def test_the_editors_queue_button_creates_the_outbox_item_that_will_be_sent(app_state, qtbot):
    proposal_id = _ready_proposal(app_state.ctx)
    editor = editor_for(app_state, qtbot, proposal_id, Answers(yes=True))
    editor.workflow.buttons[Action.QUEUE].click()
    assert get_proposal(app_state.ctx, proposal_id).proposal.state is State.QUEUED
    items = _items(app_state.ctx)
    assert [(i.proposal_id, i.state) for i in items] == [(proposal_id, "pending")]
    with app_state.ctx.reading() as session:
        from app.storage.models import Proposal

        # Frozen as Dinsos will receive it: the very payload the batch will carry.
        assert items[0].payload == outbox.payload_of(session.get(Proposal, proposal_id))
    assert items[0].payload["household"]["members"][0]["name"] == "SITI AMINAH"
