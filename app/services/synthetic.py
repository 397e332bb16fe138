"""Synthetic but well-formed households for the demo office and benchmarks (no real people)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = (
    "SITI", "NUR", "AHMAD", "MUHAMMAD", "DEWI", "SRI", "BUDI", "AGUS", "EKO", "RINA", "WAHYU",
    "DIAN", "PUTRI", "RIZKY", "ANISA", "FITRI", "HENDRA", "YULI", "NINGSIH", "SUPRIYADI",
    "SLAMET", "SUMARNI", "JOKO", "LESTARI", "KARTINI", "BAMBANG", "INDAH", "TAUFIK", "RATNA",
)
LAST = (
    "AMINAH", "RAHAYU", "SANTOSO", "WIJAYA", "HIDAYAT", "SETIAWAN", "KURNIAWAN", "PRATAMA",
    "HANDAYANI", "SUSANTO", "WULANDARI", "SAPUTRA", "NURHAYATI", "FAUZI", "MAULANA", "SARI",
    "HASANAH", "PURNOMO", "SUGIANTO", "ROHMAN", "KHOIRUL", "ANWAR", "FATIMAH", "ZAINAL",
)
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
    day = birth.day + (40 if sex == "P" else 0)
    return f"{district6}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 10000:04d}"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def households(count: int, *, district6: str = "357503", seed: int = 7):
    """Yield ``count`` households, each NIK unique (serials run across the whole set)."""
    rng = random.Random(seed)
    serial = 0
    for index in range(count):
        head_birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
        size = rng.choice((1, 2, 3, 4, 4, 5, 6))
        members = []
        for position in range(size):
            serial += 1
            if position == 0:
                sex, birth, relation = rng.choice("LP"), head_birth, "kepala_keluarga"
            elif position == 1:
                sex = "P" if members[0].sex == "L" else "L"
                birth = head_birth + timedelta(days=rng.randrange(-2000, 2000))
                relation = "istri" if sex == "P" else "suami"
            else:
                sex = rng.choice("LP")
                birth = head_birth + timedelta(days=rng.randrange(7000, 12000))
                relation = "anak"
            birth = min(birth, date(2024, 12, 31))
            members.append(
                SyntheticMember(
                    nik=nik_for(district6, birth, sex, serial),
                    name=_name(rng),
                    sex=sex,
                    birth_place=rng.choice(PLACES),
                    birth_date=birth,
                    relation=relation,
                    mother_name=_name(rng),
                )
            )
        kk = f"{district6}{(index % 28) + 1:02d}{rng.randrange(1, 13):02d}{rng.randrange(5, 24):02d}{index % 10000:04d}"
        yield SyntheticHousehold(
            kk_number=kk,
            address=f"{rng.choice(STREETS)} NO. {rng.randrange(1, 200)}",
            rt=f"{rng.randrange(1, 12):03d}",
            rw=f"{rng.randrange(1, 8):03d}",
            members=tuple(members),
        )
