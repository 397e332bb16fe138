"""First run: make the office (kelurahan, Lurah, first operator, Dinsos server), show the recovery code once.

One module per page; ``OfficeWizard`` puts them in order. The names below are the package's API.
"""

from __future__ import annotations

from app.ui.wizard.basics import ServerPage, WelcomePage, heading
from app.ui.wizard.create import CreatePage
from app.ui.wizard.office_wizard import OfficeWizard
from app.ui.wizard.person import PersonPage
from app.ui.wizard.recovery import RecoveryPage
from app.ui.wizard.village import CODE_ROLE, SEARCH_DELAY_MS, VillagePage, village_kind, village_label

__all__ = [
    "CODE_ROLE", "SEARCH_DELAY_MS", "CreatePage", "OfficeWizard", "PersonPage", "RecoveryPage",
    "ServerPage", "VillagePage", "WelcomePage", "heading", "village_kind", "village_label",
]
