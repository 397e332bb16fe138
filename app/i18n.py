"""One translation system for core, CLI and UI: gettext-style `_()` over .po catalogues.

Source strings are English. Translations live in ``resources/locale/<lang>/*.po`` (one file
per layer, merged at load time so that each layer owns its file). Indonesian is the default
language. Messages are looked up when shown, not when defined: mark constants with ``N_``
and call ``_`` at the edge.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.paths import resources_dir

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")

_lock = threading.Lock()
_language = DEFAULT_LANGUAGE
_catalogues: dict[str, dict[str, str]] = {}


def locale_dir() -> Path:
    return resources_dir() / "locale"


def _load(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    table: dict[str, str] = {}
    folder = locale_dir() / lang
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po.open("rb") as fh:
            catalogue = read_po(fh, locale=lang)
        for message in catalogue:
            if message.id and message.string and not message.fuzzy:
                table[message.id] = message.string
    return table


def catalogue(lang: str) -> dict[str, str]:
    with _lock:
        if lang not in _catalogues:
            _catalogues[lang] = {} if lang == "en" else _load(lang)
        return _catalogues[lang]


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    _language = lang


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language (English falls through)."""
    if _language == "en":
        return message
    return catalogue(_language).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
