"""The workflow table: the brief's flows, its data requirements, and invariants under random walks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import workflow
from app.domain.workflow import (
    TABLE,
    Action,
    Actor,
    ActorNotAllowed,
    IllegalTransition,
    MissingTransitionData,
    ProposalKind,
    Route,
    State,
    UnknownDecision,
    allowed_actions,
    citizen_explanation,
    is_editable,
    is_open,
    is_terminal,
    state_label,
    transition,
)
from app.i18n import set_language

S, A, K = State, Action, ProposalKind
OFFICE, LURAH, DINSOS, SYSTEM = Actor.OFFICE, Actor.LURAH, Actor.DINSOS, Actor.SYSTEM
MINUTES = {"minutes_attachment_id": "att-1"}


def walk(kind, steps):
    """Take (action, actor, data) steps from a draft; return the states passed through."""
    state, seen = S.DRAFT, [S.DRAFT]
    for action, actor, data in steps:
        record = transition(state, kind, action, actor=actor, data=data)
        assert (record.from_state, record.action, record.actor) == (state, action, actor)
        state = record.to_state
        seen.append(state)
    return seen


def reachable(kind):
    found, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for rule in workflow.rules_for(state, kind):
            if rule.to_state not in found:
                found.add(rule.to_state)
                frontier.append(rule.to_state)
    return found


AFTER_READY = [
    (A.QUEUE, OFFICE, {}),
    (A.SEND, SYSTEM, {}),
    (A.RECEIVE, DINSOS, {}),
    (A.VERIFY, DINSOS, {}),
    (A.FINALISE, DINSOS, {}),
]


# --- stored values --------------------------------------------------------------------


def test_enum_values_are_stable():
    assert [s.value for s in State] == [
        "draft", "ground_check", "muskel", "sptjm", "ready", "not_eligible", "queued", "sent",
        "received", "verified", "returned", "finalised", "approved", "forwarded", "superseded",
        "withdrawn",
    ]
    assert [k.value for k in ProposalKind] == ["baru", "pembaruan", "sanggahan"]
    assert [r.value for r in Route] == ["muskel", "sptjm"]
    assert [a.value for a in Actor] == ["office", "lurah", "dinsos", "system"]
    assert all(a.value == a.name.lower() for a in Action)


# --- the brief's flows ----------------------------------------------------------------


def test_usulan_baru_through_muskel_to_the_ministry():
    states = walk(K.BARU, [
        (A.SEND_TO_MUSKEL, OFFICE, {}),
        (A.RECORD_MUSKEL_DECISION, OFFICE, {"decision": "eligible", **MINUTES}),
        *AFTER_READY,
        (A.APPROVE, DINSOS, {}),
        (A.FORWARD, DINSOS, {}),
    ])
    assert states == [
        S.DRAFT, S.MUSKEL, S.READY, S.QUEUED, S.SENT, S.RECEIVED, S.VERIFIED, S.FINALISED,
        S.APPROVED, S.FORWARDED,
    ]
    assert is_terminal(S.FORWARDED, K.BARU)


def test_usulan_baru_through_sptjm_signed_by_the_lurah():
    record = transition(S.DRAFT, K.BARU, A.SEND_TO_SPTJM, actor=OFFICE)
    assert (record.to_state, record.route) == (S.SPTJM, Route.SPTJM)
    with pytest.raises(ActorNotAllowed) as info:
        transition(S.SPTJM, K.BARU, A.RECORD_SPTJM, actor=OFFICE, data={"sptjm_attachment_id": "x"})
    assert info.value.message().startswith("Langkah “catat SPTJM” hanya dapat dilakukan oleh Lurah.")
    with pytest.raises(MissingTransitionData) as missing:
        transition(S.SPTJM, K.BARU, A.RECORD_SPTJM, actor=LURAH, data={})
    assert missing.value.key == "sptjm_attachment_id"
    done = transition(S.SPTJM, K.BARU, A.RECORD_SPTJM, actor=LURAH, data={"sptjm_attachment_id": "x"})
    assert done.to_state is S.READY and done.route is None


def test_send_to_muskel_records_the_route():
    assert transition(S.DRAFT, K.BARU, A.SEND_TO_MUSKEL, actor=OFFICE).route is Route.MUSKEL


def test_muskel_can_find_an_usulan_baru_not_eligible():
    record = transition(S.MUSKEL, K.BARU, A.RECORD_MUSKEL_DECISION, actor=OFFICE,
                        data={"decision": "not_eligible", **MINUTES})
    assert record.to_state is S.NOT_ELIGIBLE
    assert is_terminal(S.NOT_ELIGIBLE, K.BARU) and not is_open(S.NOT_ELIGIBLE)


@pytest.mark.parametrize("kind", [K.PEMBARUAN, K.SANGGAHAN])
def test_pembaruan_and_sanggahan_go_through_a_ground_check_and_end_finalised(kind):
    decision = "poor" if kind is K.PEMBARUAN else "not_poor"
    states = walk(kind, [
        (A.SEND_TO_GROUND_CHECK, OFFICE, {}),
        (A.RECORD_GROUND_CHECK, SYSTEM, {"ground_check_id": "gc-7"}),
        (A.RECORD_MUSKEL_DECISION, OFFICE, {"decision": decision, **MINUTES}),
        *AFTER_READY,
    ])
    assert states == [
        S.DRAFT, S.GROUND_CHECK, S.MUSKEL, S.READY, S.QUEUED, S.SENT, S.RECEIVED, S.VERIFIED,
        S.FINALISED,
    ]
    assert is_terminal(S.FINALISED, kind) and not is_open(S.FINALISED, kind)
    with pytest.raises(IllegalTransition):
        transition(S.FINALISED, kind, A.APPROVE, actor=DINSOS)


def test_finalised_stays_open_for_usulan_baru():
    assert is_open(S.FINALISED, K.BARU)
    assert is_open(S.FINALISED)  # without a kind: open if open for any kind


@pytest.mark.parametrize(
    ("kind", "decision", "to_state"),
    [
        (K.PEMBARUAN, "poor", S.READY),
        (K.PEMBARUAN, "not_poor", S.NOT_ELIGIBLE),
        # A sanggahan says the recipient is not poor: the muskel agreeing carries it on.
        (K.SANGGAHAN, "not_poor", S.READY),
        (K.SANGGAHAN, "poor", S.NOT_ELIGIBLE),
    ],
)
def test_muskel_decides_poor_or_not_poor(kind, decision, to_state):
    record = transition(S.MUSKEL, kind, A.RECORD_MUSKEL_DECISION, actor=OFFICE,
                        data={"decision": decision, **MINUTES})
    assert record.to_state is to_state


def test_muskel_decision_needs_minutes_and_a_decision_of_the_kind():
    with pytest.raises(MissingTransitionData) as info:
        transition(S.MUSKEL, K.BARU, A.RECORD_MUSKEL_DECISION, actor=OFFICE, data={"decision": "eligible"})
    assert info.value.key == "minutes_attachment_id"
    assert info.value.message().startswith("Langkah ini memerlukan pindaian berita acara muskel.")
    with pytest.raises(UnknownDecision):
        transition(S.MUSKEL, K.BARU, A.RECORD_MUSKEL_DECISION, actor=OFFICE, data=MINUTES)
    with pytest.raises(UnknownDecision):  # "poor" is the pembaruan's vocabulary
        transition(S.MUSKEL, K.BARU, A.RECORD_MUSKEL_DECISION, actor=OFFICE,
                   data={"decision": "poor", **MINUTES})
    with pytest.raises(MissingTransitionData):
        transition(S.MUSKEL, K.PEMBARUAN, A.RECORD_MUSKEL_DECISION, actor=OFFICE,
                   data={"decision": "poor", "minutes_attachment_id": "  "})


def test_decisions_and_required_data_for_the_form():
    assert workflow.decisions(S.MUSKEL, K.BARU, A.RECORD_MUSKEL_DECISION) == ["eligible", "not_eligible"]
    assert workflow.decisions(S.MUSKEL, K.SANGGAHAN, A.RECORD_MUSKEL_DECISION) == ["not_poor", "poor"]
    assert workflow.required_data(S.MUSKEL, K.PEMBARUAN, A.RECORD_MUSKEL_DECISION) == (
        "decision", "minutes_attachment_id",
    )
    assert workflow.required_data(S.RECEIVED, K.BARU, A.RETURN) == ("reason",)
    assert workflow.required_data(S.READY, K.BARU, A.QUEUE) == ()


def test_dinsos_returns_with_a_reason_and_the_office_revises():
    with pytest.raises(MissingTransitionData) as info:
        transition(S.RECEIVED, K.BARU, A.RETURN, actor=DINSOS, data={"reason": "   "})
    assert info.value.key == "reason"
    record = transition(S.RECEIVED, K.BARU, A.RETURN, actor=DINSOS,
                        data={"reason": "  KK tidak terbaca ", "codes": ["kk_unreadable"]})
    assert (record.to_state, record.reason) == (S.RETURNED, "KK tidak terbaca")
    assert record.data["codes"] == ["kk_unreadable"]
    assert transition(S.RETURNED, K.BARU, A.REVISE, actor=OFFICE).to_state is S.SUPERSEDED


def test_a_queued_item_is_revised_not_edited():
    assert not is_editable(S.QUEUED)
    with pytest.raises(IllegalTransition):
        transition(S.QUEUED, K.BARU, A.EDIT, actor=OFFICE)
    assert transition(S.QUEUED, K.BARU, A.REVISE, actor=OFFICE).to_state is S.SUPERSEDED
    with pytest.raises(IllegalTransition):  # once sent, only the Dinas Sosial can return it
        transition(S.SENT, K.BARU, A.REVISE, actor=OFFICE)


def test_a_refused_batch_is_queued_again_by_the_sync_service():
    record = transition(S.SENT, K.BARU, A.REQUEUE, actor=SYSTEM, data={"reason": "batch refused"})
    assert record.to_state is S.QUEUED
    with pytest.raises(ActorNotAllowed):
        transition(S.SENT, K.BARU, A.REQUEUE, actor=OFFICE, data={"reason": "x"})


@pytest.mark.parametrize("state", [S.DRAFT, S.MUSKEL, S.READY, S.RETURNED])
def test_withdraw_before_leaving_the_office_or_after_return(state):
    for actor in (OFFICE, LURAH):
        record = transition(state, K.BARU, A.WITHDRAW, actor=actor, data={"reason": "pindah kota"})
        assert record.to_state is S.WITHDRAWN
    with pytest.raises(MissingTransitionData):
        transition(state, K.BARU, A.WITHDRAW, actor=OFFICE)


@pytest.mark.parametrize("state", [S.QUEUED, S.SENT, S.RECEIVED, S.VERIFIED, S.FINALISED])
def test_no_withdraw_once_out_of_the_office(state):
    with pytest.raises(IllegalTransition):
        transition(state, K.BARU, A.WITHDRAW, actor=OFFICE, data={"reason": "x"})


def test_back_to_draft_needs_a_reason():
    with pytest.raises(MissingTransitionData):
        transition(S.SPTJM, K.BARU, A.BACK_TO_DRAFT, actor=LURAH)
    record = transition(S.SPTJM, K.BARU, A.BACK_TO_DRAFT, actor=LURAH, data={"reason": "lewat muskel"})
    assert record.to_state is S.DRAFT


def test_only_the_right_kind_may_take_a_step():
    with pytest.raises(IllegalTransition):
        transition(S.DRAFT, K.PEMBARUAN, A.SEND_TO_SPTJM, actor=OFFICE)
    with pytest.raises(IllegalTransition):
        transition(S.DRAFT, K.BARU, A.SEND_TO_GROUND_CHECK, actor=OFFICE)


def test_strings_are_accepted_for_enums():
    record = transition("draft", "baru", "send_to_muskel", actor="office")
    assert record.to_state is S.MUSKEL and record.actor is OFFICE


def test_illegal_transition_names_state_and_action_in_indonesian():
    with pytest.raises(IllegalTransition) as info:
        transition(S.SENT, K.BARU, A.QUEUE, actor=OFFICE)
    assert info.value.message() == (
        "Langkah “masukkan ke antrean kirim” tidak dapat dilakukan pada usulan baru yang "
        "berstatus “Terkirim ke Dinas Sosial”. Muat ulang tampilan; mungkin status usulan sudah berubah."
    )
    assert (info.value.state, info.value.action) == (S.SENT, A.QUEUE)
    set_language("en")
    assert "“queue for sending”" in info.value.message()
    assert "“Sent to the Dinas Sosial”" in info.value.message()


# --- queries --------------------------------------------------------------------------


def test_allowed_actions_per_actor():
    assert allowed_actions(S.DRAFT, K.BARU, OFFICE) == [
        A.EDIT, A.SEND_TO_MUSKEL, A.SEND_TO_SPTJM, A.WITHDRAW,
    ]
    assert allowed_actions(S.DRAFT, K.PEMBARUAN, OFFICE) == [
        A.EDIT, A.SEND_TO_GROUND_CHECK, A.WITHDRAW,
    ]
    assert allowed_actions(S.SPTJM, K.BARU, LURAH) == [A.RECORD_SPTJM, A.BACK_TO_DRAFT, A.WITHDRAW]
    assert allowed_actions(S.MUSKEL, K.BARU, OFFICE).count(A.RECORD_MUSKEL_DECISION) == 1
    assert allowed_actions(S.RECEIVED, K.BARU, DINSOS) == [A.VERIFY, A.RETURN]
    assert allowed_actions(S.RECEIVED, K.BARU, OFFICE) == []
    assert allowed_actions(S.QUEUED, K.BARU, SYSTEM) == [A.SEND]


def test_editable_states_are_exactly_those_being_prepared():
    assert {s for s in State if is_editable(s)} == {S.DRAFT, S.GROUND_CHECK, S.MUSKEL, S.SPTJM}


@pytest.mark.parametrize(
    ("kind", "terminal"),
    [
        (K.BARU, {S.NOT_ELIGIBLE, S.FORWARDED, S.SUPERSEDED, S.WITHDRAWN}),
        (K.PEMBARUAN, {S.NOT_ELIGIBLE, S.FINALISED, S.SUPERSEDED, S.WITHDRAWN}),
        (K.SANGGAHAN, {S.NOT_ELIGIBLE, S.FINALISED, S.SUPERSEDED, S.WITHDRAWN}),
    ],
)
def test_terminal_states_per_kind(kind, terminal):
    assert {s for s in reachable(kind) if is_terminal(s, kind)} == terminal
    assert {s for s in reachable(kind) if not is_open(s, kind)} == terminal


def test_reachable_states_per_kind():
    assert reachable(K.BARU) == set(State) - {S.GROUND_CHECK}
    assert reachable(K.PEMBARUAN) == set(State) - {S.SPTJM, S.APPROVED, S.FORWARDED}


# --- the table itself -----------------------------------------------------------------


def test_rows_sharing_a_step_differ_only_by_decision():
    groups = {}
    for rule in TABLE:
        for kind in rule.kinds:
            groups.setdefault((rule.from_state, rule.action, kind), []).append(rule)
    for key, rules in groups.items():
        if len(rules) == 1:
            continue
        assert all(r.when for r in rules), key
        assert len({r.when[0] for r in rules}) == 1, key
        assert len({r.when[1] for r in rules}) == len(rules), key
        assert len({(r.needs, r.actors, r.guards) for r in rules}) == 1, key


def test_edit_rows_stay_put_and_every_other_row_moves():
    for rule in TABLE:
        assert (rule.action is A.EDIT) == (rule.from_state is rule.to_state), rule


def test_the_desil_guard_sits_on_the_routes_of_usulan_baru():
    guarded = {(r.from_state, r.action) for r in TABLE if r.guards}
    assert guarded == {(S.DRAFT, A.SEND_TO_MUSKEL), (S.DRAFT, A.SEND_TO_SPTJM)}


# --- labels ---------------------------------------------------------------------------


def test_every_state_has_a_translated_label_and_explanation():
    for state in State:
        assert state_label(state) != workflow.STATE_LABELS[state]
        assert citizen_explanation(state) != workflow.CITIZEN_EXPLANATIONS[state]
    assert state_label(S.RECEIVED) == "Diterima Dinas Sosial"
    assert citizen_explanation(S.RECEIVED) == "Usulan sedang diperiksa Dinas Sosial."
    set_language("en")
    assert state_label(S.DRAFT) == "Draft"


def test_every_action_and_actor_has_a_label():
    assert set(workflow.ACTION_LABELS) == set(Action)
    assert set(workflow.ACTOR_LABELS) == set(Actor)
    assert set(workflow.KIND_LABELS) == set(ProposalKind)
    needed = {key for r in TABLE for key in r.needs} | {r.when[0] for r in TABLE if r.when}
    assert needed <= set(workflow.DATA_LABELS)
    assert {r.when[1] for r in TABLE if r.when} <= set(workflow.DECISION_LABELS)


# --- random walks ---------------------------------------------------------------------


def full_data(state, kind, action, decision_pick):
    data = {key: "filled" for key in workflow.required_data(state, kind, action)}
    choices = workflow.decisions(state, kind, action)
    if choices:
        data["decision"] = choices[decision_pick % len(choices)]
    return data


steps = st.lists(
    st.tuples(
        st.booleans(),  # take one of the allowed steps (mostly), or any step at all
        st.integers(min_value=0, max_value=10_000),  # which allowed step / decision
        st.sampled_from(list(Action)),
        st.sampled_from(list(Actor)),
        st.booleans(),  # give the data the step needs, or nothing
    ),
    max_size=40,
)


def possible_steps(state, kind):
    return [(action, actor) for actor in Actor for action in allowed_actions(state, kind, actor)]


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(list(ProposalKind)), start=st.integers(min_value=0), steps=steps)
def test_random_walks_never_leave_the_table(kind, start, steps):
    rows = {(r.from_state, r.action, r.to_state) for r in TABLE if kind in r.kinds}
    states = reachable(kind)
    # Start anywhere the kind can be, so the late states get as many walks as the early ones.
    state = sorted(states)[start % len(states)]
    for pick_allowed, pick, any_action, any_actor, with_data in steps:
        options = possible_steps(state, kind)
        action, actor = options[pick % len(options)] if pick_allowed and options else (any_action, any_actor)
        allowed = action in allowed_actions(state, kind, actor)
        data = full_data(state, kind, action, pick) if with_data else {}
        needs_data = bool(workflow.required_data(state, kind, action))
        try:
            record = transition(state, kind, action, actor=actor, data=data)
        except IllegalTransition:
            assert not allowed
            continue
        except MissingTransitionData:
            assert allowed and needs_data and not with_data
            continue
        assert allowed
        assert (state, action, record.to_state) in rows
        assert record.from_state is state
        assert record.route is None or action in (A.SEND_TO_MUSKEL, A.SEND_TO_SPTJM)
        state = record.to_state
        assert state in states
        # Terminal states have no way out, for anyone.
        if is_terminal(state, kind):
            assert not is_open(state, kind)
            assert possible_steps(state, kind) == []
        # Immutable states refuse an edit, whoever asks.
        if not is_editable(state):
            for who in Actor:
                with pytest.raises(IllegalTransition):
                    transition(state, kind, A.EDIT, actor=who)


@pytest.mark.parametrize(
    ("kind", "end"), [(K.BARU, S.FORWARDED), (K.PEMBARUAN, S.FINALISED), (K.SANGGAHAN, S.FINALISED)]
)
def test_always_taking_the_first_forward_step_ends_the_flow(kind, end):
    backwards = {A.EDIT, A.WITHDRAW, A.BACK_TO_DRAFT, A.RETURN, A.REVISE, A.REQUEUE}
    state = S.DRAFT
    for _ in range(len(State)):
        forward = [(a, who) for a, who in possible_steps(state, kind) if a not in backwards]
        if not forward:
            break
        action, actor = forward[0]
        data = full_data(state, kind, action, 0)
        state = transition(state, kind, action, actor=actor, data=data).to_state
    assert state is end
