"""Why Dinsos returned a proposal, reason by reason, each with the office playbook's page on fixing it."""

from __future__ import annotations

from app.domain.reasons import humanise
from app.domain.workflow import State
from app.i18n import _
from app.services.playbook import PageView, ReturnReason, page_for_return_reason, reasons_to_fix
from app.ui.editor.prompts import Prompts
from app.ui.playbook.dialog import PlaybookDialog
from app.ui.qt import QGridLayout, QLabel, QPushButton, QWidget
from app.ui.state import AppState


# Returned, or a new version on its way to Dinsos again: the reasons stay in sight while it is fixed.
PREPARING = {State.RETURNED.value, State.DRAFT.value, State.GROUND_CHECK.value, State.MUSKEL.value,
             State.SPTJM.value, State.READY.value}


class ReturnReasonsBox(QWidget):
    """Hidden unless the proposal, or the version it replaces, was returned with coded reasons."""

    def __init__(self, state: AppState, prompts: Prompts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.prompts = prompts
        self.shown_for: tuple[str, str] | None = None
        self.reasons: list[ReturnReason] = []
        self.version: int | None = None  # the version Dinsos returned (this one, or the one it replaces)
        self.buttons: dict[str, QPushButton] = {}
        self.dialog: PlaybookDialog | None = None
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 4, 0, 0)
        self.hide()

    def set_proposal(self, proposal_id: str | None, state: State | None) -> None:
        key = (proposal_id, State(state).value) if proposal_id and state else None
        if key == self.shown_for:
            return  # the editor refreshes the workflow row on every edit: ask once per proposal and state
        self.shown_for = key
        if key is None or key[1] not in PREPARING:
            self._show((None, []))
            return
        self.state.run(lambda ctx: reasons_to_fix(ctx, proposal_id), self._show)

    def _show(self, found: tuple[int | None, list[ReturnReason]]) -> None:
        version, reasons = found
        while self.grid.count():
            old = self.grid.takeAt(0).widget()
            old.hide()
            old.deleteLater()
        self.reasons, self.buttons, self.version = list(reasons), {}, version
        self.setVisible(bool(reasons))
        if not reasons:
            return
        own = self.shown_for is not None and self.shown_for[1] == State.RETURNED.value
        heading = (_("Dinsos returned it because:") if own
                   else _("Dinsos returned version {version} because:").format(version=version))
        self.grid.addWidget(QLabel("<b>" + heading + "</b>"), 0, 0, 1, 2)
        for row, reason in enumerate(self.reasons, start=1):
            label = QLabel(f"\u2022 {reason.text or humanise(reason.code)}")
            label.setWordWrap(True)
            button = QPushButton(_("How to fix it (office playbook)"))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, r=reason: self.how_to_fix(r))
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(button, row, 1)
            self.buttons[reason.code] = button
        self.grid.setColumnStretch(0, 1)

    def how_to_fix(self, reason: ReturnReason) -> None:
        self.state.run(lambda ctx: page_for_return_reason(ctx, reason.code), lambda page: self._open(reason, page))

    def _open(self, reason: ReturnReason, page: PageView | None) -> None:
        if page is None and not self.prompts.confirm(
            _("Office playbook"),
            _("No page of the office playbook explains \"{reason}\" yet. Write one now, so the next "
              "person knows how to fix it?").format(reason=reason.text or humanise(reason.code)),
            yes=_("Write a page"),
        ):
            return
        self.dialog = PlaybookDialog(self.state, self.window())
        self.dialog.form.prompts = self.prompts
        if page is None:
            self.dialog.write(reason.code, title=reason.text)
        else:
            self.dialog.show_page(page)
        self.dialog.open()
