"""Petugas: who may open the office, their certificates and open work; the Lurah enrols, revokes and renews here.

The Lurah also countersigns here, later, the handover reports she could not countersign in the
handover wizard: she types her passphrase again for each (an unattended session is not enough).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from app.clock import format_wib
from app.errors import UsulkanError
from app.i18n import _, N_, n_
from app.services import handover, handover_report, operators, totp
from app.services import lurah as lurah_service
from app.services.context import OfficeContext
from app.services.handover_report import HandoverRecordView
from app.services.people import Person, list_people
from app.ui.editor.prompts import Prompts
from app.ui.errors import error_text
from app.ui.lurah_approval import LurahApprovalFields, LurahStepDialog
from app.ui.pages.settings import ROLE_LABELS
from app.ui.people.common import PEOPLE, feedback_label, say, wib_date
from app.ui.qt import (
    QAbstractItemView,
    QColor,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import COMPLAINTS, OFFICE, PROPOSALS, AppState
from app.ui.style import DANGER, WARNING

HEADERS = (N_("Name"), N_("Role"), N_("Status"), N_("Certificate"), N_("Open work"), N_("Last sign-in"))
RENEW_DAYS = 365
POOL = "__pool__"  # the office pool in the successor choice (None in the services)
HANDOVER_MODULE = "app.ui.handover_wizard"


def certificate_text(person: Person) -> str:
    if not person.active:
        return "-"
    if person.valid_until is None:
        # The Lurah signs with the kelurahan's authority key, which needs no certificate here.
        return _("kelurahan authority key") if person.role == "lurah" else _("not certified yet")
    if person.expired:
        return _("expired {date}").format(date=wib_date(person.valid_until))
    if person.expiring:
        return _("expires {date}").format(date=wib_date(person.valid_until))
    return _("valid until {date}").format(date=wib_date(person.valid_until))


def pending_line(view: HandoverRecordView) -> str:
    """One report awaiting countersignature: who to whom, when, how many items, the shortened fingerprint."""
    return n_("{name} to {successor}, {when}: {count} item \u2014 fingerprint {hash}", "{name} to {successor}, {when}: {count} items \u2014 fingerprint {hash}", len(view.items)).format(
        name=view.from_name or "-", successor=view.successor_name or _("Office pool"), when=format_wib(view.at),
        count=len(view.items), hash=view.short_hash)


class CountersignDialog(QDialog):
    """The Lurah checks one report's fingerprint and types her passphrase now to countersign it."""

    def __init__(self, state: AppState, view: HandoverRecordView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.view = view
        self.result_view: HandoverRecordView | None = None
        self.pdf: bytes | None = None
        self.setWindowTitle(_("Countersign the handover report"))
        self.setMinimumWidth(480)
        text = QLabel(n_("Handover of {name} to {successor} on {when}, {count} item.\n"
                         "Report fingerprint: {hash}\n"
                         "Compare the fingerprint with the printed report, then type the Lurah's passphrase "
                         "to countersign it.",
                         "Handover of {name} to {successor} on {when}, {count} items.\n"
                         "Report fingerprint: {hash}\n"
                         "Compare the fingerprint with the printed report, then type the Lurah's passphrase "
                         "to countersign it.", len(view.items)).format(
            name=view.from_name or "-", successor=view.successor_name or _("Office pool"), when=format_wib(view.at),
            count=len(view.items), hash=view.short_hash))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = text
        self.fields = LurahApprovalFields(lurah_service.needs_code(state.ctx))
        self.passphrase, self.code = self.fields.passphrase, self.fields.code
        self.passphrase.returnPressed.connect(self.countersign)
        self.code.returnPressed.connect(self.countersign)
        self.message = feedback_label()
        # Not _("Countersign"): two catalogues translate that one differently (Sahkan / Tandatangani).
        self.countersign_button = QPushButton(_("Countersign now"))
        self.countersign_button.setObjectName("primary")
        self.countersign_button.clicked.connect(self.countersign)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.addButton(self.countersign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            # Enter in the field countersigns; a default button would fire a second time (or cancel).
            button.setAutoDefault(False)
            button.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.fields)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.busy = False

    def countersign(self) -> None:
        if self.busy or self.result_view is not None:
            return
        approval, record_id = self.fields.approval(), self.view.id
        if not self.fields.complete():
            say(self.message, _("Type the Lurah's passphrase (and the code from the app) first."), ok=False)
            return
        self.busy = True
        self.countersign_button.setEnabled(False)
        say(self.message, _("Checking the passphrase ..."), ok=None)

        def work(ctx: OfficeContext):
            # The wizard's own step: Argon2id (slow, never on the GUI thread), the passphrase typed now
            # opening the Lurah's own slot, a record countersigned meanwhile checked all the same.
            from app.ui.handover_wizard import steps

            return steps.countersign(ctx, record_id, approval)

        self.state.run(work, self._done, on_error=self._failed, changes=PEOPLE)

    def _done(self, result) -> None:
        self.busy = False
        self.result_view, self.pdf = result
        self.fields.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.countersign_button.setEnabled(True)
        say(self.message, error_text(error), ok=False)
        # Keep what was typed, selected, so a typo is fixed by typing again; a code is used up either way.
        self.code.clear()
        self.passphrase.selectAll()
        self.passphrase.setFocus()


class PeoplePage(QWidget):
    title = N_("People")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.people: list[Person] = []
        self.selected_id: str | None = None
        self.totp_enrolled = False
        self.pending: list[HandoverRecordView] = []
        self._stale = False
        self.dialog: QWidget | None = None  # the wizard or dialog opened last (tests drive it)
        self.open_files = True  # tests do not launch a PDF viewer

        heading = QLabel(_("People"))
        heading.setObjectName("pageHeading")
        self.role_line = QLabel()
        self.role_line.setObjectName("hint")
        self.role_line.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            f"QLabel {{ color: {WARNING}; background: #fff8ef; border: 1px solid {WARNING}; "
            "border-radius: 6px; padding: 8px; }"
        )
        self.warning.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        # The Lurah's: handover reports still waiting for her countersignature.
        self.pending_box = QFrame()
        self.pending_box.setObjectName("card")
        self.pending_title = QLabel()
        self.pending_title.setStyleSheet("QLabel { font-weight: bold; }")
        pending_hint = QLabel(_("Check each report's fingerprint against the printed report, then countersign "
                                "it with the Lurah's passphrase."))
        pending_hint.setObjectName("hint")
        pending_hint.setWordWrap(True)
        self.pending_list = QListWidget()
        self.pending_list.setWordWrap(True)
        self.pending_list.setMaximumHeight(120)
        self.pending_list.itemSelectionChanged.connect(self._pending_selection_changed)
        self.pending_list.itemDoubleClicked.connect(lambda _item: self.countersign())
        self.countersign_button = QPushButton(_("Countersign\u2026"))
        self.countersign_button.clicked.connect(lambda: self.countersign())
        pending_layout = QVBoxLayout(self.pending_box)
        pending_layout.setContentsMargins(12, 8, 12, 8)
        pending_layout.addWidget(self.pending_title)
        pending_layout.addWidget(pending_hint)
        pending_row = QHBoxLayout()
        pending_row.addWidget(self.pending_list, 1)
        pending_row.addWidget(self.countersign_button, alignment=Qt.AlignmentFlag.AlignTop)
        pending_layout.addLayout(pending_row)
        self.pending_box.hide()

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        # The Lurah's actions, hidden for everyone else (the services refuse them anyway).
        self.enrol_button = QPushButton(_("Enrol a person\u2026"))
        self.enrol_button.setObjectName("primary")
        self.renew_button = QPushButton(_("Renew certificate"))
        self.departure_button = QPushButton(_("Sudden departure\u2026"))
        self.departure_button.setToolTip(_("Move all open work of the person in one step, then revoke them."))
        self.revoke_button = QPushButton(_("Revoke access\u2026"))
        self.rotate_button = QPushButton(_("Renew the Lurah's key\u2026"))
        self.rotate_button.clicked.connect(self.rotate_lurah_key)
        self.change_lurah_button = QPushButton(_("Change of Lurah\u2026"))
        self.change_lurah_button.clicked.connect(self.change_lurah)
        self.recovery_button = QPushButton(_("Renew the recovery code\u2026"))
        self.recovery_button.clicked.connect(lambda: self.renew_recovery_code())
        self.lurah_buttons = (self.enrol_button, self.renew_button, self.departure_button, self.revoke_button,
                              self.rotate_button, self.change_lurah_button, self.recovery_button)
        # Everyone's actions.
        self.handover_button = QPushButton(_("Hand over work\u2026"))
        self.start_page_button = QPushButton(_("My start page"))
        self.rebind_button = QPushButton(_("The old Lurah is not here\u2026"))
        self.rebind_button.clicked.connect(self.rebind_lurah)
        for button, slot in (
            (self.enrol_button, self.enrol), (self.renew_button, self.renew), (self.departure_button, self.departure),
            (self.revoke_button, self.revoke), (self.handover_button, self.hand_over),
            (self.start_page_button, self.show_start_page),
        ):
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
        actions = QHBoxLayout()
        key_actions = QHBoxLayout()  # the Lurah's own key on a row of its own: one row is wider than 1366 px
        key_buttons = (self.rotate_button, self.change_lurah_button, self.recovery_button)
        for button in self.lurah_buttons:
            (key_actions if button in key_buttons else actions).addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.handover_button)
        actions.addWidget(self.start_page_button)
        key_actions.addStretch(1)
        key_actions.addWidget(self.rebind_button)

        from app.ui.people.lurah_upkeep_dialogs import KeptSlotsBox

        self.kept_box = KeptSlotsBox()
        self.kept_box.remove_button.clicked.connect(lambda: self.remove_old_slot())
        self.totp_box = QFrame()
        self.totp_box.setObjectName("card")
        self.totp_text = QLabel()
        self.totp_text.setWordWrap(True)
        self.totp_button = QPushButton()
        self.totp_button.clicked.connect(lambda: self.toggle_totp())
        totp_row = QHBoxLayout(self.totp_box)
        totp_row.setContentsMargins(12, 8, 12, 8)
        totp_row.addWidget(self.totp_text, 1)
        totp_row.addWidget(self.totp_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.role_line)
        layout.addWidget(self.warning)
        layout.addWidget(self.pending_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addLayout(key_actions)
        layout.addWidget(self.message)
        layout.addWidget(self.kept_box)
        layout.addWidget(self.totp_box)

        state.changed.connect(self._changed)
        state.signed_in.connect(self.refresh)
        self.refresh()

    # --- who is looking -------------------------------------------------------------

    def is_lurah(self) -> bool:
        ctx = self.state.ctx
        return ctx is not None and ctx.operator_role == "lurah"

    def _show_role(self) -> None:
        lurah = self.is_lurah()
        self.role_line.setText(
            _("As the Lurah you enrol people, revoke them and renew their certificates.") if lurah else
            _("Only the Lurah enrols people, revokes them and renews certificates. "
              "Ask the Lurah to sign in to do it; here you can see who may open the office.")
        )
        for button in self.lurah_buttons:
            button.setVisible(lurah)
        self.totp_box.setVisible(lurah)
        if not lurah:
            self.kept_box.hide()

    # --- list -----------------------------------------------------------------------

    def _changed(self, what: str) -> None:
        if what not in (PEOPLE, OFFICE, PROPOSALS, COMPLAINTS):
            return
        # Counting everyone's open work after every proposal edit is wasted while the page is hidden.
        if self.isVisible() or what == PEOPLE:
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        if self.state.ctx is None:
            return
        self._stale = False
        self._show_role()
        self.state.run(lambda ctx: (list_people(ctx), totp.is_enrolled(ctx)), self._show)
        if self.is_lurah():
            self.state.run(handover_report.awaiting_countersignature, self._show_pending, on_error=self._failed)
            from app.services.lurah_upkeep import kept_slots, recovery_due

            self.state.run(lambda ctx: (kept_slots(ctx), recovery_due(ctx)), self.kept_box.show_upkeep,
                           on_error=self._failed)
        else:
            self.pending = []
            self.pending_box.hide()

    # --- handover reports awaiting the Lurah's countersignature -----------------------

    def _show_pending(self, views: list[HandoverRecordView]) -> None:
        keep = self.current_pending()
        self.pending = list(views)
        self.pending_list.clear()
        for view in self.pending:
            item = QListWidgetItem(pending_line(view))
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.pending_list.addItem(item)
        self.pending_title.setText(_("Handover reports awaiting countersignature ({count})").format(
            count=len(self.pending)))
        ids = [view.id for view in self.pending]
        self.pending_list.setCurrentRow(ids.index(keep.id) if keep is not None and keep.id in ids else 0)
        self.pending_box.setVisible(bool(self.pending) and self.is_lurah())
        self._pending_selection_changed()

    def current_pending(self) -> HandoverRecordView | None:
        row = self.pending_list.currentRow()
        return self.pending[row] if 0 <= row < len(self.pending) else None

    def _pending_selection_changed(self) -> None:
        self.countersign_button.setEnabled(self.current_pending() is not None)

    def countersign(self, record_id: str | None = None):
        """Open the passphrase dialog for the chosen (or selected) report; countersigning runs off the GUI thread."""
        view = next((v for v in self.pending if v.id == record_id), None) if record_id else self.current_pending()
        if view is None or not self.is_lurah():
            return None
        if isinstance(self.dialog, CountersignDialog) and not self.dialog.isVisible():
            self.dialog.deleteLater()  # the one before, done with
        dialog = CountersignDialog(self.state, view, self)
        dialog.accepted.connect(lambda: self._countersigned(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _countersigned(self, dialog: CountersignDialog) -> None:
        view, pdf = dialog.result_view, dialog.pdf
        if view is None or pdf is None:
            return
        done = _("\u2713 The handover report of {name} is countersigned and verifies (fingerprint {hash}).").format(
            name=view.from_name, hash=view.short_hash)
        say(self.message, done, ok=True)
        if self.prompts.confirm(
            _("Countersign the handover report"),
            _("Save the countersigned report as a PDF now? Print it for the file and for {name}.").format(
                name=view.successor_name or view.from_name),
            yes=_("Save the countersigned PDF ..."),
        ):
            saved = self.save_countersigned_pdf(view, pdf)
            if self.message.text() != done:  # keep saying it is countersigned, then where (or why not) it is saved
                say(self.message, done + " " + self.message.text(), ok=saved is not None)

    def save_countersigned_pdf(self, view: HandoverRecordView, pdf: bytes, path: str | Path | None = None):
        from app.ui.people.onboarding import save_record_pdf

        return save_record_pdf(self.prompts, self.message, view, pdf, path, open_file=self.open_files)

    def _show(self, result: tuple[list[Person], bool]) -> None:
        self.people, self.totp_enrolled = result
        me = self.state.ctx.operator_id if self.state.ctx else None
        keep = self.selected_id
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.people))
        for row, person in enumerate(self.people):
            name = person.name + (" " + _("(you)") if person.id == me else "")
            cells = (
                name, _(ROLE_LABELS.get(person.role, person.role)),
                _("Active") if person.active else _("Revoked {date}").format(date=wib_date(person.revoked_at)),
                certificate_text(person), str(person.open_items) if person.active else "-",
                wib_date(person.last_sign_in),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not person.active:
                    item.setForeground(QColor("#8a969d"))
                elif person.expired:
                    item.setForeground(QColor(DANGER))
                elif person.expiring:
                    item.setForeground(QColor(WARNING))
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        rows = [i for i, p in enumerate(self.people) if p.id == keep]
        if rows:
            self.table.selectRow(rows[0])
        else:
            self.table.clearSelection()
        self._show_warning()
        self._show_totp()
        self._selection_changed()

    def _show_warning(self) -> None:
        expired = [p.name for p in self.people if p.active and p.expired]
        expiring = [p.name for p in self.people if p.active and p.expiring]
        lines = []
        if expired:
            lines.append(_("Certificate expired: {names}. Dinsos refuses their batches until the Lurah renews it.")
                         .format(names=", ".join(expired)))
        if expiring:
            lines.append(_("Certificate expires within 30 days: {names}. Renew it before it runs out.")
                         .format(names=", ".join(expiring)))
        self.warning.setText("\n".join(lines))
        self.warning.setVisible(bool(lines))

    def _show_totp(self) -> None:
        if self.totp_enrolled:
            self.totp_text.setText(_("Enrolling a person needs the Lurah's passphrase and a code from the "
                                     "authenticator app on the Lurah's phone."))
            self.totp_button.setText(_("Remove the authenticator app\u2026"))
        else:
            self.totp_text.setText(_("Enrolling a person needs only the Lurah's passphrase. An authenticator app "
                                     "on the Lurah's phone adds a second check."))
            self.totp_button.setText(_("Set up an authenticator app\u2026"))

    def current(self) -> Person | None:
        selected = self.table.selectionModel().selectedRows()
        return self.people[selected[0].row()] if selected and selected[0].row() < len(self.people) else None

    def select(self, operator_id: str) -> None:
        self.selected_id = operator_id
        rows = [i for i, p in enumerate(self.people) if p.id == operator_id]
        if rows:
            self.table.selectRow(rows[0])

    def open_item(self, operator_id: str) -> None:
        """MainWindow.navigate (the dashboard's certificate warning): that person's row, selected."""
        self.select(operator_id)

    def _selection_changed(self) -> None:
        person = self.current()
        if person is not None:
            self.selected_id = person.id
        me = self.state.ctx.operator_id if self.state.ctx else None
        other = person is not None and person.active and person.role != "lurah" and person.id != me
        self.revoke_button.setEnabled(other)
        self.departure_button.setEnabled(other)
        self.renew_button.setEnabled(person is not None and person.active)

    # --- actions --------------------------------------------------------------------

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            say(self.message, error.message(), ok=False)
        else:
            self.state.failed.emit(error)

    def enrol(self):
        from app.ui.people.enrol_wizard import EnrolWizard

        self.dialog = EnrolWizard(self.state, self)
        self.dialog.open()
        return self.dialog

    def revoke(self, operator_id: str | None = None):
        from app.ui.people.revoke_wizard import RevokeWizard

        person = self.current()
        chosen = operator_id or (person.id if person is not None else None)
        self.dialog = RevokeWizard(self.state, self, operator_id=chosen)
        self.dialog.open()
        return self.dialog

    def rotate_lurah_key(self):
        from app.ui.people.lurah_change_dialogs import rotation_dialog

        self.dialog = rotation_dialog(self.state, self)
        self.dialog.open()
        return self.dialog

    def change_lurah(self):
        from app.ui.people.lurah_change_dialogs import ChangeLurahDialog

        self.dialog = ChangeLurahDialog(self.state, self)
        self.dialog.open()
        return self.dialog

    def renew_recovery_code(self):
        from app.ui.people.lurah_upkeep_dialogs import recovery_dialog

        self.dialog = recovery_dialog(self.state, self)
        self.dialog.open()
        return self.dialog

    def remove_old_slot(self):
        from app.ui.people.lurah_upkeep_dialogs import remove_slot_dialog

        slot = self.kept_box.current()
        if slot is None or not self.is_lurah():
            return None

        def done(removed) -> None:
            say(self.message, _("The old keyslot of {name} is removed; the office moved to a new key, so it opens "
                                "nothing.").format(name=removed.name), ok=True)

        self.dialog = remove_slot_dialog(self.state, self, slot, done)
        self.dialog.open()
        return self.dialog

    def rebind_lurah(self):
        from app.ui.people.lurah_rebind_dialog import LurahRebindDialog

        self.dialog = LurahRebindDialog(self.state, self)
        self.dialog.open()
        return self.dialog

    def renew(self) -> None:
        person = self.current()
        if person is None or not person.active:
            return
        name = person.name

        def done(cert) -> None:
            say(self.message, _("{name}'s certificate is valid until {date}.").format(
                name=name, date=wib_date(cert.valid_until)), ok=True)

        def step(ctx, approval):
            confirmation = lurah_service.confirm(ctx, approval.passphrase, purpose=lurah_service.Purpose.ROTATE,
                                                 subject=person.id, totp_code=approval.totp_code)
            return operators.renew_certificate(ctx, person.id, confirmation=confirmation, valid_days=RENEW_DAYS)

        self.dialog = LurahStepDialog(
            self.state, self, _("Renew certificate"),
            _("A new certificate for {name}, valid for {days} days from today, signed with the Lurah's authority "
              "key.").format(name=name, days=RENEW_DAYS), step, done, approve=_("Renew"), changes=PEOPLE)
        self.dialog.open()

    def departure(self) -> None:
        """Sudden departure: everything the person held goes to the pool or a successor at once, then revoke."""
        person = self.current()
        if person is None or not person.active:
            return
        choices = [(POOL, _("The office pool (anyone can pick it up)"))] + [
            (p.id, p.name) for p in self.people if p.active and p.id != person.id
        ]
        target = self.prompts.choose(
            _("Sudden departure"),
            n_("{name} holds {count} item of open work. Who takes it?", "{name} holds {count} items of open work. Who takes all of it?", person.open_items).format(
                name=person.name, count=person.open_items),
            choices,
        )
        if target is None:
            return
        to_operator = None if target == POOL else target
        target_name = dict(choices)[target]
        if not self.prompts.confirm(
            _("Sudden departure"),
            n_("Move the {count} item of {name} to {target} now? A note can still be added to it later.",
               "Move all {count} items of {name} to {target} now? Notes can still be added to each item later.",
               person.open_items)
            .format(count=person.open_items, name=person.name, target=target_name),
            yes=_("Move all work"),
        ):
            return
        self.state.run(lambda ctx: handover.move_all_open_work(ctx, person.id, to_operator),
                       lambda report: self._moved(person, target_name, report),
                       on_error=self._failed, changes=PEOPLE)

    def _moved(self, person: Person, target_name: str, report) -> None:
        for what in (PROPOSALS, COMPLAINTS):
            self.state.changed.emit(what)
        say(self.message, n_("{count} item of {name} now belongs to {target}.", "{count} items of {name} now belong to {target}.", len(report.items)).format(
            count=len(report.items), name=person.name, target=target_name), ok=True)
        if self.prompts.confirm(
            _("Sudden departure"),
            _("Revoke {name}'s access now as well? Their passphrase will no longer open the office.")
            .format(name=person.name),
            yes=_("Revoke access\u2026"),
        ):
            self.revoke(person.id)

    def toggle_totp(self):
        from app.ui.people.totp_dialog import TotpEnrolDialog, TotpRemoveDialog

        dialog_class = TotpRemoveDialog if self.totp_enrolled else TotpEnrolDialog
        self.dialog = dialog_class(self.state, self)
        self.dialog.open()
        return self.dialog

    def hand_over(self):
        """The handover wizard (another module); the Lurah hands over the selected person's work."""
        try:
            module = importlib.import_module(HANDOVER_MODULE)
        except ModuleNotFoundError as error:
            if error.name != HANDOVER_MODULE:
                raise
            self.prompts.info(_("Hand over work"), _("The handover wizard is not part of this version yet."))
            return None
        wizard_class = module.HandoverWizard
        person = self.current()
        kwargs = {}
        if (person is not None and person.active and self.is_lurah()
                and "from_operator" in inspect.signature(wizard_class).parameters):
            kwargs["from_operator"] = person.id
        self.dialog = wizard_class(self.state, self, **kwargs)
        self.dialog.open()
        return self.dialog

    def show_start_page(self):
        from app.ui.people.onboarding import show_onboarding

        self.dialog = show_onboarding(self.state, self)
        return self.dialog
