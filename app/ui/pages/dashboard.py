"""Beranda: how many proposals are where, the send queue, Dinsos contact, and what needs attention."""

from __future__ import annotations

from datetime import datetime

from app.clock import format_wib, today_wib
from app.domain.complaint import CATEGORY_LABELS, ComplaintCategory
from app.i18n import N_, _, n_
from app.services.dashboard import Overview, overview
from app.services.lurah_todo import LurahTodos
from app.ui.errors import error_text
from app.ui.list_request import StateList
from app.ui.pages.dashboard_cutoff import CutoffCard
from app.ui.people.common import wib_date
from app.ui.qt import (
    QFont,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    Signal,
    QWidget,
)
from app.ui.state import AppState

TARGET_ROLE = Qt.ItemDataRole.UserRole  # (page key, item id) an attention row opens

# The sixteen workflow states in the six groups an operator thinks in. States not listed
# (not eligible, superseded, withdrawn) are history, not work, and are not counted here.
STATE_GROUPS = (
    ("draft", N_("Drafts"), ("draft",)),
    ("deliberation", N_("Awaiting ground check, muskel or SPTJM"), ("ground_check", "muskel", "sptjm")),
    ("ready", N_("Ready to send or queued"), ("ready", "queued")),
    ("dinsos", N_("At the Dinsos"), ("sent", "received", "verified")),
    ("returned", N_("Returned by the Dinsos"), ("returned",)),
    ("done", N_("Finished"), ("finalised", "approved", "forwarded")),
)


