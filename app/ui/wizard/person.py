"""The wizard's person page (Lurah, first operator): a name and a passphrase typed twice."""

from __future__ import annotations

from app.i18n import _
from app.services import passphrase as strength
from app.services.office import MIN_PASSPHRASE
from app.ui.qt import QFormLayout, QLabel, QLineEdit, QWizardPage
from app.ui.wizard.basics import heading


class PersonPage(QWizardPage):
    """A name and a passphrase typed twice, with feedback as you type."""

    def __init__(self, title: str, subtitle: str, name_label: str) -> None:
        super().__init__()
        heading(self, title, subtitle)
        self.name = QLineEdit()
        self.passphrase = QLineEdit()
        self.again = QLineEdit()
        for field in (self.passphrase, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.other_passphrase = None  # a page whose passphrase this one must differ from
        tip = QLabel(
            _("At least {minimum} characters. A few ordinary words are easier to remember and harder "
              "to guess than one short word with symbols.").format(minimum=MIN_PASSPHRASE)
        )
        tip.setObjectName("hint")
        tip.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(name_label, self.name)
        form.addRow(_("Passphrase"), self.passphrase)
        form.addRow(_("Passphrase again"), self.again)
        form.addRow("", self.feedback)
        form.addRow("", tip)
        for field in (self.name, self.passphrase, self.again):
            field.textChanged.connect(self._changed)
        self._changed()

    def problem(self) -> str | None:
        first, second = self.passphrase.text(), self.again.text()
        if not self.name.text().strip():
            return _("Type the name.")
        if len(first) < MIN_PASSPHRASE:
            return _("The passphrase needs at least {minimum} characters (now {count}).").format(
                minimum=MIN_PASSPHRASE, count=len(first)
            )
        weak = strength.problem(first, user_inputs=[self.name.text()], example=strength.screen_suggestion())
        if weak:
            return weak
        if first != second:
            return _("The two passphrases are not the same yet.")
        if self.other_passphrase is not None and first == self.other_passphrase.passphrase.text():
            return _("Choose a passphrase different from the Lurah's.")
        return None

    def _changed(self, *_args) -> None:
        problem = self.problem()
        self.feedback.setObjectName("errorText" if problem else "okText")
        self.feedback.setText(problem or _("The passphrase is good."))
        # The object name picks the colour; re-polish so the stylesheet notices the change.
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.completeChanged.emit()

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        self._changed()

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.problem() is None

