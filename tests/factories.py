"""Well-formed test data: a household of Kelurahan Bugul Kidul (Kota Pasuruan)."""

from __future__ import annotations

import copy

VILLAGE = "35.75.03.1009"
# NIK: district 357503, born 07-08-1985, female (day + 40), serial 0003.
HEAD_NIK = "3575034708850003"
SPOUSE_NIK = "3575031204830001"
CHILD_NIK = "3575035501100002"
KK = "3575031203150004"

BASE = {
    "kind": "baru",
    "programmes": ["pkh"],
    "desil": 2,
    "household": {
        "kk_number": KK,
        "address": "JL. PAHLAWAN NO. 12",
        "rt": "3",
        "rw": "2",
        "village_code": VILLAGE,
        "members": [
            {
                "nik": HEAD_NIK,
                "name": "SITI AMINAH",
                "sex": "P",
                "birth_place": "PASURUAN",
                "birth_date": "1985-08-07",
                "relationship": "kepala_keluarga",
                "mother_name": "FATIMAH",
            },
            {
                "nik": SPOUSE_NIK,
                "name": "BUDI SANTOSO",
                "sex": "L",
                "birth_place": "PASURUAN",
                "birth_date": "1983-04-12",
                "relationship": "suami",
                "mother_name": "SUMARNI",
            },
            {
                "nik": CHILD_NIK,
                "name": "DEWI LESTARI",
                "sex": "P",
                "birth_place": "PASURUAN",
                "birth_date": "2010-01-15",
                "relationship": "anak",
                "mother_name": "SITI AMINAH",
            },
        ],
    },
}


def proposal_dict(**overrides) -> dict:
    data = copy.deepcopy(BASE)
    data.update(overrides)
    return data


def household_with(niks: list[str], kk: str = KK) -> dict:
    """A household whose members carry the given NIKs (birth dates and sex follow the NIK)."""
    data = proposal_dict()
    members = []
    for index, nik in enumerate(niks):
        day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
        sex = "P" if day > 40 else "L"
        day = day - 40 if day > 40 else day
        century = 1900 if year > 30 else 2000
        members.append(
            {
                "nik": nik,
                "name": f"ANGGOTA {index}",
                "sex": sex,
                "birth_place": "PASURUAN",
                "birth_date": f"{century + year:04d}-{month:02d}-{day:02d}",
                "relationship": "kepala_keluarga" if index == 0 else "anak",
                "mother_name": "IBU",
            }
        )
    data["household"]["members"] = members
    data["household"]["kk_number"] = kk
    return data


def machine_step(ctx, proposal_id: str, action, actor, *, reason: str | None = None, data: dict | None = None):
    """A step the sync worker or Dinsos's status feed takes (tests play them): never a person's."""
    from app.services import proposals
    from app.storage.models import Proposal as ProposalRow

    with ctx.transaction() as session:
        row = session.get(ProposalRow, proposal_id)
        proposals.step_in(ctx, session, row, action, actor=actor, reason=reason, data=data)


def record_sptjm(ctx, proposal_id: str, attachment_id: str, lurah_passphrase: str, totp_code: str | None = None):
    """The Lurah approves and records the SPTJM of ``proposal_id`` in ``ctx`` (her session or at a desk)."""
    from app.domain import workflow
    from app.services import lurah, proposals

    approval = lurah.confirm(ctx, lurah_passphrase, purpose=lurah.Purpose.SPTJM, subject=proposal_id,
                             totp_code=totp_code)
    return proposals.apply_action(ctx, proposal_id, workflow.Action.RECORD_SPTJM, confirmation=approval,
                                  data={"sptjm_attachment_id": attachment_id})


def approve(ctx, purpose, subject: str | None = None, *, passphrase: str | None = None,
            totp_code: str | None = None):
    """The Lurah's approval of one step, typed in ``ctx`` (her session, or at someone's desk)."""
    from app.services import lurah
    from tests.conftest import LURAH_PASS

    return lurah.confirm(ctx, LURAH_PASS if passphrase is None else passphrase, purpose=lurah.Purpose(purpose),
                         subject=subject, totp_code=totp_code)


def countersign_all(ctx, passphrase: str | None = None, totp_code: str | None = None) -> list[str]:
    """The Lurah looks at the batches waiting for her and countersigns exactly those."""
    from app.services import outbox

    shown = outbox.awaiting_countersignature(ctx)
    approval = approve(ctx, "countersign", outbox.countersign_subject(shown), passphrase=passphrase,
                       totp_code=totp_code)
    return outbox.countersign_pending(ctx, approval, shown)
