"""Pengaduan: citizens' complaints, due dates in sight, each carried to a recorded outcome."""

from __future__ import annotations

from app.clock import format_wib
from app.domain.complaint import CATEGORY_LABELS, STATUS_LABELS, ComplaintCategory, ComplaintStatus
from app.domain.validation import ValidationFailed
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.complaints import (
    assign_complaint,
    close_complaint,
    list_complaints,
    operators,
    register_complaint,
    resolve_complaint,
    start_complaint,
)
from app.ui.editor.messages import ERROR_STYLE, FieldMessage
from app.ui.editor.prompts import Prompts
from app.ui.journal_panel import JournalPanel
from app.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QShortcut,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import COMPLAINTS, AppState

_B, _D, _S, _T = (s.value for s in ComplaintStatus)
STATUS_FILTERS = (
    (N_("Open"), (_B, _D)),
    (N_("New"), (_B,)),
    (N_("Being handled"), (_D,)),
    (N_("Resolved"), (_S,)),
    (N_("Closed"), (_T,)),
    (N_("All"), ()),
)
HEADERS = (N_("Received"), N_("Category"), N_("Reported by"), N_("Due"), N_("Status"), N_("Handled by"))
OVERDUE, DUE_SOON = QColor("#b3261e"), QColor("#8a5a00")


