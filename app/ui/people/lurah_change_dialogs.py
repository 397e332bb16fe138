"""Perbarui kunci Lurah and Ganti Lurah: the Lurah's approval dialog (passphrase now + TOTP) that takes the step.

Both reuse ``LurahStepDialog`` (app/ui/lurah_approval.py), so the Lurah sees the same question as
for every authority step; the services do the work in the worker. "Ganti Lurah" adds the new
Lurah's name and the passphrase she chooses herself.
"""

from __future__ import annotations

from app.i18n import _
from app.services import lurah, lurah_change, lurah_handover
from app.ui.lurah_approval import LurahStepDialog
from app.ui.people.common import PEOPLE, passphrase_problem, password_field
from app.ui.qt import QFormLayout, QLineEdit, QMessageBox, QWidget


def _show_recovery(parent: QWidget, result) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, _("New recovery code"),
                      _("New recovery code (write it on the recovery sheet now; it is shown only once): "
                        "{code}").format(code=result.recovery_code), parent=parent)
    box.setObjectName("recoveryCodeBox")
    box.open()
    parent.recovery_box = box


def recovery_shown_then(parent: QWidget, on_done=None):
    """The done-callback of a step that made a new recovery code: show the code once, then ``on_done``."""
    def done(result) -> None:
        _show_recovery(parent, result)
        if on_done is not None:
            on_done(result)

    return done


def rotation_dialog(state, parent: QWidget, on_done=None) -> LurahStepDialog:
    def step(ctx, approval):
        confirmation = lurah.confirm(ctx, approval.passphrase, purpose=lurah.Purpose.ROTATE,
                                     subject=lurah_change.SUBJECT, totp_code=approval.totp_code)
        return lurah_change.rotate_authority(ctx, confirmation=confirmation)

    return LurahStepDialog(
        state, parent, _("Renew the Lurah's key"),
        _("A new authority key for the Lurah. The old key signs the hand-over to it; every operator gets a new "
          "certificate at once, so nothing waits. A new recovery code is made: print it."),
        step, recovery_shown_then(parent, on_done), approve=_("Renew the key"), changes=PEOPLE)


class ChangeLurahDialog(LurahStepDialog):
    """The old Lurah approves; the new Lurah types her name and chooses her passphrase."""

    def __init__(self, state, parent: QWidget, on_done=None) -> None:
        super().__init__(state, parent, _("Change of Lurah"),
                         _("The new Lurah takes office. The old Lurah types her passphrase (and the code from her "
                           "app) to hand over her authority; the new Lurah chooses her own passphrase. Operators "
                           "keep working: they get new certificates in the same step."),
                         self._step, self._after, approve=_("Hand over"), changes=PEOPLE)
        self.after = on_done
        self.name_edit = QLineEdit()
        self.pass_edit, self.repeat_edit = password_field(), password_field()
        form = QFormLayout()
        form.addRow(_("Name of the new Lurah"), self.name_edit)
        form.addRow(_("New Lurah's passphrase"), self.pass_edit)
        form.addRow(_("Passphrase again"), self.repeat_edit)
        self.layout().insertLayout(1, form)

    def accept(self) -> None:
        problem = passphrase_problem(self.pass_edit.text(), self.repeat_edit.text(), self.name_edit.text())
        if problem:
            self.message.setObjectName("errorText")
            self.message.setText(problem)
            self.message.show()
            return
        super().accept()

    def _step(self, ctx, approval):
        confirmation = lurah.confirm(ctx, approval.passphrase, purpose=lurah.Purpose.ROTATE,
                                     subject=lurah_handover.SUBJECT, totp_code=approval.totp_code)
        return lurah_handover.change_lurah(ctx, confirmation=confirmation, new_name=self.name_edit.text(),
                                           passphrase=self.pass_edit.text())

    def _after(self, result) -> None:
        self.pass_edit.clear()
        self.repeat_edit.clear()
        _show_recovery(self.parent(), result)
        if self.after is not None:
            self.after(result)
