"""Small pieces the People page and its wizards share: the change key, feedback labels, wizard buttons."""

from __future__ import annotations

from datetime import datetime

from app.clock import to_wib
from app.i18n import _
from app.services import passphrase as strength
from app.services.office import MIN_PASSPHRASE
from app.ui.qt import QLabel, QLineEdit, QWizard

# What AppState.changed carries after someone was enrolled, revoked, certified or moved.
PEOPLE = "people"
STRONG_LENGTH = 16  # a passphrase of a few words; shorter ones are accepted with a nudge


def say(label: QLabel, text: str, *, ok: bool | None) -> None:
    """Show ``text`` as an error (ok=False), a success (ok=True) or a plain hint (ok=None)."""
    label.setObjectName({True: "okText", False: "errorText", None: "hint"}[ok])
    label.setText(text)
    label.setVisible(bool(text))
    # The object name picks the colour; re-polish so the stylesheet notices the change.
    label.style().unpolish(label)
    label.style().polish(label)


def feedback_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.hide()
    return label


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def passphrase_problem(first: str, second: str, name: str = "") -> str | None:
    """What keeps a new passphrase from being accepted, in words, or None."""
    if len(first) < MIN_PASSPHRASE:
        return _("The passphrase needs at least {minimum} characters (now {count}).").format(
            minimum=MIN_PASSPHRASE, count=len(first))
    weak = strength.problem(first, user_inputs=[name], example=strength.screen_suggestion())
    if weak:
        return weak
    if first != second:
        return _("The two passphrases are not the same yet.")
    return None


def passphrase_praise(passphrase: str) -> str:
    """Feedback on an acceptable passphrase: longer (more words) is stronger."""
    if len(passphrase) >= STRONG_LENGTH or len(passphrase.split()) >= 3:
        return _("Strong passphrase. The two are the same.")
    return _("Acceptable. A few more words would make it stronger.")


def wib_date(moment: datetime | None) -> str:
    return to_wib(moment).strftime("%d-%m-%Y") if moment is not None else "-"


def name_buttons(wizard: QWizard, *, commit: str, finish: str) -> None:
    """Qt ships no Indonesian for its own wizard buttons; name them ourselves."""
    for button, text in (
        (QWizard.WizardButton.BackButton, _("< Back")),
        (QWizard.WizardButton.NextButton, _("Next >")),
        (QWizard.WizardButton.CommitButton, commit),
        (QWizard.WizardButton.FinishButton, finish),
        (QWizard.WizardButton.CancelButton, _("Cancel")),
    ):
        wizard.setButtonText(button, text)