class RegisterDialog(QDialog):
    """A new complaint, in the citizen's words; problems show beside the field."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.result_view = None
        self.setWindowTitle(_("Register a complaint"))
        self.category = QComboBox()
        for category in ComplaintCategory:
            self.category.addItem(_(CATEGORY_LABELS[category]), category.value)
        self.reporter_name = QLineEdit()
        self.reporter_contact = QLineEdit()
        self.reporter_contact.setPlaceholderText(_("Phone number or address, so the answer reaches them"))
        self.subject_nik = QLineEdit()
        self.subject_nik.setPlaceholderText(_("Optional: the NIK the complaint is about"))
        self.description = QPlainTextEdit()
        self.messages = {name: FieldMessage() for name in ("reporter_name", "subject_nik", "description")}
        self.general = QLabel()
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Reported by"), self.reporter_name)
        form.addRow("", self.messages["reporter_name"])
        form.addRow(_("Contact"), self.reporter_contact)
        form.addRow(_("NIK concerned"), self.subject_nik)
        form.addRow("", self.messages["subject_nik"])
        form.addRow(_("What happened"), self.description)
        form.addRow("", self.messages["description"])
        form.addRow(self.general)
        form.addRow(buttons)

    def submit(self) -> None:
        values = dict(
            category=self.category.currentData(),
            reporter_name=self.reporter_name.text(),
            reporter_contact=self.reporter_contact.text(),
            subject_nik=self.subject_nik.text().strip() or None,
            description=self.description.toPlainText(),
        )
        self.state.run(lambda ctx: register_complaint(ctx, **values), self._done, on_error=self._failed,
                       changes=COMPLAINTS)

    def _done(self, view) -> None:
        self.result_view = view
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationFailed):
            for name, message in self.messages.items():
                message.show_issues([i for i in error.report if i.field == name])
            self.general.clear()
        elif isinstance(error, UsulkanError):
            self.general.setText(error.message())
        else:
            self.state.failed.emit(error)


class ComplaintsPage(QWidget):
    title = N_("Complaints")

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = Prompts(self)
        self.views: list = []
        self.selected_id: str | None = None
        self.dialog: RegisterDialog | None = None

        heading = QLabel(_("Complaints (pengaduan)"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.status_filter = QComboBox()
        for label, _statuses in STATUS_FILTERS:
            self.status_filter.addItem(_(label))
        self.overdue_only = QCheckBox(_("Only overdue"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Reporter's name or NIK (Ctrl+F)"))
        self.register_button = QPushButton(_("Register a complaint (Ctrl+N)"))
        self.register_button.clicked.connect(self.register)
        for signal in (self.status_filter.currentIndexChanged, self.overdue_only.toggled):
            signal.connect(self.refresh)
        self.search.returnPressed.connect(self.refresh)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = {
            "assign": QPushButton(_("Assign…")),
            "start": QPushButton(_("Start handling")),
            "resolve": QPushButton(_("Resolve…")),
            "close": QPushButton(_("Close…")),
        }
        for name, button in self.buttons.items():
            button.clicked.connect(getattr(self, f"do_{name}"))
        self.journal_heading = QLabel("<b>" + _("Journal of this complaint") + "</b>")
        self.journal = JournalPanel(state)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.detail, 1)
        for button in self.buttons.values():
            side_layout.addWidget(button)
        side_layout.addWidget(self.journal_heading)
        side_layout.addWidget(self.journal, 2)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.overdue_only)
        bar.addWidget(self.register_button)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.register)
        state.changed.connect(lambda what: what == COMPLAINTS and self.refresh())
        self._show_detail(None)
        self.refresh()

    # --- the page's API -------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()

    def new_item(self) -> RegisterDialog:
        return self.register()

    def open_item(self, complaint_id: str) -> None:
        """Show one complaint (from the dashboard's "needs attention" list), whatever the filter."""
        self.status_filter.setCurrentIndex(len(STATUS_FILTERS) - 1)
        self.overdue_only.setChecked(False)
        self.search.clear()
        self.selected_id = complaint_id
        self.refresh()

    # --- list -----------------------------------------------------------------------

    def refresh(self) -> None:
        if self.state.ctx is None:
            return
        statuses = STATUS_FILTERS[max(self.status_filter.currentIndex(), 0)][1]
        query, overdue = self.search.text(), self.overdue_only.isChecked()
        self.state.run(
            lambda ctx: [v for v in list_complaints(ctx, statuses=statuses, query=query) if v.overdue or not overdue],
            self._show_list,
        )

    def _show_list(self, views) -> None:
        self.views = list(views)
        keep = self.selected_id
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.views))
        for row, v in enumerate(self.views):
            due = v.due_date.strftime("%d-%m-%Y")
            if v.overdue:
                due = _("{date} (overdue)").format(date=due)
            cells = (
                format_wib(v.received_at), _(CATEGORY_LABELS[ComplaintCategory(v.category)]), v.reporter_name,
                due, _(STATUS_LABELS[ComplaintStatus(v.status)]), v.assigned_name or "-",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if v.overdue:
                    item.setForeground(OVERDUE)
                elif v.due_soon:
                    item.setForeground(DUE_SOON)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        rows = [i for i, v in enumerate(self.views) if v.id == keep]
        if rows:
            self.table.selectRow(rows[0])
        else:
            self.table.clearSelection()
        self._selection_changed()

    def current(self):
        row = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows()
        return self.views[selected[0].row()] if selected and 0 <= row < len(self.views) else None

    def _selection_changed(self) -> None:
        view = self.current()
        self.selected_id = view.id if view else self.selected_id
        self._show_detail(view)

    def _show_detail(self, v) -> None:
        for button in self.buttons.values():
            button.setEnabled(False)
        self.journal.set_subject("complaint" if v else None, v.id if v else None)
        if v is None:
            self.detail.setText(_("Choose a complaint to see it here."))
            return
        lines = [
            f"<b>{_(CATEGORY_LABELS[ComplaintCategory(v.category)])}</b>",
            _("Reported by {name} ({contact}) on {when}").format(
                name=v.reporter_name, contact=v.reporter_contact or "-", when=format_wib(v.received_at)),
            _("Answer due by {date}").format(date=v.due_date.strftime("%d-%m-%Y")),
        ]
        if v.subject_nik:
            lines.append(_("NIK concerned: {nik}").format(nik=v.subject_nik))
        lines.append("<br>" + v.description.replace("\n", "<br>"))
        if v.outcome:
            lines.append("<br><b>" + _("Outcome") + ":</b> " + v.outcome)
        self.detail.setText("<br>".join(lines))
        status = ComplaintStatus(v.status)
        self.buttons["assign"].setEnabled(status in (ComplaintStatus.BARU, ComplaintStatus.DIPROSES))
        self.buttons["start"].setEnabled(status in (ComplaintStatus.BARU, ComplaintStatus.SELESAI))
        self.buttons["resolve"].setEnabled(status is ComplaintStatus.DIPROSES)
        self.buttons["close"].setEnabled(status is not ComplaintStatus.DITUTUP)

    # --- steps (do_close, not close: QWidget.close must stay what it is) ----------------------------------------------------------------------

    def register(self) -> RegisterDialog:
        self.dialog = RegisterDialog(self.state, self)
        self.dialog.accepted.connect(lambda: self._registered(self.dialog.result_view))
        self.dialog.open()
        return self.dialog

    def _registered(self, view) -> None:
        if view is not None:
            self.selected_id = view.id
            self.refresh()

    def _step(self, fn) -> None:
        self.state.run(fn, lambda view: setattr(self, "selected_id", view.id), on_error=self._failed,
                       changes=COMPLAINTS)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.prompts.error(error.message())
        else:
            self.state.failed.emit(error)

    def do_assign(self) -> None:
        v = self.current()
        if v is None:
            return
        self.state.run(operators, lambda people: self._assign_to(v.id, people))

    def _assign_to(self, complaint_id: str, people) -> None:
        person = self.prompts.choose(_("Assign"), _("Who handles this complaint?"), [(i, n) for i, n in people])
        if person:
            self._step(lambda ctx: assign_complaint(ctx, complaint_id, person))

    def do_start(self) -> None:
        v = self.current()
        if v is not None:
            self._step(lambda ctx: start_complaint(ctx, v.id))

    def do_resolve(self) -> None:
        v = self.current()
        if v is None:
            return
        outcome = self.prompts.text(_("Resolve"), _("What was done or decided, as you will tell the citizen:"))
        if outcome:
            self._step(lambda ctx: resolve_complaint(ctx, v.id, outcome))

    def do_close(self) -> None:
        v = self.current()
        if v is None:
            return
        outcome = v.outcome
        if not outcome:
            # Closing an unresolved complaint (a duplicate, say) still has to say why.
            outcome = self.prompts.text(_("Close"), _("Why is this complaint closed without a resolution?"))
            if not outcome:
                return
        elif not self.prompts.confirm(_("Close"), _("Close this complaint? The citizen has been told the outcome."),
                                      yes=_("Close")):
            return
        self._step(lambda ctx: close_complaint(ctx, v.id, outcome))


