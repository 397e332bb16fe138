"""Settings' backup section: the folder (or stick) backups go to, "Back up now" with progress, and the health check."""

from __future__ import annotations

from app.i18n import _
from app.services import backup
from app.ui.errors import error_text
from app.ui.qt import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)
from app.ui.settings_store import BACKUP_FOLDER, SETTINGS_CHANGED, Settings
from app.ui.state import OFFICE, AppState


class BackupBox(QGroupBox):
    """Where backups go, the newest good one, and a button that makes one now."""

    def __init__(self, state: AppState, settings: Settings, parent=None) -> None:
        super().__init__(_(BACKUP_FOLDER.title), parent)
        self.state, self.settings = state, settings
        self.folder = QLineEdit(settings.get(BACKUP_FOLDER))
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText(_("not chosen yet"))
        choose = QPushButton(_("Choose folder ..."))
        choose.clicked.connect(lambda: self.choose_folder())
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        note = QLabel(_("Encrypted copies of the office are kept here. Choose a USB drive or a network folder, "
                        "not the same disk as the office, so a broken disk does not take both."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.back_up_button = QPushButton(_("Back up now"))
        self.back_up_button.setObjectName("primary")
        self.back_up_button.clicked.connect(self.back_up_now)
        self.health_button = QPushButton(_("Check health"))
        self.health_button.clicked.connect(self.check_health)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_up_button)
        buttons.addWidget(self.health_button)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        state.signed_in.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        ctx = self.state.ctx
        if ctx is None:
            return
        chosen = backup.configured_folder(ctx.folder)
        if chosen is not None:
            self.folder.setText(str(chosen))
        health = backup.health(ctx.folder, ctx.office_id, now=ctx.clock())
        if health.newest is None:
            self.status.setText(_("No good backup yet in {folder}.").format(folder=health.folder))
        else:
            self.status.setText(_("Newest good backup: {when} (UTC).").format(
                when=f"{health.newest.created_at:%Y-%m-%d %H:%M}"))

    def choose_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, _("Choose the backup folder"), self.folder.text())
            if not folder:
                return
        self.folder.setText(folder)
        self.settings.set(BACKUP_FOLDER, folder)
        self.state.changed.emit(SETTINGS_CHANGED)
        if self.state.ctx is not None:
            self.state.run(lambda ctx: backup.set_backup_folder(ctx, folder), lambda _r: self.refresh(), changes=OFFICE)

    def back_up_now(self) -> None:
        self.back_up_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(_("Backing up ..."))

        def work(ctx, job):
            return backup.create_backup(ctx, reason="manual", progress=lambda done, total: job.progress(done, total))

        def progressed(done: int, total: int, _text: str) -> None:
            if total:
                self.progress.setValue(done * 100 // total)

        def done(info) -> None:
            self.back_up_button.setEnabled(True)
            self.progress.setValue(100)
            self.progress.hide()
            self.last_backup = info
            self.refresh()
            self.status.setText(_("Backup made and checked: {path}").format(path=info.path))

        def failed(error: BaseException) -> None:
            self.back_up_button.setEnabled(True)
            self.progress.hide()
            self.status.setText(error_text(error))

        self.state.run_job(work, done, on_error=failed, on_progress=progressed, changes=OFFICE)

    def check_health(self) -> None:
        from app.ui.health_dialog import HealthDialog

        self.health_dialog = HealthDialog(self.state, self)
        self.health_dialog.show()
        self.health_dialog.run()
