"""Indonesian region codes (province to kelurahan/desa), looked up by dotted or NIK-style code."""

from __future__ import annotations

import csv
import functools
import gzip
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from app.paths import resources_dir


class RegionLevel(str, Enum):
    PROVINCE = "province"
    REGENCY = "regency"  # kabupaten / kota
    DISTRICT = "district"  # kecamatan
    VILLAGE = "village"  # kelurahan / desa


# Digits per level in the undotted form: 35 | 75 | 03 | 1009.
_PARTS = (2, 2, 2, 4)
_LEVELS = tuple(RegionLevel)


@dataclass(frozen=True)
class Region:
    code: str  # dotted: "35", "35.75", "35.75.03", "35.75.03.1009"
    name: str
    level: RegionLevel

    @property
    def parent_code(self) -> str | None:
        return self.code.rpartition(".")[0] or None


def dotted(code: str) -> str:
    """``"357503"`` -> ``"35.75.03"``; a dotted code is returned unchanged (stripped)."""
    code = code.strip()
    if "." in code or not code.isdigit():
        return code
    parts, rest = [], code
    for width in _PARTS:
        if not rest:
            break
        parts.append(rest[:width])
        rest = rest[width:]
    if rest:
        return code  # longer than a village code: not a region code at all
    return ".".join(parts)


def _level_of(code: str) -> int:
    return code.count(".")


def _read(path: Path) -> Iterator[tuple[str, str, str]]:
    """(code, parent code, name) rows of one gzipped CSV (the province file has no parent)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            if len(header) == 2:
                yield row[0], "", row[1]
            else:
                yield row[0], row[1], row[2]


class RegionIndex:
    """All region codes in memory; the 83k villages are read on first use only."""

    def __init__(
        self,
        provinces: dict[str, Region],
        regencies: dict[str, Region],
        districts: dict[str, Region],
        villages: Callable[[], dict[str, Region]],
    ):
        self._by_level: list[dict[str, Region] | None] = [provinces, regencies, districts, None]
        self._load_villages = villages
        self._lock = threading.Lock()
        self._villages_by_regency: dict[str, list[Region]] | None = None
        self._search_keys: list[tuple[str, Region]] | None = None

    @classmethod
    def load(cls, folder: Path | None = None) -> RegionIndex:
        folder = Path(folder) if folder is not None else resources_dir() / "regions"

        def table(name: str, level: RegionLevel) -> dict[str, Region]:
            return {code: Region(code, name_, level) for code, _, name_ in _read(folder / name)}

        return cls(
            table("provinces.csv.gz", RegionLevel.PROVINCE),
            table("regencies.csv.gz", RegionLevel.REGENCY),
            table("districts.csv.gz", RegionLevel.DISTRICT),
            lambda: table("villages.csv.gz", RegionLevel.VILLAGE),
        )

    # --- lookups --------------------------------------------------------------------

    def _villages(self) -> dict[str, Region]:
        table = self._by_level[3]
        if table is None:
            with self._lock:
                if self._by_level[3] is None:
                    self._by_level[3] = self._load_villages()
                table = self._by_level[3]
        return table

    def _table(self, level: int) -> dict[str, Region]:
        return self._villages() if level == 3 else self._by_level[level]  # type: ignore[return-value]

    def _get(self, code: str, level: RegionLevel) -> Region | None:
        code = dotted(code)
        index = _LEVELS.index(level)
        if _level_of(code) != index:
            return None
        return self._table(index).get(code)

    def province(self, code: str) -> Region | None:
        return self._get(code, RegionLevel.PROVINCE)

    def regency(self, code: str) -> Region | None:
        return self._get(code, RegionLevel.REGENCY)

    def district(self, code: str) -> Region | None:
        return self._get(code, RegionLevel.DISTRICT)

    def village(self, code: str) -> Region | None:
        return self._get(code, RegionLevel.VILLAGE)

    def get(self, code: str) -> Region | None:
        """The region of any level with this code."""
        code = dotted(code)
        level = _level_of(code)
        return self._table(level).get(code) if level < len(_LEVELS) else None

    def district_for_prefix(self, prefix: str) -> Region | None:
        """The kecamatan named by the first six digits of a NIK or No. KK."""
        prefix = prefix.strip()
        if len(prefix) != 6 or not prefix.isdigit():
            return None
        return self.district(prefix)

    def regency_of(self, code: str) -> Region | None:
        """The kabupaten/kota holding a regency, district or village code (dotted or not)."""
        code = dotted(code)
        if _level_of(code) < 1:
            return None
        return self.regency(".".join(code.split(".")[:2]))

    def province_of(self, code: str) -> Region | None:
        return self.province(dotted(code).split(".")[0])

    def villages_of_regency(self, code: str) -> list[Region]:
        """Every kelurahan/desa of a kabupaten/kota, in code order."""
        code = dotted(code)
        if self._villages_by_regency is None:
            grouped: dict[str, list[Region]] = {}
            for village in sorted(self._villages().values(), key=lambda r: r.code):
                grouped.setdefault(village.code[:5], []).append(village)
            self._villages_by_regency = grouped
        return list(self._villages_by_regency.get(code, ()))

    def districts_of_regency(self, code: str) -> list[Region]:
        code = dotted(code)
        return sorted(
            (r for r in self._by_level[2].values() if r.parent_code == code),  # type: ignore[union-attr]
            key=lambda r: r.code,
        )

    def search_villages(
        self, text: str, province_code: str | None = None, limit: int = 50
    ) -> list[Region]:
        """Villages whose name contains ``text`` (any case); names starting with it first."""
        needle = " ".join(text.split()).casefold()
        if not needle:
            return []
        if self._search_keys is None:
            self._search_keys = sorted(
                ((v.name.casefold(), v) for v in self._villages().values()),
                key=lambda kv: (kv[0], kv[1].code),
            )
        scope = dotted(province_code) + "." if province_code else ""
        starts: list[Region] = []
        contains: list[Region] = []
        for key, village in self._search_keys:
            if scope and not village.code.startswith(scope):
                continue
            if key.startswith(needle):
                starts.append(village)
                if len(starts) >= limit:
                    break
            elif needle in key and len(contains) < limit:
                contains.append(village)
        return (starts + contains)[:limit]

    def is_kelurahan(self, village_code: str) -> bool:
        """A kelurahan (urban, led by a Lurah) has a village part starting with 1; a desa with 2."""
        village = self.village(village_code)
        return village is not None and village.code.rsplit(".", 1)[1].startswith("1")


@functools.cache
def default_regions() -> RegionIndex:
    """The shipped region list, read once per process."""
    return RegionIndex.load()
