"""Handover wizard fixtures: a linked office whose operator holds 200 open items, signed in inline."""

from __future__ import annotations

import pytest

from app.services import operators
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from bench.handover import seed_open_work
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.wizard import B_PASS


@pytest.fixture
def world(linked, lurah, fast_kdf):
    """Ani (certified, signed in) holds 200 open items; Budi is enrolled to take them over."""
    b_id = operators.enrol_operator(lurah, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id
    kinds = seed_open_work(linked, 200)
    return b_id, kinds


@pytest.fixture
def state(qapp, linked):
    state = AppState(linked.folder, runner=InlineRunner())
    state.sign_in(linked)
    yield state
    state.ctx = None
