"""The journal of one proposal, household or complaint: what was done, what is next, by whom.

Nothing about a case should live only in someone's head or notebook: the panel lists the
subject's entries newest first and has a small form to add one. Every service call goes
through ``AppState.run``; a change is announced as ``JOURNAL`` so every panel showing the
same subject (a household seen from two proposals) refreshes.
"""

from __future__ import annotations

from datetime import date

from app.clock import format_wib, to_wib, today_wib
from app.domain.validation import Issue
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services.journal import KINDS, MAX_TEXT, add_entry, complete_action, entries
from app.ui.editor.messages import ERROR_STYLE, FieldMessage
from app.ui.qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QDate,
    QDateEdit,
    QEvent,
    QFont,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from app.ui.state import AppState

# What a journal call touched (beside PROPOSALS, COMPLAINTS... of app/ui/state.py).
JOURNAL = "journal"
KIND_LABELS = {
    "note": N_("Note"),
    "call": N_("Phone call"),
    "visit": N_("Visit"),
    "next_action": N_("Next action"),
}
HEADERS = (N_("When"), N_("Kind"), N_("Entry"), N_("By"), N_("Due"))
ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE = QColor("#b3261e")  # the complaints page's red for what is late


class TextMissing(UsulkanError):
    template = N_("Write what was said, done or is to be done.")


class TextTooLong(UsulkanError):
    template = N_("The entry is too long ({count} characters, at most {max}). Shorten it or split it in two.")


class DueDateMissing(UsulkanError):
    template = N_("A next action needs a due date: choose by when it must be done.")


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class DueDateEdit(QDateEdit):
    """A due date that may not be chosen yet: the minimum date stands for "none" and shows a prompt."""

    NONE = QDate(2000, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd-MM-yyyy")
        self.setMinimumDate(self.NONE)
        self.setSpecialValueText(_("choose a date"))
        self.clear_date()
        # The calendar would open on the "none" date (year 2000): open it on this month instead.
        self.calendarWidget().installEventFilter(self)

    def has_date(self) -> bool:
        return self.date() != self.NONE

    def value(self) -> date | None:
        return self.date().toPython() if self.has_date() else None

    def clear_date(self) -> None:
        self.setDate(self.NONE)

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name)
        # The arrow keys start from today, not from the year 2000.
        if not self.has_date():
            self.setDate(to_qdate(today_wib()))
            return
        super().stepBy(steps)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Show and not self.has_date():
            today = today_wib()
            watched.setCurrentPage(today.year, today.month)
        return False


