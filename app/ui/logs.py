"""The desktop's log: a rotated file in the office folder, never the terminal, never a NIK or a name.

``<office>/logs/usulkan.log`` (folder 0700, file 0600), 1 MB per file, five old files kept
(the standard library's RotatingFileHandler). Until the first-run wizard has created the
office the records wait in memory (the wizard needs an empty folder), then go to the file.
Qt's own warnings go to the same log instead of the terminal.

What is written is cleaned first (RedactingFormatter): any 16-digit number (a NIK or a No. KK,
also typed with dots, dashes or spaces) becomes ``[16 angka]`` and the bound values of a
failed SQL statement (names, addresses) are dropped. The services already keep values out of
their messages (UsulkanError's str() is its template); this is the second line.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from app import fsutil

LOG_FOLDER = "logs"
LOG_FILE = "usulkan.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SEPARATOR = r"[\s.\-\u2010-\u2015\u2212\u00a0]?"
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d(?:" + _SEPARATOR + r"\d){15}(?!\d)")
SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background|\n|$))", re.DOTALL)


def redact(text: str) -> str:
    text = SQL_PARAMETERS.sub("[parameters: (disembunyikan)]", text)
    return SIXTEEN_DIGITS.sub("[16 angka]", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class OfficeLog:
    """The handlers of one run of the desktop; ``attach(folder)`` once the office folder exists."""

    def __init__(self) -> None:
        self.memory = logging.handlers.MemoryHandler(capacity=10_000, flushLevel=logging.CRITICAL + 1)
        self.file: logging.handlers.RotatingFileHandler | None = None
        root = logging.getLogger()
        # basicConfig's terminal handler (or any other on stderr) goes: the operator never reads it.
        for handler in list(root.handlers):
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                root.removeHandler(handler)
        root.addHandler(self.memory)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
        self._previous_qt_handler = _route_qt_messages()

    def attach(self, office_folder: Path) -> Path | None:
        """Start writing to ``<office>/logs/usulkan.log``; what waited in memory goes first."""
        if self.file is not None:
            return Path(self.file.baseFilename)
        office_folder = Path(office_folder)
        if not (office_folder / "vault.json").exists():
            return None  # not an office (yet): keep waiting in memory
        folder = fsutil.secure_mkdir(office_folder / LOG_FOLDER)
        path = folder / LOG_FILE
        fsutil.create_private(path)
        self.file = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                         encoding="utf-8")
        self.file.setFormatter(RedactingFormatter(FORMAT))
        self.memory.setTarget(self.file)
        self.memory.flush()
        root = logging.getLogger()
        root.removeHandler(self.memory)
        root.addHandler(self.file)
        return path

    def close(self) -> None:
        from app.ui.qt import qInstallMessageHandler

        qInstallMessageHandler(self._previous_qt_handler)
        root = logging.getLogger()
        for handler in (self.memory, self.file):
            if handler is not None:
                root.removeHandler(handler)
                handler.close()


def _route_qt_messages():
    """Qt's warnings into the log; returns the handler they went to before."""
    from app.ui.qt import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, _context, message) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    return qInstallMessageHandler(handler)
