"""Proposal rules per kind, desil eligibility and the guarded workflow step."""

from __future__ import annotations

import pytest

from app.domain import workflow
from app.domain.household import NoMembers
from app.domain.proposal import (
    DesilDoesNotFit,
    DuplicateChange,
    InvalidDesil,
    MissingObjectionNote,
    MissingObjectionReason,
    MissingObjectionSubject,
    NoChanges,
    NoProgrammes,
    ObjectionReason,
    ObjectionSubjectNotMember,
    Programme,
    ProposalKind,
    SocioEconomicChange,
    UnchangedValue,
    UnknownVariable,
    ValueNotAllowed,
    advance,
    desil_fits,
    require_desil_fits,
    validate_proposal,
)
from app.domain.workflow import Action, Actor, Route, State
from tests.domain.builders import CHILD_NIK, OFFICE_REGENCY, TODAY, household, proposal

PKH, BPNT, PBI = Programme.PKH, Programme.BPNT, Programme.PBI_JK


@pytest.fixture
def check(regions):
    def run(p):
        report = validate_proposal(p, regions=regions, office_regency=OFFICE_REGENCY, today=TODAY)
        return [(i.field, type(i.error)) for i in report]

    return run


def change(variable="floor_material", old="earth", new="cement_brick"):
    return SocioEconomicChange(variable, old, new)


# --- programmes and desil -------------------------------------------------------------


def test_programme_values_and_display_names():
    assert [p.value for p in Programme] == ["pkh", "bpnt", "pbi_jk"]
    assert [p.display_name for p in Programme] == ["PKH", "BPNT/Sembako", "PBI-JK"]


@pytest.mark.parametrize(
    ("desil", "programmes", "fits"),
    [
        (1, {PKH}, True),
        (4, {PKH, BPNT}, True),
        (5, {PKH}, False),
        (5, {BPNT}, False),
        (5, {PBI}, True),
        (6, {PBI}, False),
        (4, {PKH, PBI}, True),
        (5, {PKH, PBI}, False),  # must fit every programme chosen
        (None, {PBI}, False),  # unknown desil: a pembaruan first
        (0, {PBI}, False),
        (11, {PBI}, False),
        (True, {PBI}, False),  # a bool is not a desil
        (1, set(), False),
    ],
)
def test_desil_fits(desil, programmes, fits):
    assert desil_fits(desil, programmes) is fits


def test_require_desil_fits_names_the_strictest_programme():
    require_desil_fits(3, {PKH, PBI})
    with pytest.raises(DesilDoesNotFit) as info:
        require_desil_fits(5, {PBI, BPNT, PKH})
    assert info.value.programme is BPNT  # BPNT and PKH both stop at 4: alphabetical
    assert info.value.params == {"desil": 5, "programme": "BPNT/Sembako", "max_desil": 4}
    assert info.value.message() == (
        "Desil 5 melebihi batas program BPNT/Sembako (desil 1 sampai 4). "
        "Sebaiknya ajukan usulan pembaruan dengan data sosial-ekonomi keluarga yang terbaru."
    )


def test_unknown_desil_says_so_and_points_to_pembaruan():
    with pytest.raises(DesilDoesNotFit) as info:
        require_desil_fits(None, {PKH})
    assert info.value.desil is None
    assert "usulan pembaruan" in info.value.message()
    with pytest.raises(NoProgrammes):
        require_desil_fits(2, set())


# --- baru -----------------------------------------------------------------------------


def test_a_valid_baru_has_no_issue(check):
    assert check(proposal()) == []


def test_baru_needs_a_programme(check):
    assert check(proposal(programmes=frozenset())) == [("programmes", NoProgrammes)]


@pytest.mark.parametrize("desil", [0, 11, -1])
def test_desil_out_of_range_is_an_error(check, desil):
    assert check(proposal(desil=desil)) == [("desil", InvalidDesil)]


def test_an_unknown_desil_may_be_saved(check):
    # The draft can wait: the desil is checked when the proposal goes to muskel or SPTJM.
    assert check(proposal(desil=None)) == []


def test_household_issues_come_first_and_keep_their_paths(check):
    assert check(proposal(household=household(members=()), programmes=frozenset())) == [
        ("members", NoMembers), ("programmes", NoProgrammes),
    ]


