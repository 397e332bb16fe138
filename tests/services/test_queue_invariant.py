"""Walk every (state, action, actor) of the workflow table through the public services.

After every attempt, taken or refused, the office holds the invariant the send queue rests on:
every proposal in a queued-or-later state has exactly one outbox item, frozen from that very
version, and no proposal that never was queued has one.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.domain import workflow
from app.domain.errors import DomainError
from app.errors import UsulkanError
from app.services import attachments, muskel, outbox, proposal_io, proposals
from app.storage.models import Proposal, ProposalTransition
from app.storage.sync_models import OutboxItem
from tests import factories
from tests.fakes.sync_world import nik

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S, A, K = workflow.State, workflow.Action, workflow.ProposalKind
# States a proposal only reaches by being queued first.
AROUND = "through apply_action"  # a QUEUE attempt that bypasses the outbox
AFTER_QUEUE = {S.QUEUED, S.SENT, S.RECEIVED, S.VERIFIED, S.RETURNED, S.FINALISED, S.APPROVED, S.FORWARDED}


def was_queued(session, row: Proposal) -> bool:
    return session.scalar(select(ProposalTransition.id).where(
        ProposalTransition.proposal_id == row.id, ProposalTransition.to_state == S.QUEUED.value,
    ).limit(1)) is not None


def assert_invariant(ctx) -> None:
    with ctx.reading() as session:
        items: dict[str, list[OutboxItem]] = {}
        for item in session.scalars(select(OutboxItem)):
            items.setdefault(item.proposal_id, []).append(item)
        for row in session.scalars(select(Proposal)):
            queued = S(row.state) in AFTER_QUEUE or was_queued(session, row)
            if S(row.state) in AFTER_QUEUE:
                assert was_queued(session, row), f"{row.state} without ever being queued"
            mine = items.get(row.id, [])
            if queued:
                assert len(mine) == 1, f"{row.kind} in {row.state} v{row.version} has {len(mine)} outbox items"
                # Of that version: the payload is this row's, frozen (the row cannot change once queued).
                assert mine[0].payload == outbox.payload_of(row)
            else:
                assert mine == [], f"{row.kind} in {row.state} was never queued but has an outbox item"


class Walker:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.serial = itertools.count(1)

    def new(self, kind: K) -> str:
        n = next(self.serial)
        data = factories.household_with([nik(n)], kk=f"35750312031{n:05d}")
        data["kind"] = kind.value
        if kind is K.PEMBARUAN:
            data["programmes"] = []
            data["changes"] = [{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}]
        if kind is K.SANGGAHAN:
            data["programmes"] = []
            data["objection"] = {"subject_nik": nik(n), "reason": "mampu"}
        return proposals.add_proposal(
            self.ctx, proposal_io.proposal_from_dict(data), confirmed_warnings={"nik_outside_office_region"}
        ).id

    def take(self, pid: str, action: A, actor: workflow.Actor, decision: str | None) -> str:
        """One attempt through the service a person (or the sync) would use; returns the id that moved on."""
        ctx = self.ctx
        if action is A.QUEUE and decision == AROUND:
            # The door the editor used to take: apply_action must refuse QUEUE for anyone.
            return proposals.apply_action(ctx, pid, action).id
        if action is A.QUEUE:
            return outbox.queue_proposal(ctx, pid).id
        if action is A.REVISE and actor is workflow.Actor.OFFICE:
            proposals.new_version(ctx, pid)
            return pid
        if action is A.RECORD_MUSKEL_DECISION and actor is workflow.Actor.OFFICE:
            muskel.record_decisions(ctx, {pid: decision}, "berita-acara.pdf", PDF)
            return pid
        data: dict = {"reason": "alasan uji"}
        if decision is not None:
            data[workflow.DECISION] = decision
        if action is A.RECORD_MUSKEL_DECISION:
            data[workflow.MINUTES] = attachments.attach_to_proposal(
                ctx, pid, kind="muskel_minutes", filename="ba.pdf", data=PDF).id
        if action is A.RECORD_SPTJM:
            data[workflow.SPTJM_DOCUMENT] = attachments.attach_to_proposal(
                ctx, pid, kind="sptjm", filename="sptjm.pdf", data=PDF).id
        if action is A.RECORD_GROUND_CHECK:
            data[workflow.GROUND_CHECK_RESULT] = "cek-lapangan-1"
        # Who acts is who is signed in (issue 10): the office's steps are the operator's, the Lurah's
        # need her approval, the sync worker's and Dinsos's come only through their own door.
        if actor in proposals.MACHINE_ACTORS:
            factories.machine_step(ctx, pid, action, actor, data=data)
            return pid
        if actor is workflow.Actor.LURAH and action in proposals.AUTHORITY_STEPS:
            approval = factories.approve(ctx, proposals.AUTHORITY_STEPS[action], pid)
            return proposals.apply_action(ctx, pid, action, data=data, confirmation=approval).id
        return proposals.apply_action(ctx, pid, action, data=data).id

    @staticmethod
    def attempts(state: S, kind: K):
        for action in A:
            for actor in workflow.Actor:
                choices = workflow.decisions(state, kind, action) or [None]
                if action is A.QUEUE:
                    choices = [AROUND, None]
                for decision in choices:
                    yield action, actor, decision

    def state_of(self, pid: str) -> S:
        with self.ctx.reading() as session:
            return S(session.get(Proposal, pid).state)


@pytest.mark.parametrize("kind", list(K))
def test_every_step_of_the_table_keeps_queued_and_outbox_together(office, kind):
    walker = Walker(office)
    paths: dict[S, list] = {S.DRAFT: []}
    frontier = [S.DRAFT]
    taken: set[tuple] = set()
    while frontier:
        state = frontier.pop(0)
        pid = None
        for action, actor, decision in walker.attempts(state, kind):
            if pid is None:
                pid = walker.new(kind)
                for step in paths[state]:
                    walker.take(pid, *step)
                assert walker.state_of(pid) is state
            try:
                walker.take(pid, action, actor, decision)
            except (DomainError, UsulkanError):
                assert walker.state_of(pid) is state, f"a refused {action.value} moved the proposal"
                assert_invariant(office)
                continue
            assert not (action is A.QUEUE and decision == AROUND), "QUEUE taken around the outbox"
            taken.add((state, action))
            after = walker.state_of(pid)
            assert_invariant(office)
            if after not in paths:
                paths[after] = [*paths[state], (action, actor, decision)]
                frontier.append(after)
            pid = None  # this one moved on: the next attempt starts from a fresh proposal
    expected = {(r.from_state, r.action) for r in workflow.TABLE if kind in r.kinds}
    assert taken == expected, f"steps of the table never taken: {expected - taken}; extra: {taken - expected}"
    assert S.QUEUED in paths and S.SUPERSEDED in paths


def test_the_demo_office_holds_the_invariant_and_its_queued_ones_will_really_go(tmp_path, fast_kdf):
    from app.services import demo, office

    created = demo.create_demo_office(tmp_path / "demo", per_state=1, kdf=fast_kdf)
    ctx = office.open_office(tmp_path / "demo", created.operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        assert_invariant(ctx)
        with ctx.reading() as session:
            queued = set(session.scalars(select(Proposal.id).where(Proposal.state == "queued")))
            pending = {i.proposal_id for i in outbox._still_queued(session)}
        assert queued and pending == queued  # the demo's own history (sent, ...) is not sent again
    finally:
        ctx.close()
