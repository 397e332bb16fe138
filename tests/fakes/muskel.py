"""The musyawarah page in a test: proposals sent to it by RW, the page shown, exports saved into a folder."""

from __future__ import annotations

from app.domain.workflow import Action
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal, apply_action
from app.ui.pages.muskel import MuskelPage
from tests.factories import household_with
from tests.fakes.prompts import Answers


class Saving(Answers):
    def __init__(self, folder, **kw):
        super().__init__(**kw)
        self.folder = folder

    def save_file(self, title, suggested, filters):
        return self.folder / suggested


def in_muskel(ctx, niks, rw):
    data = household_with(niks)
    data["household"]["rw"] = rw
    summary = add_proposal(ctx, proposal_from_dict(data))
    apply_action(ctx, summary.id, Action.SEND_TO_MUSKEL)
    return summary


def make_page(state, qtbot, answers) -> MuskelPage:
    page = MuskelPage(state)
    page.prompts = answers
    qtbot.addWidget(page)
    page.show()
    return page
