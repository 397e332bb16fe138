"""Handover: every kind of open work moves with its note, in one step; a sudden departure orphans nothing."""

from __future__ import annotations


import pytest

from app.domain import workflow
from app.services import autosave, handover, journal, operators, outbox, playbook
from app.services.office import open_office, open_office_with_recovery
from app.storage.models import Proposal
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.handover_work import B_PASS, make_work_of_every_kind
from tests.fakes.sync_world import ready_proposal


def _enrol_b(lurah_ctx, fast_kdf) -> str:
    return operators.enrol_operator(lurah_ctx, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah_ctx, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id


def test_a_hands_everything_to_b_with_notes(office, lurah, fast_kdf, created_office):
    a = office
    keys = make_work_of_every_kind(a)
    assert {item.key for item in handover.open_work(a, a.operator_id)} == set(keys.values())
    b_id = _enrol_b(lurah, fast_kdf)
    notes = {key: f"Catatan untuk {name}" for name, key in keys.items()}
    report = handover.hand_over(a, from_operator=a.operator_id, assignments={k: b_id for k in keys.values()},
                                notes=notes)
    assert len(report.items) == len(keys) and {line.to_name for line in report.items} == {"Budi"}
    assert handover.open_work(a, a.operator_id) == []

    b = open_office(created_office[0], b_id, B_PASS)
    try:
        work = {item.key: item for item in handover.open_work(b, b_id)}
        assert set(work) == set(keys.values())
        for key, note in notes.items():
            assert work[key].notes == (note,)
        # The note is also in the item's own journal, addressed to B.
        assert journal.entries(b, "proposal", keys["returned"].split(":")[1])[0].text == notes[keys["returned"]]
        playbook.ensure_starter_pages(b)
        welcome = handover.onboarding(b)
        assert {item.key for item in welcome.open_work} == set(keys.values())
        assert {n.text for n in welcome.handover_notes} == set(notes.values())
        assert welcome.playbook and welcome.dinsos_decisions[0].to_state == "returned"
        assert welcome.dinsos_decisions[0].reason == "Foto kurang"
        assert autosave.load_form(b, "proposal:new") == {"kk": "3575"}
    finally:
        b.close()


def test_a_handover_is_all_or_nothing(office, lurah, fast_kdf):
    a = office
    keys = make_work_of_every_kind(a)
    b_id = _enrol_b(lurah, fast_kdf)
    assignments = {keys["draft"]: b_id, keys["complaint"]: "no-such-person"}
    with pytest.raises(handover.HandoverTargetInvalid):
        handover.hand_over(a, from_operator=a.operator_id, assignments=assignments, notes={keys["draft"]: "x"})
    with a.reading() as session:
        assert session.get(Proposal, keys["draft"].split(":")[1]).assigned_to == a.operator_id
    assert journal.entries(a, "proposal", keys["draft"].split(":")[1]) == []
    with pytest.raises(handover.HandoverItemUnknown):
        handover.hand_over(a, from_operator=a.operator_id, assignments={"proposal:nope": b_id}, notes={})


def test_someone_else_cannot_hand_over_my_work(office, lurah, fast_kdf, created_office):
    b_id = _enrol_b(lurah, fast_kdf)
    b = open_office(created_office[0], b_id, B_PASS)
    try:
        with pytest.raises(handover.HandoverNotAllowed):
            handover.hand_over(b, from_operator=office.operator_id, assignments={}, notes={})
    finally:
        b.close()


def test_sudden_departure_via_recovery_code_moves_everything_to_the_pool(office, created_office):
    a = office
    keys = make_work_of_every_kind(a)
    folder, created = created_office
    lurah_ctx = open_office_with_recovery(folder, created.recovery_code)
    try:
        with pytest.raises(Exception):
            handover.move_all_open_work(a, a.operator_id, None)
        report = handover.move_all_open_work(lurah_ctx, a.operator_id, None)
        assert {line.key for line in report.items} == set(keys.values())
        assert handover.open_work(lurah_ctx, a.operator_id) == []
        pool = {item.key for item in handover.open_work(lurah_ctx, None)}
        # An unsaved form is someone's typing, so it goes to the Lurah, not to the pool.
        assert pool == set(keys.values()) - {keys["form"]}
        assert keys["form"] in {item.key for item in handover.open_work(lurah_ctx, created.lurah_id)}
    finally:
        lurah_ctx.close()


def test_revoking_someone_leaves_nothing_assigned_to_them(office, lurah, created_office):
    a_id = office.operator_id
    keys = make_work_of_every_kind(office)
    office.close()
    result = operators.revoke_operator(lurah, a_id, reason="Mengundurkan diri", confirmation=factories.approve(lurah, "revoke", a_id))
    assert {line.key for line in result.moved.items} == set(keys.values())
    assert handover.open_work(lurah, a_id) == []


def test_onboarding_points_a_dinsos_return_at_its_playbook_page(office):
    pid = ready_proposal(office, 51)
    playbook.save_page(office, slug="foto-rumah", title="Foto rumah", body="Foto depan dan dapur.",
                       return_reason_code="foto_kurang")
    outbox.queue_proposal(office, pid)
    for action, actor in ((workflow.Action.SEND, workflow.Actor.SYSTEM), (workflow.Action.RECEIVE, workflow.Actor.DINSOS)):
        factories.machine_step(office, pid, action, actor)
    factories.machine_step(office, pid, workflow.Action.RETURN, workflow.Actor.DINSOS, reason="Foto kurang",
                           data={"reasons": [{"code": "foto_kurang", "text": "Foto kurang"},
                                             {"code": "kk_buram", "text": "KK buram"}]})
    [decision] = handover.onboarding(office).dinsos_decisions[:1]
    assert decision.proposal_id == pid
    assert decision.playbook_pages == (("foto_kurang", "foto-rumah"), ("kk_buram", None))
