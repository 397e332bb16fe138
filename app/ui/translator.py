"""Qt's tr() and the UI's strings go through the same .po catalogues as the core."""

from __future__ import annotations

from app import i18n
from app.ui.qt import QTranslator


class CatalogueTranslator(QTranslator):
    """Forwards every Qt translation request to app.i18n (Electrum and SecureDrop do the same).

    Qt's own dialogs ask with their class as the context ("QPlatformTheme", "Open"): the
    catalogue answers those under ``msgctxt`` first, so Qt's "Open" button reads *Buka* while
    our "Open" state of a complaint reads *Terbuka*. Without a translation in that context the
    plain one is used (Qt's "Cancel" is our "Cancel").
    """

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802 (Qt API)
        # None reaches Qt as a null QString, "no translation here, ask the next one". An empty
        # string would be a translation: Qt's own names (QPageSize "A4") became "", and every
        # PDF printed after the translator was installed came out with blank pages.
        if not source_text:
            return None
        translated = i18n.p_(context, source_text) if context else source_text
        if translated == source_text:
            translated = i18n._(source_text)
        return translated if translated != source_text else None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt API)
        return False
