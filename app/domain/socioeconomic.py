"""The DTSEN socio-economic variables an usulan pembaruan may change, with their allowed values."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import N_, _


@dataclass(frozen=True)
class Choice:
    code: str  # stable, stored and sent
    label: str  # English, N_-marked; shown through _()


@dataclass(frozen=True)
class Variable:
    code: str
    label: str
    choices: tuple[Choice, ...]

    def allows(self, value: object) -> bool:
        return any(c.code == value for c in self.choices)

    def value_label(self, value: str) -> str:
        """The value in the current language (the code itself if it is not in the catalogue)."""
        return next((_(c.label) for c in self.choices if c.code == value), value)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)


@dataclass(frozen=True)
class SocioEconomicChange:
    """One variable of the household's DTSEN record, as it is there and as it really is now."""

    variable: str
    old_value: str
    new_value: str


def _var(code: str, label: str, *choices: tuple[str, str]) -> Variable:
    return Variable(code, label, tuple(Choice(c, text) for c, text in choices))


_OTHER = ("other", N_("Other"))
_HAS = (("yes", N_("Has one")), ("no", N_("Has none")))

# After the Regsosek/DTSEN household questionnaire: housing, utilities, livelihood, assets.
VARIABLES: tuple[Variable, ...] = (
    _var(
        "floor_material", N_("Main floor material"),
        ("ceramic_marble", N_("Ceramic, granite or marble")),
        ("tile_terrazzo", N_("Tile or terrazzo")),
        ("wood_board", N_("Wooden boards")),
        ("cement_brick", N_("Cement or red brick")),
        ("bamboo", N_("Bamboo")),
        ("earth", N_("Earth")),
        _OTHER,
    ),
    _var(
        "wall_material", N_("Main wall material"),
        ("masonry", N_("Masonry (brick or block)")),
        ("plastered_bamboo", N_("Plastered woven bamboo or wire")),
        ("wood_board", N_("Wooden boards")),
        ("woven_bamboo", N_("Woven bamboo")),
        ("log", N_("Logs")),
        ("bamboo", N_("Bamboo")),
        _OTHER,
    ),
    _var(
        "roof_material", N_("Main roof material"),
        ("concrete", N_("Concrete")),
        ("clay_tile", N_("Clay or metal roof tiles")),
        ("asbestos", N_("Asbestos sheets")),
        ("zinc", N_("Zinc sheets")),
        ("wood_shingle", N_("Wooden shingles")),
        ("bamboo", N_("Bamboo")),
        ("thatch", N_("Straw, palm fibre or leaves")),
        _OTHER,
    ),
    _var(
        "drinking_water", N_("Main source of drinking water"),
        ("bottled", N_("Branded bottled water")),
        ("refill", N_("Refill water")),
        ("piped", N_("Piped water (PDAM)")),
        ("protected_well", N_("Protected well or pump")),
        ("unprotected_well", N_("Unprotected well")),
        ("protected_spring", N_("Protected spring")),
        ("unprotected_spring", N_("Unprotected spring")),
        ("surface", N_("River, lake or pond")),
        ("rain", N_("Rainwater")),
        _OTHER,
    ),
    _var(
        "lighting", N_("Main source of lighting"),
        ("pln_metered", N_("PLN electricity with its own meter")),
        ("pln_shared", N_("PLN electricity without its own meter")),
        ("non_pln", N_("Electricity not from PLN")),
        ("none", N_("No electricity")),
    ),
    _var(
        "electricity_power", N_("Installed electricity power"),
        ("va_450", N_("450 VA")),
        ("va_900", N_("900 VA")),
        ("va_1300", N_("1,300 VA")),
        ("va_2200", N_("2,200 VA")),
        ("va_above_2200", N_("More than 2,200 VA")),
        ("none", N_("No PLN connection")),
    ),
    _var(
        "cooking_fuel", N_("Main cooking fuel"),
        ("electricity", N_("Electricity")),
        ("lpg_large", N_("LPG larger than 3 kg")),
        ("lpg_3kg", N_("LPG 3 kg")),
        ("city_gas", N_("Piped city gas")),
        ("kerosene", N_("Kerosene")),
        ("charcoal", N_("Charcoal or briquettes")),
        ("firewood", N_("Firewood")),
        ("none", N_("Does not cook at home")),
        _OTHER,
    ),
    _var(
        "toilet", N_("Toilet facility"),
        ("own", N_("Own toilet")),
        ("shared", N_("Shared with other households")),
        ("public", N_("Public toilet")),
        ("none", N_("No toilet")),
    ),
    _var(
        "house_ownership", N_("Ownership of the house"),
        ("own", N_("Own")),
        ("rent", N_("Rented")),
        ("rent_free", N_("Lived in without paying rent")),
        ("official", N_("Official housing")),
        _OTHER,
    ),
    _var(
        "head_occupation", N_("Main occupation of the head of family"),
        ("not_working", N_("Not working")),
        ("farmer", N_("Farmer or farm worker")),
        ("fisher", N_("Fisher")),
        ("labourer", N_("Labourer or casual worker")),
        ("trader", N_("Trader")),
        ("driver", N_("Driver or transport worker")),
        ("private_employee", N_("Private-sector employee")),
        ("civil_servant", N_("Civil servant, TNI or Polri")),
        ("self_employed", N_("Self-employed")),
        _OTHER,
    ),
    _var(
        "income_band", N_("Monthly household income"),
        ("below_1m", N_("Less than Rp1 million")),
        ("1m_to_2m", N_("Rp1 million to less than Rp2 million")),
        ("2m_to_3m", N_("Rp2 million to less than Rp3 million")),
        ("3m_to_5m", N_("Rp3 million to less than Rp5 million")),
        ("5m_or_more", N_("Rp5 million or more")),
    ),
    _var("asset_motorcycle", N_("Motorcycle"), *_HAS),
    _var("asset_car", N_("Car"), *_HAS),
    _var("asset_refrigerator", N_("Refrigerator"), *_HAS),
    _var("asset_air_conditioner", N_("Air conditioner"), *_HAS),
    _var("asset_gold", N_("Gold or jewellery of 10 grams or more"), *_HAS),
    _var("asset_land", N_("Land other than the house plot"), *_HAS),
    _var("member_with_disability", N_("A member with a disability"), *_HAS),
    _var("member_with_chronic_illness", N_("A member with a chronic illness"), *_HAS),
)

CATALOGUE: dict[str, Variable] = {v.code: v for v in VARIABLES}


def variable(code: str) -> Variable | None:
    return CATALOGUE.get(code)
