"""The DTSEN variable catalogue: stable codes, allowed values, translated labels."""

from __future__ import annotations

import re

from app.domain.socioeconomic import CATALOGUE, VARIABLES, variable
from app.i18n import _


def test_codes_are_unique_stable_snake_case():
    codes = [v.code for v in VARIABLES]
    assert len(codes) == len(set(codes)) == len(CATALOGUE)
    for v in VARIABLES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", v.code)
        assert len(v.codes) == len(set(v.codes)) >= 2
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9_]*", c) for c in v.codes)


def test_the_brief_s_variables_are_there():
    for code in (
        "floor_material", "wall_material", "roof_material", "drinking_water", "lighting",
        "cooking_fuel", "toilet", "head_occupation", "income_band", "asset_motorcycle",
    ):
        assert code in CATALOGUE


def test_allows_and_labels():
    floor = variable("floor_material")
    assert floor.allows("earth") and not floor.allows("gold") and not floor.allows(None)
    assert floor.value_label("earth") == "Tanah"
    assert floor.value_label("unknown") == "unknown"
    assert _(floor.label) == "Jenis lantai terluas"
    assert variable("nope") is None


def test_every_label_is_translated():
    for v in VARIABLES:
        assert _(v.label) != v.label
        for choice in v.choices:
            # Numbers like "450 VA" read the same in both languages.
            assert _(choice.label) != choice.label or choice.label.endswith(" VA")
