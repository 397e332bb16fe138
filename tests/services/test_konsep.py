"""A Konsep is saved however incomplete; the step after it is where validation refuses."""

from __future__ import annotations

import pytest

from app.domain.workflow import Action, State
from app.services.proposal_io import InputInvalid, proposal_from_dict
from app.services.proposals import ProblemsBlockStep, add_proposal, apply_action, get_proposal, update_proposal
from app.domain.validation import ValidationFailed
from tests.factories import proposal_dict


def _incomplete() -> dict:
    data = proposal_dict()
    data["household"]["kk_number"] = ""
    data["household"]["members"][0]["nik"] = "3575034708"  # half typed
    data["household"]["members"][0]["birth_date"] = None  # not known yet
    data["household"]["members"][1]["name"] = ""
    return data


def test_an_incomplete_konsep_is_saved_when_the_operator_keeps_its_problems(office):
    summary = add_proposal(office, proposal_from_dict(_incomplete()), keep_problems=True)
    stored = get_proposal(office, summary.id).proposal
    assert stored.state is State.DRAFT
    assert stored.household.kk_number == ""
    assert stored.household.members[0].nik == "3575034708"
    assert stored.household.members[0].birth_date is None
    assert stored.household.members[1].name == ""


def test_scripts_still_get_a_refusal_without_keep_problems(office):
    with pytest.raises(ValidationFailed):
        add_proposal(office, proposal_from_dict(_incomplete()))


def test_the_next_step_is_refused_with_every_problem_in_form_order_and_labels(office):
    summary = add_proposal(office, proposal_from_dict(_incomplete()), keep_problems=True)
    with pytest.raises(ProblemsBlockStep) as raised:
        apply_action(office, summary.id, Action.SEND_TO_MUSKEL)
    text = raised.value.message()
    assert "members[" not in text and "kk_number" not in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    labels = [line[2:].split(":")[0] for line in lines]
    assert labels == ["No. KK", "Anggota 1, NIK", "Anggota 1, Tanggal lahir", "Anggota 2, Nama"]
    assert get_proposal(office, summary.id).proposal.state is State.DRAFT


def test_once_corrected_and_saved_the_step_is_taken(office):
    summary = add_proposal(office, proposal_from_dict(_incomplete()), keep_problems=True)
    update_proposal(office, summary.id, proposal_from_dict(proposal_dict()), keep_problems=True)
    moved = apply_action(office, summary.id, Action.SEND_TO_MUSKEL)
    assert moved.state == State.MUSKEL.value


def test_withdrawing_an_incomplete_konsep_needs_no_complete_data(office):
    summary = add_proposal(office, proposal_from_dict(_incomplete()), keep_problems=True)
    moved = apply_action(office, summary.id, Action.WITHDRAW, reason="salah input")
    assert moved.state != "draft"


def test_an_unreadable_field_is_named_by_its_label_never_its_path():
    data = proposal_dict()
    data["household"]["members"][1]["birth_date"] = "12-04-1983"  # not ISO
    with pytest.raises(InputInvalid) as raised:
        proposal_from_dict(data)
    assert raised.value.params["field"] == "members[1].birth_date"
    assert "Anggota 2, Tanggal lahir" in raised.value.message()
    assert "members[" not in raised.value.message()
