"""One translation system for core, CLI and UI: gettext over .po catalogues.

Source strings are English. Translations live in ``resources/locale/<lang>/*.po`` (one file
per layer, merged at load time so that each layer owns its file). Indonesian is the default
language. Messages are looked up when shown, not when defined: mark constants with ``N_``
(or ``NP_`` with a context) and call ``_`` / ``p_`` at the edge.

- ``_(message)``: plain text.
- ``p_(context, message)``: the same English word meaning different things ("Open" on a
  button is *Buka*, "Open" as a complaint's state is *Terbuka*). The po file says
  ``msgctxt "button"``. A context without a translation falls back to the English text,
  never to the context-free translation (that would bring "Terbuka" back onto the button).
- ``n_(singular, plural, n)``: counted text ("1 item" / "3 items"); the po file has
  ``msgid_plural`` and ``msgstr[0..]``, chosen by the catalogue's Plural-Forms.
- ``np_(context, singular, plural, n)``: both.

Babel reads the .po files (``msgctxt``, ``msgid_plural``) into one table that
the standard library's ``gettext.GNUTranslations`` looks up, with its plural formula (no .mo is
written at start-up). ``make messages`` extracts ``resources/locale/usulkan.pot`` with Babel.
"""

from __future__ import annotations

import gettext
import io
import threading
from pathlib import Path

from app.paths import resources_dir

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")

# The keywords `make messages` (pybabel extract -k) and the catalogue test look for.
KEYWORDS = {"_": (1,), "N_": (1,), "p_": ((1, "c"), 2), "NP_": ((1, "c"), 2),
            "n_": (1, 2), "np_": ((1, "c"), 2, 3)}

_lock = threading.Lock()
_language = DEFAULT_LANGUAGE
_translations: dict[str, gettext.NullTranslations] = {}
_plain: dict[str, dict[str, str]] = {}


def locale_dir() -> Path:
    return resources_dir() / "locale"


def _translated(message) -> bool:
    if not message.id or message.fuzzy:
        return False
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


class _Catalogue(gettext.GNUTranslations):
    """gettext's lookups and plural formula over a table built from the .po files.

    The table has the keys a compiled .mo would give GNUTranslations (``msgid``,
    ``context\x04msgid``, ``(msgid, form)``), so no .mo is written and read back at start-up.
    """

    def __init__(self, table: dict, plural_expr: str) -> None:
        gettext.NullTranslations.__init__(self)
        self._catalog = table
        self._charset = "utf-8"
        self.plural = gettext.c2py(plural_expr)


def _load(lang: str) -> tuple[gettext.NullTranslations, dict[str, str]]:
    from babel.messages.pofile import read_po

    table: dict = {}
    plain: dict[str, str] = {}
    plural_expr = "(n != 1)"
    folder = locale_dir() / lang
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        raw = po.read_bytes()
        catalogue = read_po(io.BytesIO(raw), locale=lang)
        if b"Plural-Forms:" in raw:
            # The language's plural rule, as the translator wrote it (Indonesian: one form).
            plural_expr = catalogue.plural_expr
        for message in catalogue:
            if not _translated(message):
                continue
            # The later file wins, as it always did (a test keeps the layers from disagreeing).
            prefix = "" if message.context is None else f"{message.context}\x04"
            if isinstance(message.id, (tuple, list)):
                for form, text in enumerate(message.string):
                    table[(prefix + message.id[0], form)] = text
            else:
                table[prefix + message.id] = message.string
                if message.context is None:
                    plain[message.id] = message.string
    return _Catalogue(table, plural_expr), plain


def _get(lang: str) -> gettext.NullTranslations:
    with _lock:
        if lang not in _translations:
            if lang == "en":
                _translations[lang], _plain[lang] = gettext.NullTranslations(), {}
            else:
                _translations[lang], _plain[lang] = _load(lang)
        return _translations[lang]


def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation of every plain (context-free, singular) message of ``lang``."""
    _get(lang)
    return _plain[lang]


def is_translated(lang: str, message: str, *, context: str | None = None, plural: bool = False) -> bool:
    """Whether ``lang``'s catalogue has ``message`` (in ``context``; as a counted message)."""
    table = getattr(_get(lang), "_catalog", {})
    key = message if context is None else f"{context}\x04{message}"
    return (key, 0) in table if plural else key in table


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    _language = lang


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language (English falls through)."""
    if _language == "en" or not message:
        return message  # gettext would answer "" with the catalogue's header
    return _get(_language).gettext(message)


def p_(context: str, message: str) -> str:
    """Translate ``message`` as meant in ``context`` (msgctxt): "button" Open is Buka."""
    if _language == "en" or not message:
        return message
    return _get(_language).pgettext(context, message)


def n_(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for ``n`` (msgid_plural). Format ``{count}`` yourself."""
    return _get(_language).ngettext(singular, plural, n)


def np_(context: str, singular: str, plural: str, n: int) -> str:
    """``n_`` with a context."""
    return _get(_language).npgettext(context, singular, plural, n)


def sentence_case(text: str) -> str:
    """The first letter raised, the rest as written: "mintakan SPTJM kepada Lurah" keeps its capitals.

    Never ``str.capitalize()`` on a label: it lowers everything after the first letter
    ("Mintakan sptjm kepada lurah").
    """
    return text[:1].upper() + text[1:]


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:  # noqa: N802 (gettext's naming)
    """Mark ``message`` in ``context`` for extraction; translate later with ``p_(*marked)``."""
    return context, message


def translator(lang: str):
    """``_`` for one language whatever the process's current one (a web request's own language)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if lang == "en":
        return lambda message: message
    catalogue_ = _get(lang)
    return lambda message: catalogue_.gettext(message) if message else message
