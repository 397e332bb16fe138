"""Lurah lama tidak ada: register the new Lurah with the one-time code Dinsos gave her in person.

The dialog only gathers what is typed and shows the outcome; ``services.lurah_rebind`` does the
work off the GUI thread (``AppState.run``). Nothing typed is lost on an error: the fields stay.
"""

from __future__ import annotations

from app.errors import UsulkanError
from app.i18n import _
from app.services import lurah_rebind, office
from app.ui.people.common import PEOPLE, feedback_label, passphrase_problem, password_field, say
from app.ui.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


def _transport(state):
    from app.ui.sync_scheduler import http_transport

    return http_transport(office.server_url(state.ctx))


class LurahRebindDialog(QDialog):
    def __init__(self, state, parent: QWidget | None = None, *, transport_factory=_transport) -> None:
        super().__init__(parent)
        self.state, self.transport_factory = state, transport_factory
        self.result_value = None
        self.setWindowTitle(_("The old Lurah is not here"))
        intro = QLabel(_("Use this only when the old Lurah cannot hand over (moved, ill, unreachable). Dinsos "
                         "checks the new Lurah in person and gives her a one-time code. Nothing changes here until "
                         "Dinsos confirms it."))
        intro.setWordWrap(True)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX")
        self.name_edit = QLineEdit()
        self.pass_edit, self.repeat_edit = password_field(), password_field()
        form = QFormLayout()
        form.addRow(_("Code from Dinsos"), self.code_edit)
        form.addRow(_("Name of the new Lurah"), self.name_edit)
        form.addRow(_("New Lurah's passphrase"), self.pass_edit)
        form.addRow(_("Passphrase again"), self.repeat_edit)
        self.feedback = feedback_label()
        self.recovery = QLabel()
        self.recovery.setWordWrap(True)
        self.recovery.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go_button = self.buttons.addButton(_("Register the new Lurah"), QDialogButtonBox.ButtonRole.ActionRole)
        self.go_button.clicked.connect(self.register)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro,):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addWidget(self.recovery)
        layout.addWidget(self.buttons)
        self.resize(560, 360)

    def register(self) -> None:
        code, name = self.code_edit.text().strip(), self.name_edit.text().strip()
        first, second = self.pass_edit.text(), self.repeat_edit.text()
        if not code or not name:
            say(self.feedback, _("Type the code from Dinsos and the new Lurah's name."), ok=False)
            return
        problem = passphrase_problem(first, second, name)
        if problem:
            say(self.feedback, problem, ok=False)
            return
        transport = self.transport_factory(self.state)
        self.go_button.setEnabled(False)
        say(self.feedback, _("Asking Dinsos to register the new Lurah\u2026"), ok=None)
        self.state.run(lambda ctx: lurah_rebind.rebind(ctx, transport, code, name, first), self._done,
                       on_error=self._failed, changes=PEOPLE)

    def _done(self, result) -> None:
        self.result_value = result
        say(self.feedback, _("Dinsos registered the new Lurah. She can sign in now with her passphrase and "
                             "enrol her authenticator app."), ok=True)
        self.recovery.setText(_("New recovery code (write it on the recovery sheet now; it is shown only once): "
                                "{code}").format(code=result.recovery_code))
        self.recovery.setVisible(True)
        for edit in (self.pass_edit, self.repeat_edit):
            edit.clear()
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)

    def _failed(self, error: BaseException) -> None:
        self.go_button.setEnabled(True)
        if isinstance(error, UsulkanError):
            say(self.feedback, error.message(), ok=False)
        else:
            say(self.feedback, _("The new Lurah could not be registered: {error}").format(error=type(error).__name__),
                ok=False)
