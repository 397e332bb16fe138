"""Domain fixtures: the shipped region list, read once for the whole run."""

from __future__ import annotations

import pytest

from app.domain.regions import default_regions


@pytest.fixture(scope="session")
def regions():
    return default_regions()