class JournalPanel(QWidget):
    """One subject's journal and the form to add to it."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.subject: tuple[str, str] | None = None
        self.views: list = []
        # Typing kept per subject: choosing another complaint never loses, nor misfiles, a draft.
        self._drafts: dict[tuple[str, str], str] = {}
        self._generation = 0

        self.unavailable = QLabel()
        self.unavailable.setWordWrap(True)
        self.unavailable.hide()

        self.list = QTreeWidget()
        self.list.setHeaderLabels([_(h) for h in HEADERS])
        self.list.setRootIsDecorated(False)
        self.list.setWordWrap(True)
        self.list.setUniformRowHeights(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel(_("Nothing written yet. Add the first note below."))
        self.empty.setWordWrap(True)
        self.done_button = QPushButton(_("Mark as done"))
        self.done_button.setAutoDefault(False)
        self.done_button.setEnabled(False)
        self.done_button.clicked.connect(self.mark_done)

        self.kind = QComboBox()
        for code in KINDS:
            self.kind.addItem(kind_label(code), code)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(_("What was said or done; for a next action, what is to be done"))
        self.text.setMaximumHeight(90)
        self.text.setTabChangesFocus(True)
        self.text.installEventFilter(self)
        self.text.textChanged.connect(self._text_changed)
        self.due = DueDateEdit()
        self.due_label = QLabel(_("Due date"))
        self.text_message = FieldMessage()
        self.due_message = FieldMessage()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.add_button = QPushButton(_("Add to the journal (Ctrl+Enter)"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)

        self.form = QWidget()
        rows = QFormLayout(self.form)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addRow(_("Kind"), self.kind)
        rows.addRow(_("Entry"), self.text)
        rows.addRow("", self.text_message)
        rows.addRow(self.due_label, self.due)
        rows.addRow("", self.due_message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.add_button)
        rows.addRow(buttons)

        list_bar = QHBoxLayout()
        list_bar.addWidget(self.empty, 1)
        list_bar.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.unavailable)
        layout.addWidget(self.list, 1)
        layout.addLayout(list_bar)
        layout.addWidget(self.form)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.form, self.add)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._kind_changed()
        state.changed.connect(self._state_changed)
        self.set_subject(None, None)

    # --- the subject ------------------------------------------------------------------

    def set_subject(self, subject_type: str | None, subject_id: str | None, *, unavailable: str = "") -> None:
        """Show the journal of ``subject_type``/``subject_id``; with None, ``unavailable`` says why not."""
        subject = (subject_type, str(subject_id)) if subject_type and subject_id else None
        if subject != self.subject:
            self._keep_draft()
            self.subject = subject
            self._restore_draft()
            self._clear_messages()
        has = subject is not None
        self.unavailable.setText(unavailable)
        self.unavailable.setVisible(not has and bool(unavailable))
        for widget in (self.list, self.form, self.done_button, self.empty):
            widget.setVisible(has)
        if has:
            self.reload()
        else:
            self._generation += 1
            self._show([])

    def reload(self) -> None:
        if self.subject is None or self.state.ctx is None:
            return
        self._generation += 1
        generation, (subject_type, subject_id) = self._generation, self.subject
        self.state.run(
            lambda ctx: entries(ctx, subject_type, subject_id),
            lambda views: generation == self._generation and self._show(views),
            on_error=self._failed,
        )

    def _state_changed(self, what: str) -> None:
        if what == JOURNAL and self.subject is not None:
            self.reload()

    def _keep_draft(self) -> None:
        if self.subject is not None:
            text = self.text.toPlainText()
            if text.strip():
                self._drafts[self.subject] = text
            else:
                self._drafts.pop(self.subject, None)

    def _restore_draft(self) -> None:
        self.text.setPlainText(self._drafts.pop(self.subject, "") if self.subject else "")

    # --- the list ---------------------------------------------------------------------

    def _show(self, views) -> None:
        self.views = list(views)
        keep = self.selected_id()
        self.list.clear()
        today = today_wib()
        for v in self.views:
            item = QTreeWidgetItem([format_wib(v.created_at), kind_label(v.kind), v.text, v.operator_name or "-",
                                    self._due_text(v, today)])
            item.setData(0, ID_ROLE, v.id)
            item.setToolTip(2, v.text)
            if self.is_overdue(v, today):
                bold = QFont(item.font(4))
                bold.setBold(True)
                for column in range(len(HEADERS)):
                    item.setForeground(column, OVERDUE)
                item.setFont(4, bold)
            self.list.addTopLevelItem(item)
            if v.id == keep:
                item.setSelected(True)
        self.empty.setText(_("Nothing written yet. Add the first note below.") if not self.views else "")
        self._selection_changed()

    @staticmethod
    def is_overdue(v, today: date | None = None) -> bool:
        return (v.kind == "next_action" and v.done_at is None and v.due_date is not None
                and v.due_date < (today or today_wib()))

    def _due_text(self, v, today: date) -> str:
        if v.kind != "next_action":
            return ""
        due = v.due_date.strftime("%d-%m-%Y") if v.due_date else "-"
        if v.done_at is not None:
            return _("{date}, done {done}").format(date=due, done=to_wib(v.done_at).strftime("%d-%m-%Y"))
        text = _("{date} (overdue)").format(date=due) if self.is_overdue(v, today) else due
        if v.addressed_to_name and v.addressed_to != v.operator_id:
            # Handed over, or written for a colleague: whose it is now matters more than who wrote it.
            text += " \u00b7 " + _("for {name}").format(name=v.addressed_to_name)
        return text

    def selected_id(self) -> int | None:
        items = self.list.selectedItems()
        return items[0].data(0, ID_ROLE) if items else None

    def selected(self):
        entry_id = self.selected_id()
        return next((v for v in self.views if v.id == entry_id), None)

    def _selection_changed(self) -> None:
        v = self.selected()
        self.done_button.setEnabled(v is not None and v.kind == "next_action" and v.done_at is None)

    def mark_done(self) -> None:
        v = self.selected()
        if v is None or v.kind != "next_action" or v.done_at is not None:
            return
        entry_id = v.id
        self.state.run(lambda ctx: complete_action(ctx, entry_id), None, on_error=self._failed, changes=JOURNAL)

    # --- the form ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # Ctrl+Enter in the text adds the entry (a plain Enter is a new line).
        if (watched is self.text and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.add()
            return True
        return super().eventFilter(watched, event)

    def _kind_changed(self) -> None:
        action = self.kind.currentData() == "next_action"
        self.due_label.setVisible(action)
        self.due.setVisible(action)
        if not action:
            self.due_message.show_issues([])

    def _text_changed(self) -> None:
        # A message about the text goes as soon as the text is right; a new one waits for the next try.
        if not self.text_message.isHidden() and not self._text_issues():
            self.text_message.show_issues([])

    def _text_issues(self) -> list[Issue]:
        text = self.text.toPlainText().strip()
        if not text:
            return [Issue("text", TextMissing())]
        if len(text) > MAX_TEXT:
            return [Issue("text", TextTooLong(count=len(text), max=MAX_TEXT))]
        return []

    def _clear_messages(self) -> None:
        self.text_message.show_issues([])
        self.due_message.show_issues([])
        self.error.clear()
        self.error.hide()

    def add(self) -> None:
        """Check the form here, then write through the service; the typing stays until it is saved."""
        if self.subject is None:
            return
        kind = self.kind.currentData()
        due = self.due.value() if kind == "next_action" else None
        text_issues = self._text_issues()
        due_issues = [Issue("due_date", DueDateMissing())] if kind == "next_action" and due is None else []
        self._clear_messages()
        self.text_message.show_issues(text_issues)
        self.due_message.show_issues(due_issues)
        if text_issues or due_issues:
            (self.text if text_issues else self.due).setFocus()
            return
        subject_type, subject_id = self.subject
        text = self.text.toPlainText()
        self.add_button.setEnabled(False)
        self.state.run(
            lambda ctx: add_entry(ctx, subject_type=subject_type, subject_id=subject_id, kind=kind, text=text,
                                  due_date=due),
            lambda _view: self._added(subject_type, subject_id),
            on_error=self._add_failed,
            changes=JOURNAL,
        )

    def _added(self, subject_type: str, subject_id: str) -> None:
        self.add_button.setEnabled(True)
        if self.subject == (subject_type, subject_id):
            self.text.clear()
            self.due.clear_date()
        else:
            self._drafts.pop((subject_type, subject_id), None)

    def _add_failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, UsulkanError):
            self.error.setText(error.message())
            self.error.show()
        else:
            self.state.failed.emit(error)