# --- pembaruan ------------------------------------------------------------------------


def pembaruan(*changes):
    return proposal(kind=ProposalKind.PEMBARUAN, programmes=frozenset(), desil=6, changes=changes)


def test_a_valid_pembaruan(check):
    assert check(pembaruan(change(), change("asset_motorcycle", "yes", "no"))) == []


def test_pembaruan_needs_a_change(check):
    assert check(pembaruan()) == [("changes", NoChanges)]


def test_pembaruan_variable_must_be_in_the_catalogue(check):
    assert check(pembaruan(change("favourite_colour", "red", "blue"))) == [
        ("changes[0].variable", UnknownVariable),
    ]


def test_pembaruan_values_must_be_allowed(check):
    assert check(pembaruan(change(old="marble", new="gold"))) == [
        ("changes[0].old_value", ValueNotAllowed), ("changes[0].new_value", ValueNotAllowed),
    ]


def test_pembaruan_value_must_change(check):
    assert check(pembaruan(change(old="earth", new="earth"))) == [
        ("changes[0].new_value", UnchangedValue),
    ]


def test_pembaruan_each_variable_once(check):
    assert check(pembaruan(change(), change(old="bamboo"))) == [
        ("changes[1].variable", DuplicateChange),
    ]


# --- sanggahan ------------------------------------------------------------------------


def sanggahan(**kw):
    values = dict(
        kind=ProposalKind.SANGGAHAN, programmes=frozenset({PKH}), desil=7,
        objection_subject_nik=CHILD_NIK, objection_reason=ObjectionReason.MAMPU,
    )
    values.update(kw)
    return proposal(**values)


def test_a_valid_sanggahan(check):
    assert check(sanggahan()) == []
    assert check(sanggahan(objection_subject_nik="3575-0355-0110-0002")) == []


def test_sanggahan_needs_a_subject_who_is_a_member(check):
    assert check(sanggahan(objection_subject_nik=None)) == [
        ("objection_subject_nik", MissingObjectionSubject),
    ]
    assert check(sanggahan(objection_subject_nik="3575030101900001")) == [
        ("objection_subject_nik", ObjectionSubjectNotMember),
    ]


def test_sanggahan_needs_a_reason(check):
    assert check(sanggahan(objection_reason=None)) == [("objection_reason", MissingObjectionReason)]


def test_lainnya_needs_a_note(check):
    assert check(sanggahan(objection_reason=ObjectionReason.LAINNYA, objection_note="  ")) == [
        ("objection_note", MissingObjectionNote),
    ]
    assert check(sanggahan(objection_reason=ObjectionReason.LAINNYA, objection_note="Pensiunan BUMN")) == []


def test_objection_reason_values_are_stable():
    assert [r.value for r in ObjectionReason] == [
        "meninggal", "pindah", "mampu", "asn_tni_polri", "ganda", "lainnya",
    ]


# --- the guarded workflow step --------------------------------------------------------


def test_advance_to_muskel_when_the_desil_fits():
    record = advance(proposal(desil=4), Action.SEND_TO_MUSKEL, actor=Actor.OFFICE)
    assert (record.to_state, record.route) == (State.MUSKEL, Route.MUSKEL)
    record = advance(proposal(desil=1), Action.SEND_TO_SPTJM, actor=Actor.OFFICE)
    assert (record.to_state, record.route) == (State.SPTJM, Route.SPTJM)


@pytest.mark.parametrize("desil", [None, 5])
def test_advance_refuses_a_desil_that_does_not_fit(desil):
    with pytest.raises(DesilDoesNotFit):
        advance(proposal(desil=desil), Action.SEND_TO_MUSKEL, actor=Actor.OFFICE)
    with pytest.raises(DesilDoesNotFit):
        advance(proposal(desil=desil), Action.SEND_TO_SPTJM, actor=Actor.OFFICE)


def test_advance_checks_the_table_before_the_guard():
    with pytest.raises(workflow.IllegalTransition):
        advance(proposal(desil=9, state=State.QUEUED), Action.SEND_TO_MUSKEL, actor=Actor.OFFICE)


def test_advance_without_guard_ignores_the_desil():
    p = sanggahan(desil=None)
    assert advance(p, Action.SEND_TO_GROUND_CHECK, actor=Actor.OFFICE).to_state is State.GROUND_CHECK
