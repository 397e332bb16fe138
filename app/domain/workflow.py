"""The proposal workflow as one table of allowed transitions: who may move what, where, with what.

Every state change of a proposal goes through ``transition()``; the UI asks
``allowed_actions()`` which buttons to show. Nothing else decides a state, so changing the
procedure means changing ``TABLE`` (and its tests), not hunting ``if`` chains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from app.domain.errors import DomainError, Term, Terms
from app.i18n import N_, _


class ProposalKind(str, Enum):
    BARU = "baru"  # new recipient
    PEMBARUAN = "pembaruan"  # update of the household's DTSEN data
    SANGGAHAN = "sanggahan"  # objection: a current recipient is not eligible


class Route(str, Enum):
    """How the kelurahan vouches for an usulan baru before it goes to the Dinas Sosial."""

    MUSKEL = "muskel"  # musyawarah kelurahan decides, minutes attached
    SPTJM = "sptjm"  # the Lurah signs a statement of absolute responsibility


class State(str, Enum):
    DRAFT = "draft"
    GROUND_CHECK = "ground_check"
    MUSKEL = "muskel"
    SPTJM = "sptjm"
    READY = "ready"
    NOT_ELIGIBLE = "not_eligible"
    QUEUED = "queued"
    SENT = "sent"
    RECEIVED = "received"
    VERIFIED = "verified"
    RETURNED = "returned"
    FINALISED = "finalised"
    APPROVED = "approved"
    FORWARDED = "forwarded"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Action(str, Enum):
    EDIT = "edit"
    SEND_TO_MUSKEL = "send_to_muskel"
    SEND_TO_SPTJM = "send_to_sptjm"
    SEND_TO_GROUND_CHECK = "send_to_ground_check"
    RECORD_GROUND_CHECK = "record_ground_check"
    RECORD_MUSKEL_DECISION = "record_muskel_decision"
    RECORD_SPTJM = "record_sptjm"
    BACK_TO_DRAFT = "back_to_draft"
    QUEUE = "queue"
    SEND = "send"
    REQUEUE = "requeue"
    RECEIVE = "receive"
    VERIFY = "verify"
    RETURN = "return"
    FINALISE = "finalise"
    APPROVE = "approve"
    FORWARD = "forward"
    REVISE = "revise"
    WITHDRAW = "withdraw"


class Actor(str, Enum):
    OFFICE = "office"  # a kelurahan operator
    LURAH = "lurah"
    DINSOS = "dinsos"  # Dinas Sosial staff, through the signed status feed
    SYSTEM = "system"  # the sync worker


class Guard(str, Enum):
    """A precondition on the proposal itself, which this table cannot see (see proposal.advance)."""

    DESIL_FITS = "desil_fits"


# Keys of ``data`` a row can require.
REASON = "reason"
DECISION = "decision"
MINUTES = "minutes_attachment_id"
SPTJM_DOCUMENT = "sptjm_attachment_id"
GROUND_CHECK_RESULT = "ground_check_id"


@dataclass(frozen=True)
class Rule:
    """One row: from ``from_state``, ``action`` by one of ``actors`` leads to ``to_state``.

    ``when`` picks between rows that share state and action by a value in ``data`` (the
    muskel's decision); ``needs`` lists keys of ``data`` that must be non-empty.
    """

    from_state: State
    action: Action
    to_state: State
    actors: frozenset[Actor]
    kinds: frozenset[ProposalKind]
    needs: tuple[str, ...] = ()
    when: tuple[str, str] | None = None
    route: Route | None = None
    guards: frozenset[Guard] = frozenset()


_S, _A, _K = State, Action, ProposalKind
ALL = frozenset(ProposalKind)
BARU = frozenset({_K.BARU})
CHECKED = frozenset({_K.PEMBARUAN, _K.SANGGAHAN})  # the kinds that need a ground check
OFFICE = frozenset({Actor.OFFICE})
LURAH = frozenset({Actor.LURAH})
OFFICE_OR_LURAH = frozenset({Actor.OFFICE, Actor.LURAH})
DINSOS = frozenset({Actor.DINSOS})
SYSTEM = frozenset({Actor.SYSTEM})


def _rule(from_state, action, to_state, actors, kinds, **kw) -> Rule:
    return Rule(from_state, action, to_state, frozenset(actors), frozenset(kinds), **kw)


def _muskel(decision: str, to_state: State, kinds) -> Rule:
    return _rule(
        _S.MUSKEL, _A.RECORD_MUSKEL_DECISION, to_state, OFFICE, kinds,
        needs=(MINUTES,), when=(DECISION, decision),
    )


TABLE: tuple[Rule, ...] = (
    # Preparing in the office: the only editable states.
    _rule(_S.DRAFT, _A.EDIT, _S.DRAFT, OFFICE, ALL),
    _rule(_S.GROUND_CHECK, _A.EDIT, _S.GROUND_CHECK, OFFICE, CHECKED),
    _rule(_S.MUSKEL, _A.EDIT, _S.MUSKEL, OFFICE, ALL),
    _rule(_S.SPTJM, _A.EDIT, _S.SPTJM, OFFICE, BARU),
    # Usulan baru: the desil must fit before the kelurahan vouches by muskel or SPTJM.
    _rule(_S.DRAFT, _A.SEND_TO_MUSKEL, _S.MUSKEL, OFFICE, BARU,
          route=Route.MUSKEL, guards=frozenset({Guard.DESIL_FITS})),
    _rule(_S.DRAFT, _A.SEND_TO_SPTJM, _S.SPTJM, OFFICE, BARU,
          route=Route.SPTJM, guards=frozenset({Guard.DESIL_FITS})),
    _muskel("eligible", _S.READY, BARU),
    _muskel("not_eligible", _S.NOT_ELIGIBLE, BARU),
    _rule(_S.SPTJM, _A.RECORD_SPTJM, _S.READY, LURAH, BARU, needs=(SPTJM_DOCUMENT,)),
    # Pembaruan and sanggahan: field check first, then the muskel judges the household.
    _rule(_S.DRAFT, _A.SEND_TO_GROUND_CHECK, _S.GROUND_CHECK, OFFICE, CHECKED),
    _rule(_S.GROUND_CHECK, _A.RECORD_GROUND_CHECK, _S.MUSKEL,
          frozenset({Actor.OFFICE, Actor.SYSTEM}), CHECKED, needs=(GROUND_CHECK_RESULT,)),
    _muskel("poor", _S.READY, {_K.PEMBARUAN}),
    _muskel("not_poor", _S.NOT_ELIGIBLE, {_K.PEMBARUAN}),
    # A sanggahan claims the household is not poor: the muskel agreeing sends it on.
    _muskel("not_poor", _S.READY, {_K.SANGGAHAN}),
    _muskel("poor", _S.NOT_ELIGIBLE, {_K.SANGGAHAN}),
    # A wrong route or a refused signature: back to the draft, saying why.
    _rule(_S.GROUND_CHECK, _A.BACK_TO_DRAFT, _S.DRAFT, OFFICE, CHECKED, needs=(REASON,)),
    _rule(_S.MUSKEL, _A.BACK_TO_DRAFT, _S.DRAFT, OFFICE, ALL, needs=(REASON,)),
    _rule(_S.SPTJM, _A.BACK_TO_DRAFT, _S.DRAFT, OFFICE_OR_LURAH, BARU, needs=(REASON,)),
    # Out of the office: from here on the item is immutable.
    _rule(_S.READY, _A.QUEUE, _S.QUEUED, OFFICE, ALL),
    _rule(_S.QUEUED, _A.SEND, _S.SENT, SYSTEM, ALL),
    # The server refused the whole batch (e.g. a revoked certificate): send it again later.
    _rule(_S.SENT, _A.REQUEUE, _S.QUEUED, SYSTEM, ALL, needs=(REASON,)),
    _rule(_S.SENT, _A.RECEIVE, _S.RECEIVED, frozenset({Actor.DINSOS, Actor.SYSTEM}), ALL),
    _rule(_S.RECEIVED, _A.VERIFY, _S.VERIFIED, DINSOS, ALL),
    _rule(_S.RECEIVED, _A.RETURN, _S.RETURNED, DINSOS, ALL, needs=(REASON,)),
    _rule(_S.VERIFIED, _A.FINALISE, _S.FINALISED, DINSOS, ALL),
    _rule(_S.FINALISED, _A.APPROVE, _S.APPROVED, DINSOS, BARU),  # the walikota's decree
    _rule(_S.APPROVED, _A.FORWARD, _S.FORWARDED, DINSOS, BARU),  # to the ministry
    # A change to an immutable item is a new version (made by the service); this one ends.
    _rule(_S.QUEUED, _A.REVISE, _S.SUPERSEDED, OFFICE, ALL),
    _rule(_S.RETURNED, _A.REVISE, _S.SUPERSEDED, OFFICE, ALL),
    # Withdrawing is possible until the item leaves the office, and after it comes back.
    *(
        _rule(state, _A.WITHDRAW, _S.WITHDRAWN, OFFICE_OR_LURAH, kinds, needs=(REASON,))
        for state, kinds in (
            (_S.DRAFT, ALL),
            (_S.GROUND_CHECK, CHECKED),
            (_S.MUSKEL, ALL),
            (_S.SPTJM, BARU),
            (_S.READY, ALL),
            (_S.RETURNED, ALL),
        )
    ),
)


@dataclass(frozen=True)
class TransitionRecord:
    """What happened, to be stored in the proposal's history and audit log."""

    from_state: State
    to_state: State
    action: Action
    actor: Actor
    reason: str | None
    data: Mapping[str, Any] = field(default_factory=dict)
    route: Route | None = None


# --- errors -------------------------------------------------------------------------


class IllegalTransition(DomainError):
    code = "illegal_transition"
    template = N_("The step “{action}” is not possible for {kind} in the state “{state}”.")
    hint = N_("Refresh the view: the proposal may have moved on already.")

    def __init__(self, state: State, kind: ProposalKind, action: Action, **params):
        self.state, self.kind, self.action = state, kind, action
        super().__init__(
            state=Term(STATE_LABELS[state]),
            kind=Term(KIND_LABELS[kind]),
            action=Term(ACTION_LABELS[action]),
            **params,
        )


class ActorNotAllowed(IllegalTransition):
    code = "actor_not_allowed"
    template = N_("Only {actors} can take the step “{action}”.")
    hint = N_("Ask them to take this step.")

    def __init__(self, state, kind, action, actors):
        super().__init__(
            state, kind, action,
            actors=Terms(ACTOR_LABELS[a] for a in Actor if a in actors),
        )


class MissingTransitionData(DomainError):
    code = "missing_transition_data"
    template = N_("This step needs {what}.")
    hint = N_("Fill it in, then take the step again.")

    def __init__(self, key: str):
        self.key = key
        super().__init__(what=Term(DATA_LABELS.get(key, key)))


class UnknownDecision(MissingTransitionData):
    code = "unknown_decision"
    template = N_("The muskel decision is missing or is not one this proposal can take.")
    hint = N_("Record the decision as written in the minutes (berita acara).")


# --- labels -------------------------------------------------------------------------

KIND_LABELS = {
    _K.BARU: N_("usulan baru"),
    _K.PEMBARUAN: N_("usulan pembaruan"),
    _K.SANGGAHAN: N_("sanggahan"),
}

STATE_LABELS = {
    _S.DRAFT: N_("Draft"),
    _S.GROUND_CHECK: N_("Ground check"),
    _S.MUSKEL: N_("Muskel deliberation"),
    _S.SPTJM: N_("Awaiting the Lurah's SPTJM"),
    _S.READY: N_("Ready to send"),
    _S.NOT_ELIGIBLE: N_("Not eligible"),
    _S.QUEUED: N_("Queued for sending"),
    _S.SENT: N_("Sent to the Dinas Sosial"),
    _S.RECEIVED: N_("Received by the Dinas Sosial"),
    _S.VERIFIED: N_("Verified"),
    _S.RETURNED: N_("Returned for correction"),
    _S.FINALISED: N_("Finalised"),
    _S.APPROVED: N_("Approved by the mayor"),
    _S.FORWARDED: N_("Forwarded to the ministry"),
    _S.SUPERSEDED: N_("Replaced by a newer version"),
    _S.WITHDRAWN: N_("Withdrawn"),
}

CITIZEN_EXPLANATIONS = {
    _S.DRAFT: N_("The kelurahan office is still preparing the proposal."),
    _S.GROUND_CHECK: N_("Officers will visit the household to check the data."),
    _S.MUSKEL: N_("The proposal will be discussed in the kelurahan deliberation (muskel)."),
    _S.SPTJM: N_("The proposal is waiting for the Lurah's signed statement (SPTJM)."),
    _S.READY: N_("The kelurahan has approved the proposal; it will be sent to the Dinas Sosial."),
    _S.NOT_ELIGIBLE: N_(
        "The proposal cannot continue because it does not meet the requirements. "
        "Please ask the kelurahan staff for an explanation."
    ),
    _S.QUEUED: N_("The proposal is waiting to be sent to the Dinas Sosial."),
    _S.SENT: N_("The proposal has been sent to the Dinas Sosial."),
    _S.RECEIVED: N_("The proposal is being checked by the Dinas Sosial."),
    _S.VERIFIED: N_("The Dinas Sosial has checked the data and found it valid."),
    _S.RETURNED: N_(
        "The Dinas Sosial returned the proposal for correction; the kelurahan office will fix it."
    ),
    _S.FINALISED: N_("The Dinas Sosial has finalised the proposal."),
    _S.APPROVED: N_("The mayor has approved the proposal."),
    _S.FORWARDED: N_(
        "The proposal has been forwarded to the Ministry of Social Affairs for the final decision."
    ),
    _S.SUPERSEDED: N_(
        "This proposal was replaced by a corrected version with the same tracking code."
    ),
    _S.WITHDRAWN: N_(
        "The proposal was withdrawn. Please ask the kelurahan staff for the reason."
    ),
}

ACTION_LABELS = {
    _A.EDIT: N_("edit"),
    _A.SEND_TO_MUSKEL: N_("take to the muskel"),
    _A.SEND_TO_SPTJM: N_("ask the Lurah for an SPTJM"),
    _A.SEND_TO_GROUND_CHECK: N_("send for a ground check"),
    _A.RECORD_GROUND_CHECK: N_("record the ground check"),
    _A.RECORD_MUSKEL_DECISION: N_("record the muskel decision"),
    _A.RECORD_SPTJM: N_("record the SPTJM"),
    _A.BACK_TO_DRAFT: N_("back to draft"),
    _A.QUEUE: N_("queue for sending"),
    _A.SEND: N_("send"),
    _A.REQUEUE: N_("queue again"),
    _A.RECEIVE: N_("receive"),
    _A.VERIFY: N_("verify"),
    _A.RETURN: N_("return for correction"),
    _A.FINALISE: N_("finalise"),
    _A.APPROVE: N_("approve"),
    _A.FORWARD: N_("forward to the ministry"),
    _A.REVISE: N_("make a new version"),
    _A.WITHDRAW: N_("withdraw"),
}

ACTOR_LABELS = {
    Actor.OFFICE: N_("the kelurahan operator"),
    Actor.LURAH: N_("the Lurah"),
    Actor.DINSOS: N_("the Dinas Sosial"),
    Actor.SYSTEM: N_("the sync service"),
}

DATA_LABELS = {
    REASON: N_("a reason"),
    DECISION: N_("the muskel decision"),
    MINUTES: N_("the scanned muskel minutes (berita acara)"),
    SPTJM_DOCUMENT: N_("the scanned SPTJM signed by the Lurah"),
    GROUND_CHECK_RESULT: N_("the ground-check result"),
}

DECISION_LABELS = {
    "eligible": N_("Eligible"),
    "not_eligible": N_("Not eligible"),
    "poor": N_("Poor"),
    "not_poor": N_("Not poor"),
}


def state_label(state: State) -> str:
    """The state's short name for the operator's lists, in the current language."""
    return _(STATE_LABELS[State(state)])


def citizen_explanation(state: State) -> str:
    """What the state means, in words for the citizen at the counter."""
    return _(CITIZEN_EXPLANATIONS[State(state)])


def action_label(action: Action) -> str:
    return _(ACTION_LABELS[Action(action)])


# --- queries ------------------------------------------------------------------------

EDITABLE = frozenset(r.from_state for r in TABLE if r.action is _A.EDIT)


def rules_for(state: State, kind: ProposalKind, action: Action | None = None) -> list[Rule]:
    return [
        r for r in TABLE
        if r.from_state is state and kind in r.kinds and (action is None or r.action is action)
    ]


def allowed_actions(state: State, kind: ProposalKind, actor: Actor) -> list[Action]:
    """The steps ``actor`` may take now, in table order (the order of the UI's buttons)."""
    seen: list[Action] = []
    for r in rules_for(State(state), ProposalKind(kind)):
        if Actor(actor) in r.actors and r.action not in seen:
            seen.append(r.action)
    return seen


def required_data(state: State, kind: ProposalKind, action: Action) -> tuple[str, ...]:
    """Keys of ``data`` the step needs (the decision key first when the step has one)."""
    keys: list[str] = []
    for r in rules_for(State(state), ProposalKind(kind), Action(action)):
        for key in ((r.when[0],) if r.when else ()) + r.needs:
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def decisions(state: State, kind: ProposalKind, action: Action) -> list[str]:
    """The decision values the step accepts (empty when it takes none)."""
    rules = rules_for(State(state), ProposalKind(kind), Action(action))
    return [r.when[1] for r in rules if r.when]


def guards(state: State, kind: ProposalKind, action: Action) -> frozenset[Guard]:
    found: set[Guard] = set()
    for r in rules_for(State(state), ProposalKind(kind), Action(action)):
        found |= r.guards
    return frozenset(found)


def is_editable(state: State) -> bool:
    """Only a proposal still being prepared in the office may change in place."""
    return State(state) in EDITABLE


def is_terminal(state: State, kind: ProposalKind) -> bool:
    """No row leaves ``state`` for this kind (finalised ends a pembaruan, not an usulan baru)."""
    return not rules_for(State(state), ProposalKind(kind))


def is_open(state: State, kind: ProposalKind | None = None) -> bool:
    """Still going somewhere; without a kind, open if it is open for any kind."""
    kinds = [ProposalKind(kind)] if kind is not None else list(ProposalKind)
    return any(not is_terminal(state, k) for k in kinds)


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return bool(value)
    return True


def transition(
    state: State,
    kind: ProposalKind,
    action: Action,
    *,
    actor: Actor,
    data: Mapping[str, Any] | None = None,
) -> TransitionRecord:
    """Take one step by the table, or raise IllegalTransition / MissingTransitionData."""
    state, kind, action, actor = State(state), ProposalKind(kind), Action(action), Actor(actor)
    data = dict(data or {})
    rules = rules_for(state, kind, action)
    if not rules:
        raise IllegalTransition(state, kind, action)
    permitted = [r for r in rules if actor in r.actors]
    if not permitted:
        raise ActorNotAllowed(state, kind, action, frozenset().union(*(r.actors for r in rules)))
    chosen = permitted[0]
    if chosen.when is not None:
        key = chosen.when[0]
        matching = [r for r in permitted if r.when and data.get(key) == r.when[1]]
        if not matching:
            raise UnknownDecision(key)
        chosen = matching[0]
    for key in chosen.needs:
        if not _filled(data.get(key)):
            raise MissingTransitionData(key)
    reason = data.get(REASON)
    return TransitionRecord(
        from_state=state,
        to_state=chosen.to_state,
        action=action,
        actor=actor,
        reason=reason.strip() if isinstance(reason, str) and reason.strip() else None,
        data=data,
        route=chosen.route,
    )


# Who a signed-in person of each role acts as in TABLE. Field staff take no proposal step: they
# check households on the ground and send signed results, which an operator merges.
ROLE_ACTORS: Mapping[str, frozenset[Actor]] = {
    "lurah": frozenset({Actor.OFFICE, Actor.LURAH}),
    "operator": frozenset({Actor.OFFICE}),
    "field_staff": frozenset(),
}


class RoleNotAllowed(DomainError):
    code = "role_not_allowed"
    template = N_("Field staff cannot do this: it is the office operators' work.")
    hint = N_("Ask an operator of the office to do it. Field staff record ground checks only.")


def require_office_role(role: str | None) -> None:
    """Raise unless ``role`` is one that does office work on proposals (drafts, steps, queueing)."""
    if not ROLE_ACTORS.get(role or "", frozenset()):
        raise RoleNotAllowed()
