"""Show an error to the operator: our own message as it is, anything unexpected calmly and logged."""

from __future__ import annotations

import logging
import traceback

from app.errors import UsulkanError
from app.i18n import _
from app.ui.qt import QMessageBox, Qt, QWidget

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    """What to tell the operator about ``error``, in the current language (never a traceback)."""
    if isinstance(error, UsulkanError):
        return error.message()
    # The type and the stack go to the log, never the exception's text: it may hold a NIK or a name.
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error %s\n%s", type(error).__name__, stack)
    return _(
        "Something unexpected went wrong. Your saved work is safe. "
        "Try again; if it happens again, close Usulkan, open it again and tell your IT contact."
    )


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A window-modal message box with ``error_text(error)``; returns at once (no nested loop)."""
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Usulkan"))
    box.setText(error_text(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    # open(), not exec(): a nested event loop here would re-enter whatever signal called us.
    box.open()
    return box
