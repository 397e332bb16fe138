"""Our catalogue translator answers only what it knows and leaves the rest to Qt."""

from __future__ import annotations

import pytest

from app import i18n
from app.ui.qt import QByteArray, QBuffer, QCoreApplication, QIODevice, QPdfWriter, QTextDocument
from app.ui.translator import CatalogueTranslator
from tests.pdftext import pdf_text, squeeze


@pytest.fixture
def indonesian_translator(qapp):
    before = i18n.current_language()
    i18n.set_language("id")
    translator = CatalogueTranslator(qapp)
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)
    i18n.set_language(before)


def test_a_string_it_knows_is_translated_one_it_does_not_is_left_alone(indonesian_translator):
    assert QCoreApplication.translate("MainWindow", "Settings") == "Pengaturan"
    # Qt's own names, which Qt looks up through every installed translator.
    assert QCoreApplication.translate("QPageSize", "A4") == "A4"
    assert QCoreApplication.translate("QGuiApplication", "QT_LAYOUT_DIRECTION") == "QT_LAYOUT_DIRECTION"


def test_a_pdf_printed_with_the_translator_installed_has_its_text(indonesian_translator):
    # An empty answer used to rename the page size to "" and every PDF came out blank.
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    document = QTextDocument()
    document.setHtml("<h2>Tanda terima usulan</h2><p>Kode pelacakan K7Q-2MX</p>")
    document.print_(QPdfWriter(buffer))
    buffer.close()
    text = squeeze(pdf_text(bytes(array.data())))
    assert squeeze("Tanda terima usulan") in text and "K7Q-2MX" in text
