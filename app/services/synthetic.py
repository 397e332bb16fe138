"""Synthetic but well-formed households for the demo office and benchmarks (no real people)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Names by sex, as the Kartu Keluarga would show them: a demo where "BUDI" is a wife or a
# mother is called "AHMAD" is not believed by the people it is shown to.
MALE_FIRST = (
    "AHMAD", "MUHAMMAD", "BUDI", "AGUS", "EKO", "WAHYU", "RIZKY", "HENDRA", "SUPRIYADI", "SLAMET",
    "JOKO", "BAMBANG", "TAUFIK", "IMAM", "SUGENG", "ARIF", "HARIYANTO", "DEDI", "YUSUF", "ABDUL",
)
FEMALE_FIRST = (
    "SITI", "NUR", "DEWI", "SRI", "RINA", "PUTRI", "ANISA", "FITRI", "YULI", "NINGSIH", "SUMARNI",
    "LESTARI", "KARTINI", "INDAH", "RATNA", "ENDANG", "SULASTRI", "WATI", "UMI", "MARYAM",
)
MALE_LAST = (
    "SANTOSO", "WIJAYA", "HIDAYAT", "SETIAWAN", "KURNIAWAN", "PRATAMA", "SUSANTO", "SAPUTRA", "FAUZI",
    "MAULANA", "PURNOMO", "SUGIANTO", "ROHMAN", "ANWAR", "ZAINAL", "HAKIM",
)
FEMALE_LAST = (
    "AMINAH", "RAHAYU", "HANDAYANI", "WULANDARI", "NURHAYATI", "SARI", "HASANAH", "FATIMAH",
    "KHOTIMAH", "SETYANINGSIH", "ROHMAWATI", "PUSPITASARI", "MARDIYAH", "LESTARI",
)
LATEST_BIRTH = date(2024, 12, 31)
PLACES = ("PASURUAN", "SURABAYA", "MALANG", "SIDOARJO", "PROBOLINGGO")
STREETS = ("JL. PAHLAWAN", "JL. SOEKARNO HATTA", "JL. KH WACHID HASYIM", "GG. MAWAR", "JL. ANGGREK")


@dataclass(frozen=True)
class SyntheticMember:
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    relation: str
    mother_name: str


@dataclass(frozen=True)
class SyntheticHousehold:
    kk_number: str
    address: str
    rt: str
    rw: str
    members: tuple[SyntheticMember, ...]


def nik_for(district6: str, birth: date, sex: str, serial: int) -> str:
    """Region, birth date (day + 40 for a woman) and a serial 0001-9999 (0000 is never issued)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{district6}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 9999 + 1:04d}"


def _name(rng: random.Random, sex: str = "") -> str:
    sex = sex or rng.choice("LP")
    first, last = (MALE_FIRST, MALE_LAST) if sex == "L" else (FEMALE_FIRST, FEMALE_LAST)
    return f"{rng.choice(first)} {rng.choice(last)}"


def households(count: int, *, district6: str = "357503", seed: int = 7):
    """Yield ``count`` households, each NIK unique (serials run across the whole set)."""
    rng = random.Random(seed)
    serial = 0
    for index in range(count):
        head_birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
        size = rng.choice((1, 2, 3, 4, 4, 5, 6))
        members: list[SyntheticMember] = []
        for position in range(size):
            serial += 1
            if position == 0:
                sex, birth, relation = rng.choice("LP"), head_birth, "kepala_keluarga"
            elif position == 1:
                sex = "P" if members[0].sex == "L" else "L"
                birth = head_birth + timedelta(days=rng.randrange(-2000, 1500))
                relation = "istri" if sex == "P" else "suami"
            else:
                sex = rng.choice("LP")
                birth = head_birth + timedelta(days=rng.randrange(7300, 12000))
                relation = "anak"
            if birth > LATEST_BIRTH:  # a young couple's children: born in recent years, not all on one day
                birth = LATEST_BIRTH - timedelta(days=rng.randrange(0, 2500))
            # A child's mother is the woman of the couple; the couple's own mothers are other women.
            wife = next((m for m in members if m.sex == "P" and m.relation in ("kepala_keluarga", "istri")), None)
            mother = wife.name if relation == "anak" and wife is not None else _name(rng, "P")
            members.append(
                SyntheticMember(
                    nik=nik_for(district6, birth, sex, serial),
                    name=_name(rng, sex),
                    sex=sex,
                    birth_place=rng.choice(PLACES),
                    birth_date=birth,
                    relation=relation,
                    mother_name=mother,
                )
            )
        kk = (f"{district6}{(index % 28) + 1:02d}{rng.randrange(1, 13):02d}{rng.randrange(5, 24):02d}"
              f"{index % 9999 + 1:04d}")
        yield SyntheticHousehold(
            kk_number=kk,
            address=f"{rng.choice(STREETS)} NO. {rng.randrange(1, 200)}",
            rt=f"{rng.randrange(1, 12):03d}",
            rw=f"{rng.randrange(1, 8):03d}",
            members=tuple(members),
        )
