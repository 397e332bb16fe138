"""Field staff in tests: their passphrase, two households, the starting ground-check values, enrolment."""

from __future__ import annotations

from datetime import date, timedelta

from app.services import operators
from app.services.office import open_office
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.prompts import Answers

FIELD_PASS = "kebun mangga biru 42"
KK1, KK2 = "3575031201090001", "3575031201090002"
DUE = date.today() + timedelta(days=14)
START = {"floor_material": "earth", "wall_material": "bamboo", "income_band": "below_1m"}


def income(code):
    from app.domain.socioeconomic import CATALOGUE

    return CATALOGUE["income_band"].codes[code]


def enrol_field(lurah_ctx, folder, name, fast_kdf):
    enrolled = operators.enrol_operator(lurah_ctx, name=name, role="field_staff", passphrase=FIELD_PASS,
                                        confirmation=factories.approve(lurah_ctx, "enrol", passphrase=LURAH_PASS),
                                        kdf=fast_kdf)
    assert enrolled.certificate.role == "field_staff"
    ctx = open_office(folder, enrolled.operator_id, FIELD_PASS)  # the first sign-in makes the field key
    return ctx


class Files(Answers):
    """Answers every file dialog inside ``folder`` (saving) or with ``open_path`` (opening)."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder
        self.open_path = None

    def save_file(self, title, suggested, filters):
        return self.folder / suggested

    def open_file(self, title, filters):
        return self.open_path

    def choose(self, title, label, choices):
        return choices[0][0]
