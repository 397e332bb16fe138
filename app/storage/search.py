"""How names and identity numbers are normalised and searched in the office database."""

from __future__ import annotations

from sqlalchemy import Connection, Select, bindparam, select, text
from sqlalchemy.orm import Session

from app.domain.nik import is_ascii_digits, normalise_nik
from app.storage.models import Household, Member

# FTS5 trigram needs at least three characters; shorter parts fall back to a LIKE scan.
TRIGRAM_MIN = 3


# Built once: constructing a statement and its cache key costs SQLAlchemy ~0.6 ms, ten
# times what SQLCipher needs to answer it. Lookups by NIK or No. KK run this same object.
_MEMBERS_BY_IDENTITY = (
    select(Member.household_id.label("household_id"))
    .where(Member.nik == bindparam("digits"))
    .union(select(Household.id).where(Household.kk_number == bindparam("digits")))
    .subquery()
)
PROPOSALS_BY_IDENTITY = (
    select(Household.proposal_id)
    .where(Household.id.in_(select(_MEMBERS_BY_IDENTITY.c.household_id)))
)


def proposal_ids_for_identity(connection: Connection | Session, digits: str) -> list[str]:
    """Ids of proposals whose household holds this NIK or has this No. KK (16 digits)."""
    return list(connection.execute(PROPOSALS_BY_IDENTITY, {"digits": digits}).scalars())


def name_key(name: str) -> str:
    """Upper case with single spaces: the form prefix search compares."""
    return " ".join(name.split()).upper()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def member_ids_matching(query: str) -> Select:
    """Member ids whose NIK, household No. KK or name matches ``query``.

    Digits: exact NIK or No. KK (16 digits) or a NIK/KK prefix. Text: a name prefix
    (index range on name_key) or any part of a name (FTS5 trigram index).
    """
    # A pasted NUL or other control character would end FTS5's string early ("unterminated string").
    query = "".join(c if c.isprintable() else " " for c in query).strip()
    digits = normalise_nik(query)
    if digits and is_ascii_digits(digits):
        if len(digits) == 16:
            # A UNION, not an OR: each arm walks its own index (nik, kk_number).
            return select(Member.id).where(Member.nik == digits).union(
                select(Member.id).where(
                    Member.household_id.in_(select(Household.id).where(Household.kk_number == digits))
                )
            )
        pattern = _escape_like(digits) + "%"
        return select(Member.id).where(Member.nik.like(pattern, escape="\\"))
    key = name_key(query)
    prefix = select(Member.id).where(
        Member.name_key >= key, Member.name_key < key + "\uffff"
    )
    if len(key) < TRIGRAM_MIN:
        return prefix
    part = select(text("rowid")).select_from(text("member_name_fts")).where(
        text("member_name_fts MATCH :phrase").bindparams(phrase=_fts_phrase(query))
    )
    return prefix.union(part)
