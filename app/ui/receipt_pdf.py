"""The citizen's receipt (A5 or A4): letterhead, the tracking code large and as a QR code, what was filed, a stamp box.

One drawing, two destinations: a PDF file (``receipt_pdf``) or a printer chosen in the print
dialog (``print_receipt``); offscreen tests print to a QPrinter in PDF format.
"""

from __future__ import annotations

from pathlib import Path

import segno

from app.i18n import _
from app.services.citizen import Receipt
from app.fsutil import write_atomic
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
PAPERS = {"A5": QPageSize.PageSizeId.A5, "A4": QPageSize.PageSizeId.A4}
A5_WIDTH_MM = 148  # the layout is drawn for A5 and scaled to the sheet's width
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


def _page_size(paper: str) -> QPageSize:
    return QPageSize(PAPERS.get(paper, QPageSize.PageSizeId.A5))


def receipt_pdf(receipt: Receipt, path: Path | None = None, *, paper: str = "A5") -> bytes:
    """Render the receipt on ``paper`` (A5 or A4); return its bytes, and write them to ``path`` (0600) if given."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(_page_size(paper))
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


def new_receipt_printer(paper: str = "A5") -> QPrinter:
    """A printer set up for the receipt (``paper``, portrait) before the print dialog lets the operator change it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(_page_size(paper))
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


def letterhead_lines(receipt: Receipt) -> list[str]:
    """Under the office's name: the village, kecamatan and kota, the address and phone (each when known)."""
    region = ", ".join(part for part in (
        receipt.village,
        _("Kecamatan {name}").format(name=receipt.district) if receipt.district else "",
        receipt.regency,
    ) if part)
    contact = " \u00b7 ".join(part for part in (
        receipt.office_address,
        _("Phone {number}").format(number=receipt.office_phone) if receipt.office_phone else "",
    ) if part)
    return [line for line in (region, contact) if line]


def paint_receipt(painter: QPainter, receipt: Receipt, width: float, resolution: float) -> None:
    """The receipt's one page, ``width`` device pixels wide at ``resolution`` dots per inch.

    Laid out in millimetres of an A5 sheet and scaled to the sheet's width: on A4 the same
    receipt, larger (A4 is A5 scaled by the square root of two, so it fits the height too).
    """
    scale = max(1.0, (width * 25.4 / resolution) / A5_WIDTH_MM)

    def mm(value: float) -> float:
        return value * scale * resolution / 25.4

    def font(size: float, **kwargs) -> QFont:
        return _font(size * scale, **kwargs)

    left, y = mm(12), mm(10)
    inner = width - 2 * left

    def line(text: str, face: QFont, height: float, flags=Qt.AlignmentFlag.AlignLeft) -> None:
        nonlocal y
        painter.setFont(face)
        painter.drawText(QRectF(left, y, inner, mm(height)), int(flags | Qt.AlignmentFlag.AlignVCenter) | Qt.TextFlag.TextWordWrap, text)
        y += mm(height)

    line(receipt.office_name, font(13, bold=True), 7)
    for text in letterhead_lines(receipt):
        line(text, font(8.5), 5)
    painter.drawLine(int(left), int(y + mm(1.5)), int(left + inner), int(y + mm(1.5)))
    y += mm(4)
    line(_("PROPOSAL RECEIPT"), font(12, bold=True), 7, Qt.AlignmentFlag.AlignHCenter)
    line(_("Tracking code"), font(9), 5, Qt.AlignmentFlag.AlignHCenter)
    line(receipt.tracking_code, font(22, bold=True, mono=True), 12, Qt.AlignmentFlag.AlignHCenter)
    qr_side = mm(36)
    draw_qr(painter, QRectF(left + (inner - qr_side) / 2, y + mm(1), qr_side, qr_side), receipt.tracking_code)
    y += qr_side + mm(3)

    rows = [
        (_("Kind"), receipt.kind),
        (_("Head of family"), receipt.head_name),
        (_("No. KK"), receipt.kk_masked),
        (_("Programmes"), ", ".join(receipt.programmes) or "-"),
        (_("Received"), receipt.received_at_wib),
        (_("Officer"), receipt.operator_name),
    ]
    if receipt.returned_reasons:
        rows.append((_("Returned because"), "; ".join(receipt.returned_reasons)))
    for label, value in rows:
        painter.setFont(font(9.5))
        high = mm(6) if label != _("Returned because") else mm(11)
        painter.drawText(QRectF(left, y, mm(41), high), int(Qt.AlignmentFlag.AlignVCenter), label)
        painter.setFont(font(9.5, bold=True))
        painter.drawText(QRectF(left + mm(42), y, inner - mm(42), high),
                         int(Qt.AlignmentFlag.AlignVCenter) | Qt.TextFlag.TextWordWrap, value)
        y += high
    y += mm(2)
    line(
        _("Keep this receipt. To ask about the proposal, bring the tracking code or your NIK to the "
          "kelurahan office, or scan the QR code at the counter."),
        font(8.5), 11,
    )
    y += mm(2)
    # The stamp and the officer's signature: a receipt without them is not taken seriously at Dinsos.
    box_height, gap = mm(30), mm(4)
    box_width = (inner - gap) / 2
    painter.setFont(font(8.5))
    for index, (caption, name) in enumerate((
        (_("Office stamp"), ""),
        (_("Officer's signature"), receipt.operator_name),
    )):
        box = QRectF(left + index * (box_width + gap), y, box_width, box_height)
        painter.drawRect(box)
        painter.drawText(box.adjusted(mm(2), mm(1), -mm(2), 0), int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter), caption)
        if name:
            painter.drawText(box.adjusted(mm(2), 0, -mm(2), -mm(1.5)),
                             int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter), f"( {name} )")


def write_private(path: Path, data: bytes) -> None:
    """0600 before a byte is written, then an atomic replace: the receipt carries a name."""
    write_atomic(Path(path), data)
