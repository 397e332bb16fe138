"""The citizen's receipt (A5): office, the tracking code large and as a QR code, what was filed.

One drawing, two destinations: a PDF file (``receipt_pdf``) or a printer chosen in the print
dialog (``print_receipt``); offscreen tests print to a QPrinter in PDF format.
"""

from __future__ import annotations

from pathlib import Path

import segno

from app.i18n import _
from app.services.citizen import Receipt
from app.storage.fsutil import write_atomic
from app.ui.qt import (
    QBuffer,
    QByteArray,
    QColor,
    QFont,
    QIODevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPrinter,
    QRectF,
    Qt,
)

RESOLUTION = 300  # dots per inch: crisp QR modules on any office printer
QUIET_ZONE = 4  # modules of white around the QR code, as the standard asks


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's dark modules, row by row (no quiet zone); error correction M survives a crease."""
    code = segno.make(text, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in code.matrix]


def draw_qr(painter: QPainter, area: QRectF, text: str) -> None:
    """Draw ``text`` as a QR code filling the square ``area`` (quiet zone included)."""
    matrix = qr_matrix(text)
    modules = len(matrix) + 2 * QUIET_ZONE
    size = min(area.width(), area.height()) / modules
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillRect(QRectF(area.x(), area.y(), size * modules, size * modules), QColor("white"))
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                # A hair of overlap so no white seams appear between modules in the viewer.
                painter.drawRect(QRectF(area.x() + (x + QUIET_ZONE) * size, area.y() + (y + QUIET_ZONE) * size,
                                        size * 1.02, size * 1.02))
    painter.restore()


def _font(size: float, *, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    if mono:
        font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def receipt_pdf(receipt: Receipt, path: Path | None = None) -> bytes:
    """Render the receipt; return its bytes, and write them to ``path`` (0600, atomically) if given."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setResolution(RESOLUTION)
    # The code in the document's title too: a viewer's "Properties" and a search can find it.
    writer.setTitle(_("Receipt {code}").format(code=receipt.tracking_code))
    writer.setCreator("Usulkan")
    painter = QPainter(writer)
    try:
        paint_receipt(painter, receipt, writer.width(), RESOLUTION)
    finally:
        painter.end()
    buffer.close()
    data = bytes(array.data())
    if path is not None:
        write_private(Path(path), data)
    return data


def new_receipt_printer() -> QPrinter:
    """A printer set up for the receipt (A5, portrait) before the print dialog lets the operator change it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    return printer


def print_receipt(receipt: Receipt, printer: QPrinter) -> bool:
    """Draw the receipt on ``printer`` (one page); False if the printer could not be opened."""
    printer.setDocName(_("Receipt {code}").format(code=receipt.tracking_code))
    printer.setCreator("Usulkan")
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        paint_receipt(painter, receipt, printer.width(), printer.resolution())
    finally:
        painter.end()
    return True


def paint_receipt(painter: QPainter, receipt: Receipt, width: float, resolution: float) -> None:
    """The receipt's one page, ``width`` device pixels wide at ``resolution`` dots per inch."""

    def mm(value: float) -> float:
        return value * resolution / 25.4

    left, y = mm(12), mm(12)
    inner = width - 2 * left

    def line(text: str, font: QFont, height: float, flags=Qt.AlignmentFlag.AlignLeft) -> None:
        nonlocal y
        painter.setFont(font)
        painter.drawText(QRectF(left, y, inner, mm(height)), int(flags | Qt.AlignmentFlag.AlignVCenter) | Qt.TextFlag.TextWordWrap, text)
        y += mm(height)

    line(receipt.office_name, _font(13, bold=True), 8)
    line(receipt.village, _font(10), 6)
    painter.drawLine(int(left), int(y + mm(2)), int(left + inner), int(y + mm(2)))
    y += mm(6)
    line(_("PROPOSAL RECEIPT"), _font(12, bold=True), 8, Qt.AlignmentFlag.AlignHCenter)
    line(_("Tracking code"), _font(10), 6, Qt.AlignmentFlag.AlignHCenter)
    line(receipt.tracking_code, _font(24, bold=True, mono=True), 14, Qt.AlignmentFlag.AlignHCenter)
    qr_side = mm(45)
    draw_qr(painter, QRectF(left + (inner - qr_side) / 2, y + mm(2), qr_side, qr_side), receipt.tracking_code)
    y += qr_side + mm(6)

    rows = (
        (_("Kind"), receipt.kind),
        (_("Head of family"), receipt.head_name),
        (_("No. KK"), receipt.kk_masked),
        (_("Programmes"), ", ".join(receipt.programmes) or "-"),
        (_("Received"), receipt.received_at_wib),
        (_("Officer"), receipt.operator_name),
    )
    for label, value in rows:
        painter.setFont(_font(10))
        painter.drawText(QRectF(left, y, mm(38), mm(7)), int(Qt.AlignmentFlag.AlignVCenter), label)
        painter.setFont(_font(10, bold=True))
        painter.drawText(QRectF(left + mm(40), y, inner - mm(40), mm(7)), int(Qt.AlignmentFlag.AlignVCenter), value)
        y += mm(7)
    y += mm(6)
    line(
        _("Keep this receipt. To ask about the proposal, bring the tracking code or your NIK to the "
          "kelurahan office, or scan the QR code at the counter."),
        _font(9), 16,
    )


def write_private(path: Path, data: bytes) -> None:
    """0600 before a byte is written, then an atomic replace: the receipt carries a name."""
    write_atomic(Path(path), data)
