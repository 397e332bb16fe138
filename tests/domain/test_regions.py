"""Region lookups on the shipped Kemendagri code list."""

from __future__ import annotations

import gzip

import pytest

from app.domain.regions import Region, RegionIndex, RegionLevel, default_regions, dotted
from app.paths import resources_dir


def test_each_level_is_found_by_its_dotted_code(regions):
    assert regions.province("35") == Region("35", "JAWA TIMUR", RegionLevel.PROVINCE)
    assert regions.regency("35.75") == Region("35.75", "KOTA PASURUAN", RegionLevel.REGENCY)
    assert regions.district("35.75.03").name == "Bugul Kidul"
    assert regions.village("35.75.03.1009") == Region(
        "35.75.03.1009", "Bugul Kidul", RegionLevel.VILLAGE
    )


def test_a_code_of_the_wrong_level_or_unknown_is_none(regions):
    assert regions.regency("35") is None
    assert regions.village("35.75.03") is None
    assert regions.district("99.99.99") is None
    assert regions.village("35.75.03.9999") is None
    assert regions.province("") is None


def test_undotted_codes_as_in_a_nik_are_accepted(regions):
    assert dotted("357503") == "35.75.03"
    assert dotted("3575031009") == "35.75.03.1009"
    assert dotted("35.75") == "35.75"
    assert regions.village("3575031009").code == "35.75.03.1009"
    assert regions.district_for_prefix("357503").code == "35.75.03"


@pytest.mark.parametrize("prefix", ["997101", "35750", "3575031", "35a503", ""])
def test_district_for_prefix_refuses_unknown_or_malformed(regions, prefix):
    assert regions.district_for_prefix(prefix) is None


def test_regency_of_any_lower_level(regions):
    assert regions.regency_of("35.75.03.1009").code == "35.75"
    assert regions.regency_of("35.07.01").name == "KABUPATEN MALANG"
    assert regions.regency_of("357503").code == "35.75"
    assert regions.regency_of("35") is None
    assert regions.province_of("35.75.03").name == "JAWA TIMUR"


def test_villages_of_regency_lists_exactly_that_city(regions):
    villages = regions.villages_of_regency("35.75")
    codes = [v.code for v in villages]
    assert "35.75.03.1009" in codes and "35.75.04.1010" in codes
    assert all(code.startswith("35.75.") for code in codes)
    assert codes == sorted(codes)
    assert regions.villages_of_regency("99.99") == []


def test_search_is_case_insensitive_and_puts_prefix_matches_first(regions):
    found = regions.search_villages("bugul")
    assert [v.name for v in found[:2]] == ["Bugul Kidul", "Bugul Lor"]
    assert "Mbugulo" in [v.name for v in found]  # contains, listed after the prefix matches
    assert found.index(next(v for v in found if v.name == "Mbugulo")) >= 2


def test_search_within_a_province_and_limit(regions):
    in_java = regions.search_villages("BUGUL", province_code="35")
    assert {v.name for v in in_java} == {"Bugul Kidul", "Bugul Lor"}
    assert len(regions.search_villages("a", limit=7)) == 7
    assert regions.search_villages("   ") == []
    assert regions.search_villages("tidak ada desa bernama ini") == []


def test_kelurahan_and_desa_are_told_apart(regions):
    assert regions.is_kelurahan("35.75.03.1009")  # Bugul Kidul: kelurahan (1xxx)
    desa = next(v for v in regions.villages_of_regency("35.07") if v.code.rsplit(".", 1)[1][0] == "2")
    assert not regions.is_kelurahan(desa.code)
    assert not regions.is_kelurahan("35.75.03.1999")  # unknown


def test_villages_are_read_only_when_first_needed(tmp_path):
    folder = tmp_path / "regions"
    folder.mkdir()
    for name in ("provinces", "regencies", "districts"):
        (folder / f"{name}.csv.gz").write_bytes(
            (resources_dir() / "regions" / f"{name}.csv.gz").read_bytes()
        )
    # A villages file that is only there once asked for proves the lazy load.
    index = RegionIndex.load(folder)
    assert index.district("35.75.03").name == "Bugul Kidul"
    with gzip.open(folder / "villages.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("code,district_code,name\n35.75.03.1009,35.75.03,Test Village\n")
    assert index.village("35.75.03.1009").name == "Test Village"


def test_default_regions_is_loaded_once():
    assert default_regions() is default_regions()
