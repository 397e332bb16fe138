"""Hapus slot lama and Perbarui kode pemulihan: the Lurah's approval dialog (passphrase now + TOTP) that takes the step.

Both reuse ``LurahStepDialog`` (app/ui/lurah_approval.py); ``services.lurah_upkeep`` does the work
in the worker. The people page lists the kept slots (``KeptSlotsBox``) for the Lurah only.
"""

from __future__ import annotations

from app.i18n import _
from app.services import lurah, lurah_upkeep
from app.ui.lurah_approval import LurahStepDialog
from app.ui.people.common import PEOPLE
from app.ui.people.lurah_change_dialogs import recovery_shown_then
from app.ui.qt import QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, Qt, QVBoxLayout, QWidget


def remove_slot_dialog(state, parent: QWidget, slot: lurah_upkeep.KeptSlot, on_done=None) -> LurahStepDialog:
    def step(ctx, approval):
        confirmation = lurah.confirm(ctx, approval.passphrase, purpose=lurah.Purpose.REMOVE_SLOT,
                                     subject=slot.operator_id, totp_code=approval.totp_code)
        lurah_upkeep.remove_old_slot(ctx, slot.operator_id, confirmation=confirmation)
        return slot

    return LurahStepDialog(
        state, parent, _("Remove old slot"),
        _("{name} no longer holds office, but her keyslot is still in the office folder: her passphrase still "
          "opens the data. Removing it moves the office to a new key, so the old slot opens nothing. Close "
          "other Usulkan windows on this computer first.").format(name=slot.name),
        step, on_done, approve=_("Remove old slot"), changes=PEOPLE)


def recovery_dialog(state, parent: QWidget, on_done=None) -> LurahStepDialog:
    def step(ctx, approval):
        confirmation = lurah.confirm(ctx, approval.passphrase, purpose=lurah.Purpose.RECOVERY,
                                     subject=lurah_upkeep.RECOVERY_SUBJECT, totp_code=approval.totp_code)
        return lurah_upkeep.renew_recovery_code(ctx, confirmation=confirmation)

    return LurahStepDialog(
        state, parent, _("Renew the recovery code"),
        _("A new recovery code replaces the printed one (lost, or seen by someone else): the old code opens "
          "nothing afterwards. The new code is shown once: write it on the recovery sheet."),
        step, recovery_shown_then(parent, on_done), approve=_("Renew the code"), changes=PEOPLE)


class KeptSlotsBox(QFrame):
    """What a change of Lurah left to do: former Lurahs' kept keyslots ("Hapus slot lama"), a recovery code still due."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.slots: list[lurah_upkeep.KeptSlot] = []
        title = QLabel(_("Kept keyslots of former Lurahs"))
        title.setObjectName("sectionTitle")
        hint = QLabel(_("Their passphrase opens no session, but still yields the office's data key. Remove them."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.setMaximumHeight(80)
        self.remove_button = QPushButton(_("Remove old slot\u2026"))
        self.kept_part = QWidget()
        kept_layout = QVBoxLayout(self.kept_part)
        kept_layout.setContentsMargins(0, 0, 0, 0)
        kept_layout.addWidget(title)
        kept_layout.addWidget(hint)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addWidget(self.remove_button, alignment=Qt.AlignmentFlag.AlignTop)
        kept_layout.addLayout(row)
        self.recovery_line = QLabel(_("A new recovery code was not finished (the change of Lurah or the renewal "
                                      "stopped half-way): the code on the sheet may no longer work, or may still be "
                                      "the former Lurah's. Renew it now."))
        self.recovery_line.setObjectName("errorText")
        self.recovery_line.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.kept_part)
        layout.addWidget(self.recovery_line)
        self.hide()

    def show_upkeep(self, upkeep: tuple[list[lurah_upkeep.KeptSlot], bool]) -> None:
        slots, due = upkeep
        self.slots = list(slots)
        self.list.clear()
        for slot in self.slots:
            item = QListWidgetItem(slot.name)
            item.setData(Qt.ItemDataRole.UserRole, slot.operator_id)
            self.list.addItem(item)
        if self.slots:
            self.list.setCurrentRow(0)
        self.kept_part.setVisible(bool(self.slots))
        self.recovery_line.setVisible(due)
        self.setVisible(bool(self.slots) or due)

    def current(self) -> lurah_upkeep.KeptSlot | None:
        row = self.list.currentRow()
        return self.slots[row] if 0 <= row < len(self.slots) else None
