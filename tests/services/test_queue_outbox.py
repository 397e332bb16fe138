"""QUEUE exists only with its outbox item: one service takes the step, every other door refuses it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain import workflow
from app.services import outbox, proposals
from app.storage.models import Proposal, ProposalTransition
from app.storage.sync_models import OutboxItem
from tests.fakes.sync_world import ready_proposal


def _count(ctx, model) -> int:
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_apply_action_refuses_queue_and_changes_nothing(office):
    pid = ready_proposal(office, 61)
    transitions = _count(office, ProposalTransition)
    with pytest.raises(proposals.QueueOnlyThroughOutbox) as info:
        proposals.apply_action(office, pid, workflow.Action.QUEUE)
    # Said in Indonesian, naming the way that works.
    assert "antrean kirim" in info.value.message()
    with office.reading() as session:
        assert session.get(Proposal, pid).state == "ready"
    assert _count(office, ProposalTransition) == transitions
    assert _count(office, OutboxItem) == 0


def test_step_in_refuses_queue_inside_a_callers_transaction(office):
    pid = ready_proposal(office, 62)
    with pytest.raises(proposals.QueueOnlyThroughOutbox):
        with office.transaction() as session:
            proposals.step_in(office, session, session.get(Proposal, pid), workflow.Action.QUEUE)
    with office.reading() as session:
        assert session.get(Proposal, pid).state == "ready"


def test_queue_by_tracking_code_queues_the_newest_version_with_its_item(office):
    pid = ready_proposal(office, 63)
    with office.reading() as session:
        code = session.get(Proposal, pid).tracking_code
    summary = outbox.queue_proposal(office, code.lower())
    assert summary.id == pid and summary.state == "queued"
    with office.reading() as session:
        assert session.scalars(select(OutboxItem.proposal_id)).all() == [pid]


def test_queueing_twice_is_refused_and_leaves_one_item(office):
    pid = ready_proposal(office, 64)
    outbox.queue_proposal(office, pid)
    with pytest.raises(workflow.IllegalTransition):
        outbox.queue_proposal(office, pid)
    assert _count(office, OutboxItem) == 1


def test_queueing_several_is_all_or_nothing(office):
    ready = ready_proposal(office, 65)
    draft = proposals.add_proposal(office, proposals_draft(66)).id
    with pytest.raises(workflow.IllegalTransition):
        outbox.queue_proposals(office, [ready, draft])
    with office.reading() as session:
        assert session.get(Proposal, ready).state == "ready"
    assert _count(office, OutboxItem) == 0
    assert [s.state for s in outbox.queue_proposals(office, [ready])] == ["queued"]


def proposals_draft(n: int):
    from app.services import proposal_io
    from tests.fakes.sync_world import nik
    from tests import factories

    return proposal_io.proposal_from_dict(factories.household_with([nik(n)]))


def test_only_a_first_draft_changes_its_kind(office):
    from app.services import proposal_io
    from tests import factories

    def as_pembaruan(n: int):
        data = factories.household_with([nik_of(n)], kk=f"35750312031{n:05d}")
        data.update(kind="pembaruan", programmes=[],
                    changes=[{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}])
        return proposal_io.proposal_from_dict(data)

    draft = proposals.add_proposal(office, proposals_draft(71))
    proposals.update_proposal(office, draft.id, as_pembaruan(71))  # the editor's "Jadikan usulan pembaruan"
    with office.reading() as session:
        assert session.get(Proposal, draft.id).kind == "pembaruan"

    in_muskel = proposals.add_proposal(office, proposals_draft(72))
    proposals.apply_action(office, in_muskel.id, workflow.Action.SEND_TO_MUSKEL)
    with pytest.raises(proposals.KindLocked) as info:
        proposals.update_proposal(office, in_muskel.id, as_pembaruan(72))
    assert "Jenis usulan ini tidak bisa diubah" in info.value.message()
    with office.reading() as session:
        assert session.get(Proposal, in_muskel.id).kind == "baru"


def nik_of(n: int) -> str:
    from tests.fakes.sync_world import nik

    return nik(n)
