"""Page 2: how many items go to whom, and which still have no note (highlighted)."""

from __future__ import annotations

from app.i18n import _, n_
from app.ui.handover_wizard.model import HandoverModel
from app.ui.handover_wizard.table import WorkFilter, show_message, work_table
from app.ui.qt import QCheckBox, QLabel, QVBoxLayout, QWizard, QWizardPage


class ReviewPage(QWizardPage):
    """The counts per person and the items without a note, before the work moves."""

    def __init__(self, model: HandoverModel) -> None:
        super().__init__()
        self.model = model
        self.setTitle(_("Check before handing over"))
        self.setSubTitle(_("Notes are optional, but a line on what is next saves your successor a phone call."))
        self.setButtonText(QWizard.WizardButton.NextButton, _("Hand over now"))
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.only_missing = QCheckBox(_("Show only items without a note"))
        self.proxy = WorkFilter(model)
        self.only_missing.toggled.connect(self.proxy.show_missing_only)
        self.table = work_table(self.proxy, model)
        model.dataChanged.connect(lambda *_a: self.refresh())
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.missing)
        layout.addWidget(self.only_missing)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:  # noqa: N802 (Qt API)
        self.refresh()

    def refresh(self) -> None:
        model = self.model
        self.counts.setText(_("Items per person:") + " " + "; ".join(
            _("{name}: {count}").format(name=name, count=count) for name, count in model.counts()))
        missing = model.missing_notes()
        if missing:
            show_message(self.missing, n_("{count} item has no note yet (highlighted).", "{count} items have no note yet (highlighted).", missing).format(count=missing),
                         error=True)
        else:
            show_message(self.missing, _("Every item has a note."))