def group_counts(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    """Sum the (kind, state) counts of the overview into the six groups."""
    by_state: dict[str, int] = {}
    for (_kind, state), n in counts.items():
        by_state[state] = by_state.get(state, 0) + n
    return {key: sum(by_state.get(s, 0) for s in states) for key, _title, states in STATE_GROUPS}


def dinsos_state_text(server_url: str | None, last_contact: datetime | None, unreachable: bool = False) -> str:
    """Honest words for the Dinsos connection: never claim a contact that did not happen."""
    if not server_url:
        return _("Dinsos server not set up yet")
    if unreachable:
        # The last round could not reach Dinsos: not connected now, whatever happened before.
        return (_("Not connected: the Dinsos server cannot be reached now (last contact: {when})").format(
            when=format_wib(last_contact)) if last_contact else
            _("Not connected: the Dinsos server cannot be reached now"))
    if last_contact is None:
        return _("Never connected to the Dinsos yet")
    return _("Last contact with the Dinsos: {when}").format(when=format_wib(last_contact))


def backup_warning_text(health) -> str:
    """What Beranda says about backups: empty when the newest good one is fresh and the folder is there."""
    if health is None or health.ok:
        return ""
    if health.folder_missing:
        return _("The backup folder {folder} is not there: plug in the backup stick, then back up "
                 "in Settings.").format(folder=health.folder)
    if health.newest is None:
        return _("This office has no backup yet. Back up now in Settings.")
    return _("The newest good backup is {days} days old. Plug in the backup stick and back up in Settings.").format(
        days=health.age.days)


class CountCard(QFrame):
    """A number with a caption; the warning look marks work waiting on the kelurahan.

    Clicking it (or Enter/Space when it has the focus) opens the list it counts.
    """

    clicked = Signal()

    def __init__(self, title: str, *, warning: bool = False) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(_("Click to open the list"))
        self.setObjectName("card")
        if warning:
            self.setProperty("emphasis", "warning")
        self.count_label = QLabel("–")
        self.count_label.setObjectName("cardCount")
        self.title_label = QLabel(title)
        self.title_label.setObjectName("cardTitle")
        self.title_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.count_label)
        layout.addWidget(self.title_label)
        self.setMinimumWidth(170)

    def set_value(self, text: str) -> None:
        self.count_label.setText(text)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class DashboardPage(QWidget):
    title = N_("Home")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.overview: Overview | None = None
        self._loading = False
        self._again = False

        heading = QLabel(_("Home"))
        heading.setObjectName("pageHeading")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("hint")

        self.cards: dict[str, CountCard] = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        for index, (key, title, states) in enumerate(STATE_GROUPS):
            card = CountCard(_(title), warning=(key == "returned"))
            card.request = StateList(_(title), tuple(states))
            card.clicked.connect(self._open_card)
            self.cards[key] = card
            grid.addWidget(card, index // 3, index % 3)

        self.queue_card = CountCard(_("Waiting in the send queue"))
        self.dinsos_card = CountCard(_("Connection with the Dinsos"))
        for card in (self.queue_card, self.dinsos_card):
            card.request = None  # both are the Sending page's business
            card.clicked.connect(self._open_sending)
        self.dinsos_card.count_label.setObjectName("cardTitle")  # a sentence, not a big number
        self.dinsos_card.count_label.setWordWrap(True)
        line = QHBoxLayout()
        line.setSpacing(12)
        line.addWidget(self.queue_card, 1)
        line.addWidget(self.dinsos_card, 2)
        self.cutoff_card = CutoffCard()

        attention_heading = QLabel(_("Needs attention"))
        attention_heading.setObjectName("sectionHeading")
        self.attention = QListWidget()
        self.attention.setObjectName("attention")
        self.attention.setMinimumHeight(220)
        self.attention.itemClicked.connect(self._open)
        self.attention.itemActivated.connect(self._open)  # Enter on the keyboard
        self.backup_warning = QPushButton()
        self.backup_warning.setObjectName("backupWarning")
        self.backup_warning.setToolTip(_("Open Settings to back up now"))
        self.backup_warning.clicked.connect(lambda: self.state.navigate.emit("settings", None))
        self.backup_warning.hide()
        self.message = QLabel()
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.backup_warning)
        layout.addLayout(grid)
        layout.addLayout(line)
        layout.addWidget(self.cutoff_card)
        layout.addWidget(attention_heading)
        layout.addWidget(self.message)
        layout.addWidget(self.attention, 1)
        # A small screen (1366x768 is common in the offices) scrolls instead of squeezing the cards.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        state.changed.connect(lambda _what: self.refresh())
        state.signed_in.connect(self.refresh)
        self.refresh()

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for a fresh overview off the GUI thread; a request while one runs is coalesced."""
        if self.state.ctx is None:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.state.run(overview, self._show, on_error=self._failed)

    def _finished(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        self.message.show()
        self._finished()

    def _show(self, data: Overview) -> None:
        self.overview = data
        self.message.hide()
        ctx = self.state.ctx
        office = ctx.office_name if ctx is not None else ""
        self.subtitle.setText(f"{office} \u00b7 {today_wib().strftime('%d-%m-%Y')}")
        for key, n in group_counts(data.counts).items():
            self.cards[key].set_value(str(n))
        self.queue_card.set_value(str(data.queue_size))
        self.dinsos_card.set_value(dinsos_state_text(data.server_url, data.last_dinsos_contact,
                                                     data.dinsos_unreachable))
        self.cutoff_card.show_month(today_wib(), data.counts)
        self._fill_attention(data)
        self._warn_backup(data.backup)
        self._finished()

    def _warn_backup(self, health) -> None:
        text = backup_warning_text(health)
        self.backup_warning.setText(text)
        self.backup_warning.setVisible(bool(text))

    # --- the attention list ---------------------------------------------------------

    def _fill_attention(self, data: Overview) -> None:
        self.attention.clear()
        sections = self._lurah_sections(data.lurah) + [
            (_("Signing certificates ending"), [
                (self._certificate_text(cert), ("people", cert.operator_id)) for cert in data.certificates
            ]),
            (_("Returned by the Dinsos"), [
                (self._proposal_text(summary) + (f" \u2014 {reason}" if reason else ""), ("proposals", summary.id))
                for summary, reason in data.returned
            ]),
            (_("Complaints due soon or overdue"), [
                (self._complaint_text(c), ("complaints", c.id)) for c in data.complaints_attention
            ]),
            (_("Waiting for the muskel"), [
                (self._proposal_text(s), ("proposals", s.id)) for s in data.muskel_pending
            ]),
            (_("Your unfinished drafts"), [
                (self._proposal_text(s), ("proposals", s.id)) for s in data.drafts
            ] + [
                (_("Unsaved form: {title}").format(title=form.title), ("proposals", form.key))
                for form in getattr(data, "unsaved_forms", ())
            ]),
        ]
        bold = QFont(self.attention.font())
        bold.setBold(True)
        for title, rows in sections:
            if not rows:
                continue
            header = QListWidgetItem(f"{title} ({len(rows)})")
            header.setFont(bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: readable, not selectable, opens nothing
            self.attention.addItem(header)
            for text, target in rows:
                item = QListWidgetItem("    " + text)
                item.setData(TARGET_ROLE, target)
                item.setToolTip(_("Click to open"))
                self.attention.addItem(item)
        if self.attention.count() == 0:
            empty = QListWidgetItem(_("Nothing needs attention right now."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.attention.addItem(empty)

    def _lurah_sections(self, todos: LurahTodos | None) -> list:
        """The Lurah's own work first: nobody else can do it, and everything behind it waits."""
        if todos is None:
            return []
        return [
            (_("SPTJM waiting for your signature"), [
                (self._proposal_text(s), ("proposals", s.id)) for s in todos.sptjm
            ]),
            (_("Batches waiting for your countersignature"), [
                (self._batch_text(b), ("sync", None)) for b in todos.batches
            ]),
            (_("Handover records waiting for your endorsement"), [
                (n_("Handover by {name}: {count} item", "Handover by {name}: {count} items", r.items).format(
                    name=r.from_name, count=r.items), ("people", None))
                for r in todos.records
            ]),
        ]

    @staticmethod
    def _batch_text(batch) -> str:
        shown = ", ".join(batch.households[:3]) + (" \u2026" if len(batch.households) > 3 else "")
        return n_("Batch {number}: {count} household ({names})", "Batch {number}: {count} households ({names})",
                  len(batch.households)).format(
            number=batch.sequence, count=len(batch.households), names=shown or "-")

    def _open_card(self) -> None:
        card = self.sender()
        self.state.navigate.emit("proposals", card.request)

    def _open_sending(self) -> None:
        self.state.navigate.emit("sync", None)

    @staticmethod
    def _proposal_text(summary) -> str:
        rt_rw = _("RT {rt}/RW {rw}").format(rt=summary.rt, rw=summary.rw)
        return f"{summary.head_name} \u00b7 {rt_rw} \u00b7 {summary.tracking_code}"

    def _certificate_text(self, cert) -> str:
        date = wib_date(cert.valid_until)
        # The Lurah holds no certificate: a line about one's own is an operator's, who asks the Lurah.
        own = self.state.ctx is not None and cert.operator_id == self.state.ctx.operator_id
        if cert.expired:
            text = _("{name}: the certificate ended on {date}; batches signed with it are refused by Dinsos")
        else:
            text = _("{name}: the certificate ends on {date}")
        line = text.format(name=cert.operator_name, date=date)
        return line + " — " + (_("ask the Lurah to renew it") if own else _("renew it on the People page"))

    @staticmethod
    def _complaint_text(complaint) -> str:
        try:
            category = _(CATEGORY_LABELS[ComplaintCategory(complaint.category)])
        except (KeyError, ValueError):
            category = str(complaint.category)
        due = complaint.due_date.strftime("%d-%m-%Y")
        when = (_("overdue since {date}") if complaint.overdue else _("due {date}")).format(date=due)
        return f"{complaint.reporter_name} \u00b7 {category} \u00b7 {when}"

    def attention_items(self) -> list[QListWidgetItem]:
        """The rows that open something (headings excluded)."""
        items = (self.attention.item(i) for i in range(self.attention.count()))
        return [item for item in items if item.data(TARGET_ROLE) is not None]

    def _open(self, item: QListWidgetItem) -> None:
        target = item.data(TARGET_ROLE)
        if target is None:
            return
        page, item_id = target
        self.state.navigate.emit(page, item_id)
