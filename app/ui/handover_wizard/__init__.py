"""The handover wing: every open item of a leaving person gets a target and a note; hand over, sign, countersign.

One module per page over a plain ``HandoverSession`` and one ``HandoverModel`` (hundreds of rows,
no widget per row); ``steps`` runs the work off the GUI thread through the services, which open
and close any Lurah session themselves. The names below are the package's API.
"""

from __future__ import annotations

from app.ui.handover_wizard.model import POOL, HandoverModel
from app.ui.handover_wizard.session import HandoverSession
from app.ui.handover_wizard.wizard import HandoverWizard

__all__ = ["POOL", "HandoverModel", "HandoverSession", "HandoverWizard"]
