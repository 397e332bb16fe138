"""The desktop's settings, declared once (name, default, title) and kept in QSettings.

Pages bind to the declarations instead of repeating key strings and defaults (Picard's
``TextOption`` and options pages). Nothing secret lives here: QSettings is a plain file or
registry key, readable by anyone on the PC.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import i18n
from app.i18n import N_
from app.ui.qt import QByteArray, QSettings

ORGANIZATION = "Usulkan"
APPLICATION = "Usulkan"


@dataclass(frozen=True)
class Option:
    name: str  # the QSettings key
    default: Any
    title: str  # English source, marked with N_ and translated where shown


LANGUAGE = Option("ui/language", i18n.DEFAULT_LANGUAGE, N_("Language"))
BACKUP_FOLDER = Option("backup/folder", "", N_("Backup folder"))
UPDATE_URL = Option("updates/url", "", N_("Update address"))  # empty: beside the Dinsos server (app/updates.py)
WINDOW_GEOMETRY = Option("window/geometry", QByteArray(), N_("Window size and position"))
# The citizen's receipt: A5 (half a sheet, the usual) or A4 for printers that take nothing else.
RECEIPT_PAPER = Option("print/receipt_paper", "A5", N_("Receipt paper size"))
RECEIPT_PAPERS = ("A5", "A4")

# Who signed in last on this PC (an operator id): sign-in offers that person first.
LAST_OPERATOR = Option("session/last_operator", "", N_("Last person who signed in"))

RECEIPT_FOLDER = Option("receipt/folder", "", N_("Folder for receipts"))
# A shared office PC locks itself after this many minutes without a key press or a click.
IDLE_LOCK_MINUTES = Option("session/idle_lock_minutes", 10, N_("Lock after minutes without use"))

OPTIONS = (LANGUAGE, BACKUP_FOLDER, WINDOW_GEOMETRY, RECEIPT_PAPER, LAST_OPERATOR, IDLE_LOCK_MINUTES,
           RECEIPT_FOLDER)

# What AppState.changed carries after a setting changed, so pages showing one refresh.
SETTINGS_CHANGED = "settings"


def valid_server_url(text: str) -> bool:
    """Empty (not set up yet) or an http(s) address with a host (the office service's rule)."""
    from app.services.office import ServerAddressInvalid, check_server_url

    try:
        check_server_url(text)
    except ServerAddressInvalid:
        return False
    return True

# Tests and the screenshot script point this at a throw-away .ini so they never touch the
# operator's real settings.
_file: Path | None = None


def use_file(path: Path | None) -> None:
    """Keep settings in ``path`` (an .ini file) instead of the per-user store; None restores it."""
    global _file
    _file = Path(path) if path is not None else None


class Settings:
    """Typed reads and writes of the declared options."""

    def __init__(self) -> None:
        if _file is not None:
            self._qs = QSettings(str(_file), QSettings.Format.IniFormat)
        else:
            self._qs = QSettings(ORGANIZATION, APPLICATION)

    def get(self, option: Option) -> Any:
        value = self._qs.value(option.name, option.default)
        if value is None:
            return option.default
        # INI and registry backends hand strings back for everything; coerce to the default's type.
        if isinstance(option.default, str):
            return str(value)
        if isinstance(option.default, int) and not isinstance(option.default, bool):
            try:
                return int(value)
            except (TypeError, ValueError):
                return option.default
        if isinstance(option.default, QByteArray) and not isinstance(value, QByteArray):
            return option.default
        return value

    def set(self, option: Option, value: Any) -> None:
        self._qs.setValue(option.name, value)
        self._qs.sync()

    def receipt_paper(self) -> str:
        paper = self.get(RECEIPT_PAPER)
        return paper if paper in RECEIPT_PAPERS else RECEIPT_PAPER.default

    def language(self) -> str:
        lang = self.get(LANGUAGE)
        return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
