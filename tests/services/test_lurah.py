"""Who acts is who signed in: the Lurah's steps need a LurahConfirmation minted by services/lurah.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain import workflow
from app.services import lurah, proposals
from app.services.office import open_office
from app.storage.models import AuditEntry, ProposalTransition
from app.storage.models import Proposal as ProposalRow
from app.storage.vault import WrongPassphrase
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.fakes.sync_world import waiting_for_sptjm


@pytest.fixture
def lurah_ctx(created_office, office):
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    yield ctx
    ctx.close()


def state_of(ctx, pid: str) -> str:
    with ctx.reading() as session:
        return session.get(ProposalRow, pid).state


def sptjm_steps(ctx, pid: str) -> list[tuple[str, str | None]]:
    with ctx.reading() as session:
        rows = session.scalars(select(ProposalTransition).where(
            ProposalTransition.proposal_id == pid, ProposalTransition.action == "record_sptjm"))
        return [(row.actor, row.operator_id) for row in rows]


def test_an_operator_cannot_record_the_lurahs_sptjm_through_any_service_path(office, lurah_ctx, created_office):
    pid, doc = waiting_for_sptjm(office)
    other, _ = waiting_for_sptjm(office, 2)
    data = {"sptjm_attachment_id": doc}
    forged_fields = dict(lurah_id=created_office[1].lurah_id, lurah_name="Bapak Lurah", office_id=office.office_id,
                         purpose=lurah.Purpose.SPTJM, subject=pid, confirmed_at=office.clock(), with_totp=False)

    def as_argument():  # what the operator did: name the Lurah as actor
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, actor=workflow.Actor.LURAH, data=data)

    def plain():
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data)

    def inside_a_transaction():
        with office.transaction() as session:
            proposals.step_in(office, session, session.get(ProposalRow, pid), workflow.Action.RECORD_SPTJM,
                              actor=workflow.Actor.LURAH, data=data)

    def unlabelled_step_in():
        with office.transaction() as session:
            proposals.step_in(office, session, session.get(ProposalRow, pid), workflow.Action.RECORD_SPTJM, data=data)

    def forged_confirmation():
        fake = lurah.LurahConfirmation(**forged_fields, _token=object())
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=fake)

    def confirmation_built_around_the_mint():
        fake = object.__new__(lurah.LurahConfirmation)
        for name, value in forged_fields.items():
            object.__setattr__(fake, name, value)
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=fake)

    def own_passphrase_as_the_lurahs():
        approval = lurah.confirm(office, OPERATOR_PASS, purpose=lurah.Purpose.SPTJM, subject=pid)
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=approval)

    def the_lurahs_approval_of_another_step():
        approval = lurah.confirm(office, LURAH_PASS, purpose=lurah.Purpose.REVOKE, subject=pid)
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=approval)

    def the_lurahs_approval_of_another_proposal():
        approval = lurah.confirm(office, LURAH_PASS, purpose=lurah.Purpose.SPTJM, subject=other)
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=approval)

    def the_lurahs_approval_from_her_own_session():
        approval = lurah.confirm(lurah_ctx, LURAH_PASS, purpose=lurah.Purpose.SPTJM, subject=pid)
        proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, data=data, confirmation=approval)

    attacks = [as_argument, plain, inside_a_transaction, unlabelled_step_in, forged_confirmation,
               confirmation_built_around_the_mint, own_passphrase_as_the_lurahs, the_lurahs_approval_of_another_step,
               the_lurahs_approval_of_another_proposal, the_lurahs_approval_from_her_own_session]
    refused = []
    for attack in attacks:
        try:
            attack()
        except Exception as error:  # noqa: BLE001 - each path must refuse; which error is checked below
            refused.append((attack.__name__, type(error).__name__))
        assert state_of(office, pid) == "sptjm", f"{attack.__name__} recorded the Lurah's SPTJM"
        assert sptjm_steps(office, pid) == []
    assert [name for name, _ in refused] == [a.__name__ for a in attacks]
    assert dict(refused)["own_passphrase_as_the_lurahs"] == "WrongPassphrase"
    for name in ("forged_confirmation", "confirmation_built_around_the_mint", "the_lurahs_approval_of_another_step",
                 "the_lurahs_approval_of_another_proposal", "the_lurahs_approval_from_her_own_session"):
        assert dict(refused)[name] == "ConfirmationRefused", name


def test_the_lurah_approving_at_the_operators_desk_is_recorded_as_the_lurah(office, created_office):
    lurah_id = created_office[1].lurah_id
    pid, doc = waiting_for_sptjm(office)
    approval = lurah.confirm(office, LURAH_PASS, purpose=lurah.Purpose.SPTJM, subject=pid)
    summary = proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, confirmation=approval,
                                     data={"sptjm_attachment_id": doc})
    assert summary.state == "ready"
    # The history names the Lurah as actor and as the person who recorded it, not the operator.
    assert sptjm_steps(office, pid) == [("lurah", lurah_id)]
    with office.reading() as session:
        last = session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.transition")
                               .order_by(AuditEntry.seq.desc())).first()
    assert last.operator_id == lurah_id and last.entity_id == pid
    with office.reading() as session:
        approved = session.scalars(select(AuditEntry).where(AuditEntry.action == "lurah.approve")).one()
    # The audit log says the Lurah approved it, for this proposal, at the operator's desk.
    assert approved.operator_id == lurah_id
    assert approved.detail == {"purpose": "sptjm", "subject": pid, "desk": office.operator_id, "totp": False}
    assert office.operator_id == created_office[1].operator_id  # the operator's session is still the operator's


def test_the_lurah_signed_in_still_types_her_passphrase_for_the_sptjm(lurah_ctx):
    pid, doc = waiting_for_sptjm(lurah_ctx)
    with pytest.raises(proposals.LurahApprovalNeeded):
        proposals.apply_action(lurah_ctx, pid, workflow.Action.RECORD_SPTJM, data={"sptjm_attachment_id": doc})
    with pytest.raises(WrongPassphrase):
        lurah.confirm(lurah_ctx, "bukan sandi lurah", purpose=lurah.Purpose.SPTJM, subject=pid)
    factories.record_sptjm(lurah_ctx, pid, doc, LURAH_PASS)
    assert sptjm_steps(lurah_ctx, pid) == [("lurah", lurah_ctx.operator_id)]


def test_a_confirmation_is_used_once_and_soon(lurah_ctx):
    first, doc1 = waiting_for_sptjm(lurah_ctx, 1)
    approval = lurah.confirm(lurah_ctx, LURAH_PASS, purpose=lurah.Purpose.SPTJM, subject=first)
    proposals.apply_action(lurah_ctx, first, workflow.Action.RECORD_SPTJM, confirmation=approval,
                           data={"sptjm_attachment_id": doc1})
    with pytest.raises(lurah.ConfirmationRefused):  # spent
        with lurah.acting(lurah_ctx, approval, lurah.Purpose.SPTJM, first):
            pass

    second, doc2 = waiting_for_sptjm(lurah_ctx, 2)
    approval = lurah.confirm(lurah_ctx, LURAH_PASS, purpose=lurah.Purpose.SPTJM, subject=second)
    later = lurah_ctx.clock() + timedelta(seconds=lurah.VALID_SECONDS + 1)
    lurah_ctx.clock = lambda: later
    with pytest.raises(lurah.ConfirmationExpired):
        proposals.apply_action(lurah_ctx, second, workflow.Action.RECORD_SPTJM, confirmation=approval,
                               data={"sptjm_attachment_id": doc2})
    assert state_of(lurah_ctx, second) == "sptjm"


def test_people_and_machines_cannot_swap_places(office):
    """The sync worker's actors are for the sync worker: a person's step is always recorded as theirs."""
    pid, _doc = waiting_for_sptjm(office)
    with pytest.raises(TypeError):
        proposals.apply_action(office, pid, workflow.Action.BACK_TO_DRAFT, actor=workflow.Actor.DINSOS, reason="x")
    with office.transaction() as session, pytest.raises(ValueError):
        proposals.step_in(office, session, session.get(ProposalRow, pid), workflow.Action.BACK_TO_DRAFT,
                          actor=workflow.Actor.OFFICE, reason="x")
    proposals.apply_action(office, pid, workflow.Action.BACK_TO_DRAFT, reason="KK salah")
    with office.reading() as session:
        last = session.scalars(select(ProposalTransition).where(ProposalTransition.proposal_id == pid)
                               .order_by(ProposalTransition.id.desc())).first()
    assert (last.actor, last.operator_id) == ("office", office.operator_id)


def test_every_authority_step_refuses_no_approval_and_an_approval_of_another_step(office, lurah_ctx, fast_kdf):
    """The contract, step by step: nothing but a fresh approval of exactly this step gets through."""
    from app.services import handover, handover_report, lurah_upkeep, operators, outbox, provisioning, totp
    from tests.fakes.sync_world import FakeDinsos, link_office, queue_ready

    dinsos = FakeDinsos()
    link_office(lurah_ctx, office, dinsos, dinsos.document())
    queue_ready(office, 31, route="sptjm")
    outbox.build_batches(office)
    shown = outbox.awaiting_countersignature(office)
    pid, doc = waiting_for_sptjm(office, 32)
    report = handover.move_all_open_work(lurah_ctx, office.operator_id, lurah_ctx.operator_id)
    record_id = handover_report.record_handover(lurah_ctx, report)
    pending = totp.start_enrolment(lurah_ctx)
    steps = {
        "enrol": lambda c: operators.enrol_operator(lurah_ctx, name="Citra", role="operator",
                                                    passphrase="sandi petugas citra", confirmation=c, kdf=fast_kdf),
        "revoke": lambda c: operators.revoke_operator(lurah_ctx, office.operator_id, reason="x", confirmation=c),
        "sptjm": lambda c: proposals.apply_action(office, pid, workflow.Action.RECORD_SPTJM, confirmation=c,
                                                  data={"sptjm_attachment_id": doc}),
        "countersign": lambda c: outbox.countersign_pending(lurah_ctx, c, shown),
        "link": lambda c: provisioning.bind_and_certify(lurah_ctx, dinsos, confirmation=c),
        "endorse": lambda c: handover_report.countersign(lurah_ctx, record_id, c),
        "rotate": lambda c: operators.renew_certificate(lurah_ctx, office.operator_id, confirmation=c),
        "totp_enrol": lambda c: lurah.enrol_totp(lurah_ctx, pending, totp.code_at(pending.secret, lurah_ctx.clock()),
                                                 c),
        "totp_remove": lambda c: lurah.remove_totp(lurah_ctx, c),
        "remove_slot": lambda c: lurah_upkeep.remove_old_slot(lurah_ctx, office.operator_id, confirmation=c),
        "recovery": lambda c: lurah_upkeep.renew_recovery_code(lurah_ctx, confirmation=c, kdf=fast_kdf),
    }
    assert set(steps) == {p.value for p in lurah.Purpose}
    with lurah_ctx.reading() as session:
        before = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    for name, step in steps.items():
        other = next(p for p in lurah.Purpose if p.value != name)
        ctx = office if name == "sptjm" else lurah_ctx
        for confirmation in (None, lurah.confirm(ctx, LURAH_PASS, purpose=other)):
            with pytest.raises(lurah.ConfirmationRefused):
                step(confirmation)
    with lurah_ctx.reading() as session:
        done = session.scalars(select(AuditEntry.action).where(AuditEntry.seq > before)).all()
    # Only the approvals themselves were written: not one of the steps happened.
    assert set(done) == {"lurah.approve"}
    assert state_of(office, pid) == "sptjm" and not totp.is_enrolled(lurah_ctx)
