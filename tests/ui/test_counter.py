"""The counter: find by NIK or tracking code, plain words, masked names, a receipt with a QR code."""

from __future__ import annotations

import os
import stat

from app.services.citizen import Receipt
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui.pages.counter import CounterPage
from app.ui.qt import QColor, QImage, QPageSize, QPainter, QPrinter, QRectF
from app.ui.receipt_pdf import QUIET_ZONE, draw_qr, new_receipt_printer, print_receipt, qr_matrix, receipt_pdf
from tests.factories import HEAD_NIK, proposal_dict
from tests.pdftext import says


def make_page(state, qtbot) -> CounterPage:
    page = CounterPage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def test_find_by_nik_shows_plain_words_and_a_masked_name(app_state, qtbot):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(HEAD_NIK)
    page.look_up()
    assert len(page.cards) == 1
    card = page.cards[0]
    assert card.status.tracking_code == summary.tracking_code
    assert "kelurahan" in card.explanation.text().lower()
    assert card.status.head_name_masked.startswith("S*** ")
    assert "SITI AMINAH" not in card.status.head_name_masked


def test_find_by_tracking_code_typed_loosely(app_state, qtbot):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(summary.tracking_code.lower().replace("-", " "))
    page.look_up()
    assert [c.status.tracking_code for c in page.cards] == [summary.tracking_code]


def test_a_mistyped_entry_is_explained_without_a_lookup(app_state, qtbot):
    page = make_page(app_state, qtbot)
    page.search.setText("35750347")
    page.look_up()
    assert "16" in page.message.text() and page.cards == []
    page.search.setText("3575031111111111")
    page.look_up()
    assert page.message.text() and page.cards == []


class SaveAnswer:
    """Stands in for the save dialog: records what it offered and answers with ``path``."""

    def __init__(self, path):
        self.path, self.offered = path, []

    def save_file(self, title, suggested, filters):
        self.offered.append(suggested)
        return self.path


def test_receipt_as_pdf_asks_where_to_save_and_says_where_it_saved(app_state, qtbot, tmp_path, monkeypatch):
    # It used to open a temporary copy in the viewer: the operator never knew where the file was.
    from app.ui import settings_store

    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(summary.tracking_code)
    page.look_up()
    folder = tmp_path / "arsip"
    folder.mkdir()
    page.prompts = SaveAnswer(folder / "untuk warga")  # typed without .pdf
    page.cards[0].pdf_button.click()
    code = summary.tracking_code
    assert page.prompts.offered[0].endswith(f"tanda-terima-{code}.pdf")
    saved = folder / "untuk warga.pdf"
    data = saved.read_bytes()
    assert data.startswith(b"%PDF") and says(data, code)
    assert page.message.text() == f"Tanda terima {code} disimpan sebagai {saved}."
    # The next one is offered in the folder chosen last time.
    page.cards[0].pdf_button.click()
    assert page.prompts.offered[1] == str(folder / f"tanda-terima-{code}.pdf")


def test_a_cancelled_save_writes_no_receipt(app_state, qtbot, tmp_path):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(summary.tracking_code)
    page.look_up()
    page.prompts = SaveAnswer(None)
    page.cards[0].pdf_button.click()
    assert page.last_receipt is None and page.message.text() == ""


def test_print_receipt_draws_on_the_chosen_printer(app_state, qtbot, tmp_path):
    """The print dialog is swapped for a PDF-format QPrinter: what would reach paper lands in a file."""
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(summary.tracking_code)
    page.look_up()
    target = tmp_path / "printed.pdf"
    chosen = []

    def choose():
        printer = new_receipt_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        chosen.append(printer)
        return printer

    page.choose_printer = choose
    page.cards[0].print_button.click()
    assert chosen, "printing should ask which printer"
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and b"/Type /Page" in data
    assert summary.tracking_code.encode("utf-16-be") in data  # the job's name is the receipt's
    assert page.last_receipt is None  # no viewer, no temporary PDF
    assert summary.tracking_code in page.message.text() and "printer" in page.message.text()


def test_a_cancelled_print_dialog_prints_nothing(app_state, qtbot, tmp_path):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = make_page(app_state, qtbot)
    page.search.setText(summary.tracking_code)
    page.look_up()
    page.choose_printer = lambda: None
    page.cards[0].print_button.click()
    assert page.message.text() == ""


def test_print_receipt_renders_one_a5_page_on_a_pdf_format_printer(qapp, tmp_path):
    receipt = Receipt("USK-7K3M-Q9TD", "Kelurahan Bugul Kidul", "BUGUL KIDUL", "SITI AMINAH",
                      "357503******0004", "usulan baru", ("PKH",), "01-01-2026 10:00 WIB", "Ani Operator")
    printer = new_receipt_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "r.pdf"))
    assert print_receipt(receipt, printer)
    data = (tmp_path / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Count 1" in data  # one page
    assert says(data, "USK-7K3M-Q9TD", "SITI AMINAH", "PKH")
    size = printer.pageLayout().pageSize().id()
    assert size == QPageSize.PageSizeId.A5


def test_receipt_pdf_bytes_and_file(tmp_path):
    receipt = Receipt("USK-7K3M-Q9TD", "Kelurahan Bugul Kidul", "BUGUL KIDUL", "SITI AMINAH",
                      "357503******0004", "usulan baru", ("PKH",), "01-01-2026 10:00 WIB", "Ani Operator")
    target = tmp_path / "receipt.pdf"
    data = receipt_pdf(receipt, target)
    assert data.startswith(b"%PDF") and target.read_bytes() == data
    assert says(data, "USK-7K3M-Q9TD", "Kelurahan Bugul Kidul", "357503******0004")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_the_qr_code_drawn_is_the_tracking_code(qapp):
    """Read the drawn modules back and compare them with the QR encoding of the code."""
    code = "USK-7K3M-Q9TD"
    matrix = qr_matrix(code)
    modules = len(matrix) + 2 * QUIET_ZONE
    scale = 8
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    painter = QPainter(image)
    draw_qr(painter, QRectF(0, 0, modules * scale, modules * scale), code)
    painter.end()
    for y in range(modules):
        for x in range(modules):
            inside = QUIET_ZONE <= x < modules - QUIET_ZONE and QUIET_ZONE <= y < modules - QUIET_ZONE
            dark = inside and matrix[y - QUIET_ZONE][x - QUIET_ZONE]
            pixel = QColor(image.pixel(x * scale + scale // 2, y * scale + scale // 2))
            assert pixel.lightness() < 50 if dark else pixel.lightness() > 200, (x, y)
    # segno's own decoder-free check: the same text gives the same symbol.
    assert qr_matrix(code) == matrix and len(matrix) in (21, 25)
