"""A proposal's field paths (``members[0].birth_date``) as the operator reads them, in form order."""

from __future__ import annotations

import re

from app.i18n import N_, _

# The household form, top to bottom, then the members' columns, then "what is proposed".
HOUSEHOLD_FIELDS = (
    ("kk_number", N_("No. KK")),
    ("address", N_("Address")),
    ("rt", N_("RT")),
    ("rw", N_("RW")),
    ("village_code", N_("Kelurahan/desa")),
)
_HOUSEHOLD = HOUSEHOLD_FIELDS + (("members", N_("Members of the household")),)
MEMBER_COLUMNS = (
    ("nik", N_("NIK")),
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("birth_place", N_("Birth place")),
    ("birth_date", N_("Birth date")),
    ("relationship", N_("Relationship")),
    ("mother_name", N_("Mother's name")),
)
_PROPOSED = (
    ("kind", N_("Kind")),
    ("programmes", N_("Programmes")),
    ("desil", N_("Desil in the DTSEN")),
    ("route", N_("Route")),
    ("changes", N_("Changes to the household's data")),
    ("objection_subject_nik", N_("Person")),
    ("objection_reason", N_("Reason")),
    ("objection_note", N_("Explanation")),
    ("subject_nik", N_("NIK of the person concerned")),
    ("reporter_name", N_("Reporter's name")),
    ("description", N_("Description")),
)
_TOP = {name: (rank, label) for rank, (name, label) in enumerate(_HOUSEHOLD + _PROPOSED)}
_MEMBERS_RANK = _TOP["members"][0]
_MEMBER = {name: (rank, label) for rank, (name, label) in enumerate(MEMBER_COLUMNS)}
_INDEXED = re.compile(r"^(members|changes)\[(\d+)\]\.?(.*)$")
_PREFIXES = ("household.", "objection.")


def _plain(path: str) -> str:
    for prefix in _PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix):]
            if prefix == "objection.":
                path = f"objection_{path}"
    return path


def field_label(path: str) -> str:
    """``members[0].birth_date`` -> "Member 1, Birth date" (translated); never a raw path."""
    path = _plain(path or "")
    indexed = _INDEXED.match(path)
    if indexed:
        group, number, rest = indexed.group(1), int(indexed.group(2)) + 1, indexed.group(3)
        if group == "members":
            column = _MEMBER.get(rest)
            if column is None:
                return _("Member {number}").format(number=number)
            return _("Member {number}, {column}").format(number=number, column=_(column[1]))
        return _("Change {number}").format(number=number)
    entry = _TOP.get(path)
    return _(entry[1]) if entry else _("The form")


def field_order(path: str) -> tuple[int, int, int]:
    """Where a field sits in the form: sort issues by it to list them as the operator reads."""
    path = _plain(path or "")
    indexed = _INDEXED.match(path)
    if indexed:
        group, index, rest = indexed.group(1), int(indexed.group(2)), indexed.group(3)
        if group == "members":
            return (_MEMBERS_RANK, index + 1, _MEMBER.get(rest, (len(_MEMBER), ""))[0])
        return (_TOP["changes"][0], index + 1, 0)
    return (_TOP.get(path, (len(_TOP), ""))[0], 0, 0)


class FieldLabel(str):
    """A field path put into a message, shown as its label in the language of the moment."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(field_label(str(self)), spec)
