"""A proposal's history: every step, who took it, when (WIB) and why."""

from __future__ import annotations

from app.clock import format_wib
from app.domain.workflow import ACTOR_LABELS, Action, Actor, action_label, state_label
from app.i18n import N_, _
from app.services.proposals import TransitionView
from app.ui.qt import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

ACTORS = {a.value for a in Actor}
HEADERS = (N_("When"), N_("Step"), N_("New state"), N_("By"), N_("Reason"))


class HistoryView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels([_(h) for h in HEADERS])
        self.setRootIsDecorated(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)

    def show_transitions(
        self, transitions: tuple[TransitionView, ...], earlier: tuple[tuple[int, TransitionView], ...] = ()
    ) -> None:
        """This version's steps, after those of the versions it replaces (marked with their number)."""
        self.clear()
        for version, t in earlier:
            self._add(t, _("Version {version}: {step}"), version)
        for t in transitions:
            self._add(t)

    def _add(self, t: TransitionView, template: str = "{step}", version: int | None = None) -> None:
        try:
            step = action_label(Action(t.action))
        except ValueError:
            step = _("created") if t.action == "create" else t.action
        if t.operator_name:
            who = t.operator_name
        elif t.actor in ACTORS:
            who = _(ACTOR_LABELS[Actor(t.actor)])
        else:
            who = t.actor
        step = template.format(step=step, version=version)
        self.addTopLevelItem(
            QTreeWidgetItem([format_wib(t.at), step, state_label(t.to_state), who, t.reason or ""])
        )
