"""Proposals as plain JSON-able dicts: the CLI's input and output, demo data, and exports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.domain import workflow
from app.domain.fields import FieldLabel
from app.domain.household import Household, Member, Relationship, Sex
from app.domain.proposal import ObjectionReason, Programme, Proposal, ProposalKind, Route, SocioEconomicChange
from app.errors import UsulkanError
from app.i18n import N_


class InputInvalid(UsulkanError):
    template = N_("The field {field} is missing or not valid.")
    hint = N_("Correct it in the input and try again.")

    def __init__(self, *, field: str, **params):
        # The path stays in params["field"] (a str); shown, it reads as the field's label.
        super().__init__(field=FieldLabel(field), **params)


def _get(data: dict, key: str, field: str, kind=str) -> Any:
    if not isinstance(data, dict) or key not in data or data[key] is None:
        raise InputInvalid(field=field)
    value = data[key]
    if kind is str and not isinstance(value, str):
        raise InputInvalid(field=field)
    return value


def _enum(enum, value, field):
    try:
        return enum(value)
    except ValueError as exc:
        raise InputInvalid(field=field) from exc


def _date(value, field) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InputInvalid(field=field) from exc


def _birth_date(data: dict, field: str) -> date | None:
    """An ISO date; left out (null or "") while a Konsep is not complete, which validation reports."""
    if not isinstance(data, dict) or "birth_date" not in data:
        raise InputInvalid(field=field)
    value = data["birth_date"]
    return None if value in (None, "") else _date(value, field)


def member_from_dict(data: dict, field: str) -> Member:
    return Member(
        nik=str(_get(data, "nik", f"{field}.nik")).strip(),
        name=_get(data, "name", f"{field}.name").strip(),
        sex=_enum(Sex, _get(data, "sex", f"{field}.sex"), f"{field}.sex"),
        birth_place=_get(data, "birth_place", f"{field}.birth_place").strip(),
        birth_date=_birth_date(data, f"{field}.birth_date"),
        relationship=_enum(Relationship, _get(data, "relationship", f"{field}.relationship"), f"{field}.relationship"),
        mother_name=_get(data, "mother_name", f"{field}.mother_name").strip(),
    )


def proposal_from_dict(data: dict) -> Proposal:
    """Build a draft proposal from the documented JSON form (docs/cli.md); ids come later."""
    household = _get(data, "household", "household", dict)
    members = _get(household, "members", "household.members", list)
    objection = data.get("objection") or {}
    return Proposal(
        id=uuid.uuid4(),
        kind=_enum(ProposalKind, _get(data, "kind", "kind"), "kind"),
        household=Household(
            kk_number=str(_get(household, "kk_number", "household.kk_number")).strip(),
            address=_get(household, "address", "household.address").strip(),
            rt=str(_get(household, "rt", "household.rt", object)).strip(),
            rw=str(_get(household, "rw", "household.rw", object)).strip(),
            village_code=_get(household, "village_code", "household.village_code"),
            members=tuple(member_from_dict(m, f"members[{i}]") for i, m in enumerate(members)),
        ),
        programmes=frozenset(_enum(Programme, p, "programmes") for p in data.get("programmes", [])),
        changes=tuple(
            SocioEconomicChange(
                _get(c, "variable", f"changes[{i}].variable"),
                _get(c, "old", f"changes[{i}].old"),
                _get(c, "new", f"changes[{i}].new"),
            )
            for i, c in enumerate(data.get("changes", []))
        ),
        objection_subject_nik=objection.get("subject_nik"),
        objection_reason=_enum(ObjectionReason, objection["reason"], "objection.reason")
        if objection.get("reason")
        else None,
        objection_note=objection.get("note"),
        desil=data.get("desil"),
        route=_enum(Route, data["route"], "route") if data.get("route") else None,
        state=workflow.State.DRAFT,
        version=1,
        base_id=None,
        tracking_code="",
    )


def proposal_to_dict(p: Proposal) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "tracking_code": p.tracking_code,
        "kind": p.kind.value,
        "state": p.state.value,
        "version": p.version,
        "base_id": str(p.base_id) if p.base_id else None,
        "desil": p.desil,
        "route": p.route.value if p.route else None,
        "programmes": sorted(prog.value for prog in p.programmes),
        "changes": [{"variable": c.variable, "old": c.old_value, "new": c.new_value} for c in p.changes],
        "objection": {
            "subject_nik": p.objection_subject_nik,
            "reason": p.objection_reason.value if p.objection_reason else None,
            "note": p.objection_note,
        }
        if p.kind is ProposalKind.SANGGAHAN
        else None,
        "household": {
            "kk_number": p.household.kk_number,
            "address": p.household.address,
            "rt": p.household.rt,
            "rw": p.household.rw,
            "village_code": p.household.village_code,
            "members": [
                {
                    "nik": m.nik,
                    "name": m.name,
                    "sex": m.sex.value,
                    "birth_place": m.birth_place,
                    "birth_date": m.birth_date.isoformat() if m.birth_date else None,
                    "relationship": m.relationship.value,
                    "mother_name": m.mother_name,
                }
                for m in p.household.members
            ],
        },
    }
