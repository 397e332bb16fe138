"""Merging ground-check results into the office's household record, field by field against each result's base.

The outcome is a function of the office's own values and the *set* of results (and the
operator's decisions), never of the order they arrived in: applying results in any order, or
one twice, gives the same record. A field only the field person changed is applied; a field the
office also changed since the base, or that two results answer differently, is a conflict the
operator decides; a field that decides eligibility is never applied without the operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.i18n import N_

# Variables that move the desil or a programme's eligibility: always the operator's decision.
ELIGIBILITY_VARIABLES = frozenset({
    "income_band", "head_occupation", "electricity_power", "house_ownership",
    "asset_car", "asset_land", "asset_gold", "member_with_disability", "member_with_chronic_illness",
})

OFFICE_CHANGED = "office_changed"
FIELD_DISAGREES = "field_disagrees"
ELIGIBILITY = "eligibility"
REASON_LABELS = {
    OFFICE_CHANGED: N_("The office changed it after the assignment"),
    FIELD_DISAGREES: N_("Two field results differ"),
    ELIGIBILITY: N_("Decides eligibility: always asked"),
}


@dataclass(frozen=True)
class FieldResult:
    """One household's record from a results file: what the field person found, and what it was based on."""

    result_id: str
    base: Mapping[str, str]  # the household's values at the base version (the office's copy)
    values: Mapping[str, str]
    base_version: int = 0

    def changed(self) -> dict[str, str]:
        return {code: value for code, value in self.values.items() if self.base.get(code) != value}


@dataclass(frozen=True)
class Decision:
    """The operator's choice for one field, for exactly the results it was asked about."""

    variable: str
    results: tuple[str, ...]  # sorted ids of the results that changed the field
    value: str | None


@dataclass(frozen=True)
class Conflict:
    variable: str
    office_value: str | None
    field_values: tuple[str, ...]
    results: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Outcome:
    values: dict[str, str | None]  # the record after merging (office values where nothing applies)
    applied: dict[str, str]  # fields taken from the field results (or decided by the operator)
    conflicts: tuple[Conflict, ...]


def counted(results: Iterable[FieldResult]) -> list[FieldResult]:
    """The results that count: one per id, and only those made on the newest base version.

    A ground check made on a newer version of the record saw what the office had merged or
    corrected since, so it supersedes checks made on older versions (whatever order they came in).
    """
    unique = {r.result_id: r for r in results}
    if not unique:
        return []
    latest = max(r.base_version for r in unique.values())
    return sorted((r for r in unique.values() if r.base_version == latest), key=lambda r: r.result_id)


def merge(office: Mapping[str, str | None], results: Iterable[FieldResult],
          decisions: Iterable[Decision] = (), *, eligibility: frozenset[str] = ELIGIBILITY_VARIABLES) -> Outcome:
    """The household record once ``results`` are merged into the office's own values ``office``."""
    unique = {r.result_id: r for r in counted(results)}
    chosen = {(d.variable, d.results): d.value for d in decisions}
    by_field: dict[str, list[FieldResult]] = {}
    for result in unique.values():
        for code in result.changed():
            by_field.setdefault(code, []).append(result)
    values = dict(office)
    applied: dict[str, str] = {}
    conflicts = []
    for code in sorted(by_field):
        contributors = by_field[code]
        ids = tuple(sorted(r.result_id for r in contributors))
        candidates = tuple(sorted({r.values[code] for r in contributors}))
        current = office.get(code)
        if (code, ids) in chosen:
            value = chosen[(code, ids)]
            values[code] = value
            if value != current:
                applied[code] = value
            continue
        if candidates == (current,):
            continue  # the office already has what the field found
        if code in eligibility:
            reason = ELIGIBILITY
        elif len(candidates) > 1:
            reason = FIELD_DISAGREES
        elif any(r.base.get(code) != current for r in contributors):
            reason = OFFICE_CHANGED
        else:
            values[code] = applied[code] = candidates[0]
            continue
        conflicts.append(Conflict(code, current, candidates, ids, reason))
    return Outcome(values, applied, tuple(conflicts))
