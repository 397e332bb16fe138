"""Field merge: field-only changes apply, office changes and eligibility fields are asked, order and repeats do not matter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.field_merge import (
    ELIGIBILITY,
    FIELD_DISAGREES,
    OFFICE_CHANGED,
    Decision,
    FieldResult,
    merge,
)

BASE = {"floor_material": "earth", "wall_material": "bamboo", "income_band": "a"}


def r(rid, **values):
    return FieldResult(rid, BASE, {**BASE, **values})


def test_a_field_only_the_field_changed_is_applied():
    out = merge(BASE, [r("1", floor_material="cement_brick")])
    assert out.values["floor_material"] == "cement_brick" and out.applied == {"floor_material": "cement_brick"}
    assert out.conflicts == ()


def test_a_field_the_office_also_changed_is_a_conflict_and_keeps_the_office_value():
    office = {**BASE, "floor_material": "tile_terrazzo"}
    out = merge(office, [r("1", floor_material="cement_brick")])
    assert out.values["floor_material"] == "tile_terrazzo"
    (c,) = out.conflicts
    assert (c.reason, c.office_value, c.field_values) == (OFFICE_CHANGED, "tile_terrazzo", ("cement_brick",))


def test_the_office_changing_another_field_is_no_conflict():
    office = {**BASE, "wall_material": "masonry"}
    out = merge(office, [r("1", floor_material="cement_brick")])
    assert out.values == {**office, "floor_material": "cement_brick"} and out.conflicts == ()


def test_eligibility_fields_are_always_asked():
    out = merge(BASE, [r("1", income_band="b")])
    assert out.values["income_band"] == "a" and out.conflicts[0].reason == ELIGIBILITY
    decided = merge(BASE, [r("1", income_band="b")], [Decision("income_band", ("1",), "b")])
    assert decided.values["income_band"] == "b" and decided.conflicts == ()


def test_two_results_that_disagree_are_asked_and_a_decision_holds_only_for_those_results():
    results = [r("1", floor_material="cement_brick"), r("2", floor_material="wood_board")]
    (c,) = merge(BASE, results).conflicts
    assert c.reason == FIELD_DISAGREES and c.results == ("1", "2")
    decision = Decision("floor_material", ("1", "2"), "wood_board")
    assert merge(BASE, results, [decision]).values["floor_material"] == "wood_board"
    # A third result on the same field asks again.
    again = merge(BASE, [*results, r("3", floor_material="bamboo")], [decision])
    assert again.conflicts and again.values["floor_material"] == "earth"


VALUES = st.sampled_from(["earth", "bamboo", "cement_brick", "a", "b"])
FIELDS = ["floor_material", "wall_material", "income_band"]
RESULT = st.builds(
    lambda rid, base, values, version: FieldResult(str(rid), base, values, version),
    st.integers(0, 5),
    st.fixed_dictionaries({f: VALUES for f in FIELDS}),
    st.fixed_dictionaries({f: VALUES for f in FIELDS}),
    st.integers(1, 3),
)


def _unique(results):
    # One result id names one record: a duplicate is the same record imported again.
    seen = {}
    for result in results:
        seen.setdefault(result.result_id, result)
    return [seen[result.result_id] for result in results]


@settings(max_examples=300, deadline=None)
@given(office=st.fixed_dictionaries({f: VALUES for f in FIELDS}), results=st.lists(RESULT, max_size=6),
       data=st.data())
def test_any_order_and_any_repeat_converge(office, results, data):
    results = _unique(results)
    expected = merge(office, results)
    shuffled = data.draw(st.permutations(results))
    repeated = shuffled + data.draw(st.lists(st.sampled_from(results), max_size=4)) if results else shuffled
    assert merge(office, repeated) == expected
    # Merging is idempotent: the merged record merged again with the same results changes nothing more.
    again = merge(office, [*results, *results])
    assert again == expected


def test_a_check_on_a_newer_version_supersedes_older_checks():
    old = FieldResult("1", BASE, {**BASE, "floor_material": "cement_brick"}, 1)
    newer_base = {**BASE, "floor_material": "ceramic_marble"}
    new = FieldResult("2", newer_base, {**newer_base, "floor_material": "wood_board"}, 3)
    out = merge(newer_base, [new, old])
    assert out.values["floor_material"] == "wood_board" and out.conflicts == ()
    assert merge(newer_base, [old, new]) == out
