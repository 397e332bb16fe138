"""The editor's journal tab: this proposal's journal, or its household's (by No. KK), one click apart."""

from __future__ import annotations

from app.i18n import _
from app.ui.journal_panel import JournalPanel
from app.ui.qt import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QStackedWidget, QVBoxLayout, QWidget
from app.ui.state import AppState


class JournalTab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proposal_panel = JournalPanel(state)
        self.household_panel = JournalPanel(state)
        self.this_proposal = QRadioButton(_("This proposal"))
        self.this_household = QRadioButton(_("This household"))
        self.this_proposal.setChecked(True)
        self.switch = QButtonGroup(self)
        for index, button in enumerate((self.this_proposal, self.this_household)):
            self.switch.addButton(button, index)
        self.switch.idToggled.connect(lambda index, on: on and self.stack.setCurrentIndex(index))
        self.hint = QLabel(_("The household's journal is shared by every proposal with the same No. KK."))
        self.hint.setWordWrap(True)
        self.unsaved = QLabel(_("The journal is available after the first save (Ctrl+S): "
                                "notes, calls, visits and next actions then stay with this proposal."))
        self.unsaved.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.proposal_panel)
        self.stack.addWidget(self.household_panel)

        self.bar = QWidget()
        bar = QHBoxLayout(self.bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.this_proposal)
        bar.addWidget(self.this_household)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.unsaved)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.hint)
        self.set_proposal(None, None)

    def set_proposal(self, proposal_id: str | None, kk_number: str | None) -> None:
        """The saved proposal and the No. KK it was saved with; None while it is new."""
        saved = proposal_id is not None
        self.unsaved.setVisible(not saved)
        for widget in (self.bar, self.stack, self.hint):
            widget.setVisible(saved)
        self.proposal_panel.set_subject("proposal" if saved else None, proposal_id)
        self.household_panel.set_subject("household" if saved and kk_number else None, kk_number)
        self.this_household.setText(
            _("This household (No. KK {kk})").format(kk=kk_number) if kk_number else _("This household"))

    def show_household(self, on: bool = True) -> None:
        (self.this_household if on else self.this_proposal).setChecked(True)
