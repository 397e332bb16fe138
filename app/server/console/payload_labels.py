"""A proposal's payload as a verifier reads it: field names and coded values in human words, translated.

The words are the office's own (app/domain): the same msgids, so Indonesian comes from the same
catalogues the kelurahan reads. A key or code this module does not know is shown as it is, never
dropped: a newer office may send a field the server does not know yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.domain import socioeconomic
from app.domain.fields import HOUSEHOLD_FIELDS
from app.domain.fields import MEMBER_COLUMNS as MEMBER_FIELDS
from app.domain.household import RELATIONSHIP_LABELS, SEX_LABELS
from app.domain.proposal import OBJECTION_REASON_LABELS, PROGRAMME_NAMES
from app.i18n import N_

Translate = Callable[[str], str]

PROPOSAL_FIELDS = (
    ("kind", N_("Kind")),
    ("programmes", N_("Programmes")),
    ("programme", N_("Programmes")),
    ("desil", N_("Desil in the DTSEN")),
    ("tracking_code", N_("Tracking code")),
)
OBJECTION_FIELDS = (
    ("subject_nik", N_("Person")),
    ("reason", N_("Reason")),
    ("note", N_("Explanation")),
)
_TOP = dict(PROPOSAL_FIELDS)
_HOUSEHOLD = dict(HOUSEHOLD_FIELDS)
_MEMBER = dict(MEMBER_FIELDS)
_OBJECTION = dict(OBJECTION_FIELDS)
_SEX = {k.value: v for k, v in SEX_LABELS.items()}
_RELATION = {k.value: v for k, v in RELATIONSHIP_LABELS.items()}
_OBJECTION_REASON = {k.value: v for k, v in OBJECTION_REASON_LABELS.items()}
_PROGRAMME = {k.value: v for k, v in PROGRAMME_NAMES.items()}
_PATH = re.compile(r"^(?:household\.)?members\[(\d+)\]\.(\w+)$")
_CHANGE = re.compile(r"^changes\[(\d+)\]\.(\w+)$")


def value_label(_: Translate, key: str, value: object) -> str:
    """A coded value (``kepala_keluarga``, ``P``, ``pbi_jk``) in words; anything else as text."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(value_label(_, key, v) for v in value)
    text = str(value)
    if key == "sex" and text in _SEX:
        return _(_SEX[text])
    if key in ("relationship", "relation") and text in _RELATION:
        return _(_RELATION[text])
    if key in ("programmes", "programme"):
        return _PROGRAMME.get(text, text)
    if key == "objection_reason" and text in _OBJECTION_REASON:
        return _(_OBJECTION_REASON[text])
    return text


def field_label(_: Translate, path: str) -> str:
    """``household.members[1].birth_date`` -> "Member 2, Birth date"; an unknown path as it is."""
    member = _PATH.match(path)
    if member:
        number, column = int(member.group(1)) + 1, member.group(2)
        if column in _MEMBER:
            return _("Member {number}, {column}").format(number=number, column=_(_MEMBER[column]))
        return _("Member {number}").format(number=number) + f" ({column})"
    change = _CHANGE.match(path)
    if change:
        return _("Change {number}").format(number=int(change.group(1)) + 1)
    if path.startswith("household.") and path[10:] in _HOUSEHOLD:
        return _(_HOUSEHOLD[path[10:]])
    if path.startswith("objection.") and path[10:] in _OBJECTION:
        return _(_OBJECTION[path[10:]])
    top = re.sub(r"\[\d+\]$", "", path)
    if top in _TOP:
        return _(_TOP[top])
    return path


def _leaf_key(path: str) -> str:
    key = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])
    return "objection_reason" if path == "objection.reason" else key


def household_facts(_: Translate, payload: dict) -> list[tuple[str, str]]:
    """(label, value) of the household and the proposal, in form order; unknown keys last, as they are."""
    household = payload.get("household") if isinstance(payload.get("household"), dict) else {}
    out = [(_(label), value_label(_, key, household[key])) for key, label in HOUSEHOLD_FIELDS if key in household]
    known = set(_HOUSEHOLD) | {"members"}
    out += [(key, value_label(_, key, value)) for key, value in sorted(household.items())
            if key not in known and not isinstance(value, (dict, list))]
    out += [(_(label), value_label(_, key, payload[key])) for key, label in PROPOSAL_FIELDS
            if key in payload and key not in ("kind", "tracking_code")]
    objection = payload.get("objection") if isinstance(payload.get("objection"), dict) else {}
    for key, label in OBJECTION_FIELDS:
        if objection.get(key):
            out.append((_(label), value_label(_, "objection_reason" if key == "reason" else key, objection[key])))
    return out


def members_table(_: Translate, payload: dict) -> tuple[list[str], list[list[str]]]:
    """The members as a table: the columns any member has (known ones in form order), one row each."""
    household = payload.get("household") if isinstance(payload.get("household"), dict) else {}
    members = [m for m in household.get("members") or [] if isinstance(m, dict)]
    present = {key for m in members for key in m}
    keys = [key for key, _label in MEMBER_FIELDS if key in present] + sorted(present - set(_MEMBER))
    header = [_(_MEMBER[key]) if key in _MEMBER else key for key in keys]
    rows = [[value_label(_, key, m.get(key)) if key in m else "" for key in keys] for m in members]
    return header, rows


def proposed_changes(_: Translate, payload: dict) -> list[tuple[str, str, str]]:
    """An update's DTSEN changes (variable, as recorded, as it really is now), in words."""
    out = []
    for change in payload.get("changes") or []:
        if not isinstance(change, dict):
            continue
        code = str(change.get("variable") or "")
        variable = socioeconomic.variable(code)
        old, new = change.get("old", change.get("old_value")), change.get("new", change.get("new_value"))
        if variable is None:
            out.append((code, str(old), str(new)))
        else:
            out.append((_(variable.label), _value(_, variable, old), _value(_, variable, new)))
    return out


def _value(_: Translate, variable, value) -> str:
    if value is None:
        return "—"
    return next((_(c.label) for c in variable.choices if c.code == value), str(value))


def labelled_diff(_: Translate, diff: list[tuple[str, object, object]]) -> list[tuple[str, str, str]]:
    """The field-by-field difference of two versions with labels and words instead of keys and codes."""
    return [(field_label(_, path), value_label(_, _leaf_key(path), old), value_label(_, _leaf_key(path), new))
            for path, old, new in diff]
