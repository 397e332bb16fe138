"""The Lurah approves one authority step: what it is, the passphrase typed now, the code from the app.

One dialog for every authority step (SPTJM, countersigning, revoking, linking, endorsing a
handover record), so the Lurah always sees the same question. The dialog only collects what
the Lurah types; ``services/lurah.confirm`` checks it in the worker, never here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _
from app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Approval:
    passphrase: str
    totp_code: str | None

    def __repr__(self) -> str:  # never print a passphrase into a log or a traceback
        return "Approval(<typed>)"


class LurahApprovalFields(QWidget):
    """The Lurah's passphrase and, when the Lurah enrolled an authenticator app, the code from it."""

    def __init__(self, needs_code: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.needs_code = needs_code
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("lurahPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.code = QLineEdit()
        self.code.setObjectName("lurahCode")
        self.code.setPlaceholderText(_("6 digits"))
        self.code.setMaxLength(7)
        self.code_label = QLabel(_("Code from the Lurah's authenticator app:"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("The Lurah's passphrase, typed now:"), self.passphrase)
        form.addRow(self.code_label, self.code)
        self.set_code_needed(needs_code)

    def set_code_needed(self, needed: bool) -> None:
        self.needs_code = needed
        self.code_label.setVisible(needed)
        self.code.setVisible(needed)

    def complete(self) -> bool:
        code = "".join(self.code.text().split())
        return bool(self.passphrase.text()) and (not self.needs_code or len(code) == 6)

    def approval(self) -> Approval:
        return Approval(self.passphrase.text(), self.code.text() if self.needs_code else None)

    def clear(self) -> None:
        self.passphrase.clear()
        self.code.clear()
        self.passphrase.setFocus()


class LurahApprovalDialog(QDialog):
    """``text`` says what is approved; ``rows`` (with ``headers``) lists it, e.g. the households in a batch."""

    def __init__(
        self, parent: QWidget | None, title: str, text: str, *, needs_code: bool,
        headers: list[str] | None = None, rows: list[list[str]] | None = None, approve: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        intro = QLabel(text)
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.table: QTableWidget | None = None
        if headers and rows is not None:
            self.table = QTableWidget(len(rows), len(headers))
            self.table.setObjectName("approvalContents")
            self.table.setHorizontalHeaderLabels(headers)
            self.table.verticalHeader().setVisible(False)
            self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    self.table.setItem(r, c, QTableWidgetItem(value))
            self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.table.horizontalHeader().setStretchLastSection(True)
            layout.addWidget(self.table)
        self.fields = LurahApprovalFields(needs_code)
        layout.addWidget(self.fields)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(approve or _("Approve"))
        self.ok.setEnabled(False)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setDefault(True)  # approving is never what Enter does by accident
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for field in (self.fields.passphrase, self.fields.code):
            field.textChanged.connect(lambda _t: self.ok.setEnabled(self.fields.complete()))
        self.fields.passphrase.setFocus()

    def approval(self) -> Approval:
        return self.fields.approval()

    def accept(self) -> None:
        if self.fields.complete():
            super().accept()


def ask_approval(parent: QWidget | None, title: str, text: str, *, needs_code: bool, headers=None, rows=None,
                 approve: str | None = None) -> Approval | None:
    dialog = LurahApprovalDialog(parent, title, text, needs_code=needs_code, headers=headers, rows=rows,
                                 approve=approve)
    return dialog.approval() if dialog.exec() == QDialog.DialogCode.Accepted else None



class LurahStepDialog(LurahApprovalDialog):
    """The approval dialog that also takes the step: ``step(ctx, approval)`` runs in the worker.

    A refused approval (wrong passphrase, wrong or reused code, throttled) keeps the dialog open
    with the reason, so the Lurah types again; the step's result goes to ``on_done``.
    """

    def __init__(self, state, parent: QWidget | None, title: str, text: str, step, on_done=None, *,
                 headers=None, rows=None, approve: str | None = None, changes: str | None = None) -> None:
        from app.services import lurah as lurah_service

        super().__init__(parent, title, text, needs_code=lurah_service.needs_code(state.ctx), headers=headers,
                         rows=rows, approve=approve)
        self.state, self.step, self.on_done, self.changes = state, step, on_done, changes
        self.result = None
        self.busy = False
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.layout().insertWidget(self.layout().count() - 1, self.message)

    def accept(self) -> None:
        if self.busy or not self.fields.complete():
            return
        approval = self.fields.approval()
        self.busy = True
        self.ok.setEnabled(False)
        self.message.setObjectName("hint")
        self.message.setText(_("Checking the Lurah's passphrase ..."))
        self.message.show()
        self.state.run(lambda ctx: self.step(ctx, approval), self._done, on_error=self._failed, changes=self.changes)

    def _done(self, result) -> None:
        from app.ui.qt import QDialog as _QDialog

        self.busy = False
        self.result = result
        self.fields.clear()
        _QDialog.accept(self)
        if self.on_done is not None:
            self.on_done(result)

    def _failed(self, error: BaseException) -> None:
        from app.ui.errors import error_text

        self.busy = False
        self.message.setObjectName("errorText")
        self.message.setText(error_text(error))
        self.message.show()
        self.fields.code.clear()  # a code is used up or wrong either way; the passphrase stays, selected
        self.fields.passphrase.selectAll()
        self.fields.passphrase.setFocus()
        self.ok.setEnabled(self.fields.complete())
