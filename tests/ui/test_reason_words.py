"""Where an operator or a citizen reads why Dinsos returned a proposal, they read words, not codes."""

from __future__ import annotations

from app.ui.editor.proposal_editor import ProposalEditor
from app.ui.editor.return_reasons import ReturnReasonsBox
from app.ui.pages.counter import CounterPage
from app.ui.qt import QLabel, QPushButton, Qt
from tests.factories import HEAD_NIK
from tests.fakes.returned import returned_proposal

REASONS = [("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan.")]


def _texts(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def test_the_counter_card_says_the_reason_without_its_code(app_state, qtbot):
    returned_proposal(app_state.ctx, REASONS)
    page = CounterPage(app_state)
    page.open_url = lambda url: True
    qtbot.addWidget(page)
    page.search.setText(HEAD_NIK)
    find = next(b for b in page.findChildren(QPushButton) if b.text() == "Cari")
    qtbot.mouseClick(find, Qt.MouseButton.LeftButton)
    texts = " ".join(_texts(page.cards[0]))
    assert "Foto rumah buram; mohon foto ulang dari depan." in texts
    assert "foto_rumah_buram" not in texts


def test_the_editor_lists_the_reasons_in_words(app_state, qtbot):
    pid = returned_proposal(app_state.ctx, REASONS)
    editor = ProposalEditor(app_state, pid)
    qtbot.addWidget(editor)
    editor.start()
    editor.show()
    texts = " ".join(_texts(editor))
    assert "Foto rumah buram; mohon foto ulang dari depan." in texts
    assert "foto_rumah_buram" not in texts


def test_asking_for_a_playbook_page_names_the_reason_in_words(app_state, qtbot):
    pid = returned_proposal(app_state.ctx, REASONS)
    editor = ProposalEditor(app_state, pid)
    qtbot.addWidget(editor)
    editor.start()
    box = editor.findChild(ReturnReasonsBox)
    asked = []

    class Refuse:
        def confirm(self, title, text, yes=None):
            asked.append(text)
            return False

    box.prompts = Refuse()
    qtbot.mouseClick(box.buttons["foto_rumah_buram"], Qt.MouseButton.LeftButton)
    assert asked and "Foto rumah buram; mohon foto ulang dari depan." in asked[0]
    assert "foto_rumah_buram" not in asked[0]
