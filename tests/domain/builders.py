"""Well-formed domain values to start each test from: a household of Kelurahan Bugul Kidul."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from app.domain.household import Household, Member, Relationship, Sex
from app.domain.proposal import Programme, Proposal, ProposalKind
from app.domain.workflow import State

TODAY = date(2025, 6, 2)
OFFICE_REGENCY = "35.75"  # Kota Pasuruan
VILLAGE = "35.75.03.1009"  # Kelurahan Bugul Kidul, Kecamatan Bugul Kidul
KK = "3575031203150004"
HEAD_NIK = "3575034708850003"  # 357503, 07-08-85 + 40 (female), serial 0003
SPOUSE_NIK = "3575031204830001"  # 12-04-83, male
CHILD_NIK = "3575035501100002"  # 15-01-10 + 40, female


def member(**overrides) -> Member:
    values = dict(
        nik=HEAD_NIK,
        name="SITI AMINAH",
        sex=Sex.P,
        birth_place="PASURUAN",
        birth_date=date(1985, 8, 7),
        relationship=Relationship.KEPALA_KELUARGA,
        mother_name="FATIMAH",
    )
    values.update(overrides)
    return Member(**values)


def household(**overrides) -> Household:
    values = dict(
        kk_number=KK,
        address="JL. PAHLAWAN NO. 12",
        rt="3",
        rw="2",
        village_code=VILLAGE,
        members=(
            member(),
            member(
                nik=SPOUSE_NIK, name="BUDI SANTOSO", sex=Sex.L, birth_date=date(1983, 4, 12),
                relationship=Relationship.SUAMI, mother_name="SUMARNI",
            ),
            member(
                nik=CHILD_NIK, name="DEWI LESTARI", sex=Sex.P, birth_date=date(2010, 1, 15),
                relationship=Relationship.ANAK, mother_name="SITI AMINAH",
            ),
        ),
    )
    values.update(overrides)
    return Household(**values)


def proposal(**overrides) -> Proposal:
    values = dict(
        id=uuid.UUID(int=1),
        kind=ProposalKind.BARU,
        household=household(),
        programmes=frozenset({Programme.PKH}),
        changes=(),
        objection_subject_nik=None,
        objection_reason=None,
        objection_note=None,
        desil=2,
        route=None,
        state=State.DRAFT,
        version=1,
        base_id=None,
        tracking_code="USK-0000-0000",
    )
    values.update(overrides)
    return Proposal(**values)


def with_member(hh: Household, index: int, **changes) -> Household:
    members = list(hh.members)
    members[index] = replace(members[index], **changes)
    return replace(hh, members=tuple(members))
