"""The complaints page in a test: a complaint registered, the page shown answering with the first choice."""

from __future__ import annotations

from app.services.complaints import register_complaint
from app.ui.pages.complaints import ComplaintsPage
from tests.fakes.prompts import Answers


class PickFirst(Answers):
    def choose(self, title, label, choices):
        return choices[0][0]


def make_page(state, qtbot) -> ComplaintsPage:
    page = ComplaintsPage(state)
    page.prompts = PickFirst(yes=True, text="Data sudah diperbaiki dan warga diberi tahu.")
    qtbot.addWidget(page)
    page.show()
    return page


def register(ctx, **kw):
    values = dict(category="data_salah", reporter_name="PAK RT", reporter_contact="0812",
                  subject_nik=None, description="Nama salah ketik")
    values.update(kw)
    return register_complaint(ctx, **values)
