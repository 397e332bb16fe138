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
