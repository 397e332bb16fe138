"""The BNBA (by name, by address) candidate list for the muskel, as a printable PDF or an XLSX sheet.

Both writers run on the worker thread and take an optional ``cancel`` (raises to stop) and
``progress(done, total)``; the file appears only when it is complete (write_atomic).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app import i18n
from app.domain.workflow import KIND_LABELS, ProposalKind
from app.i18n import N_, _
from app.fsutil import write_atomic
from app.services.proposals import ProposalSummary
from app.ui.qt import (
    QBuffer,
    QByteArray,
    QFont,
    QFontMetricsF,
    QIODevice,
    QMarginsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QRectF,
    QSizeF,
    Qt,
    QTextDocument,
)

Cancel = Callable[[], None] | None
Progress = Callable[[int, int], None] | None
SOURCE_DPI = 96  # the unit QTextDocument's HTML lengths are in; the layout scales them to the PDF
PAGE_WIDTH_PX = (297 - 24) / 25.4 * SOURCE_DPI  # A4 landscape less the margins

HEADERS = (
    N_("No."), N_("Head of family"), N_("NIK"), N_("No. KK"), N_("Address"), N_("RT"), N_("RW"), N_("Kind"),
    N_("Tracking code"), N_("Decision"),
)
# Columns that may wrap onto a second line (names and addresses); every other one is sized to
# its longest value and never broken: a NIK or tracking code split in two cannot be read out.
WRAPPING = (1, 4)
DECISION_SAMPLE = "Tidak layak, pindah"  # room to write the decision by hand
BODY_PT = 8.5
CELL_PADDING = 4


@dataclass(frozen=True)
class BnbaRow:
    number: int
    head_name: str
    head_nik: str
    kk_number: str
    rt: str
    rw: str
    kind: str
    tracking_code: str
    address: str = ""

    def cells(self) -> tuple[str, ...]:
        # The decision column is left empty: the meeting writes it by hand on the printout.
        return (str(self.number), self.head_name, self.head_nik, self.kk_number, self.address, self.rt, self.rw,
                self.kind, self.tracking_code, "")


@dataclass(frozen=True)
class BnbaSheet:
    """Everything on the sheet besides the rows: who, where and when the muskel meets, who signs."""

    office_name: str
    title: str
    region_line: str = ""  # "Kecamatan …, Kota …" under the office's name
    contact_line: str = ""  # address and phone
    meeting_date: date | None = None
    meeting_place: str = ""
    village: str = ""
    lurah_name: str = ""
    lpmk_name: str = ""
    notulis_name: str = ""


def bnba_rows(summaries: Iterable[ProposalSummary]) -> list[BnbaRow]:
    return [
        BnbaRow(i, s.head_name, s.head_nik, s.kk_number, s.rt, s.rw,
                _(KIND_LABELS[ProposalKind(s.kind)]), s.tracking_code, s.address)
        for i, s in enumerate(summaries, start=1)
    ]


def bnba_title(rows: list[BnbaRow], *, rt: str | None = None, rw: str | None = None) -> str:
    """The list's title with the RT and RW it covers: chosen by the filter, or shared by every row."""
    rws = {r.rw for r in rows}
    rts = {(r.rw, r.rt) for r in rows}
    rw = rw.zfill(3) if rw else (next(iter(rws)) if len(rws) == 1 else None)
    rt = rt.zfill(3) if rt else (next(iter(rts))[1] if len(rts) == 1 else None)
    if rw and rt:
        return _("Muskel candidates (BNBA), RT {rt} / RW {rw}").format(rt=rt, rw=rw)
    if rw:
        return _("Muskel candidates (BNBA), RW {rw}").format(rw=rw)
    return _("Muskel candidates (BNBA), all RTs and RWs")


def long_date(day: date) -> str:
    """'3 Desember 2026': the way a date is written on an official sheet, in the current language."""
    from babel.dates import format_date

    return format_date(day, "d MMMM y", locale=i18n.current_language())


def meeting_line(sheet: BnbaSheet) -> str:
    when = long_date(sheet.meeting_date) if sheet.meeting_date else "...................."
    where = sheet.meeting_place or "...................."
    return _("Muskel held on {date} at {place}").format(date=when, place=where)


def column_percents(rows: list[BnbaRow], device=None) -> list[float]:
    """Each column's share of the table's width, from the widest value in it (header included).

    Fixed columns get exactly their widest value plus padding; the name and address columns share
    what is left in proportion to their own longest values.
    """
    body = QFont("DejaVu Sans")
    body.setPointSizeF(BODY_PT)
    bold = QFont(body)
    bold.setBold(True)
    # Measured on the device the table is laid out for (the PDF writer), in its own pixels.
    plain = QFontMetricsF(body, device) if device is not None else QFontMetricsF(body)
    strong = QFontMetricsF(bold, device) if device is not None else QFontMetricsF(bold)
    # The cells' padding (CELL_PADDING source pixels a side) and borders, plus a hair for rounding.
    dpi = device.logicalDpiX() if device is not None else SOURCE_DPI
    padding = (2 * CELL_PADDING + 3) * dpi / SOURCE_DPI + plain.averageCharWidth()
    natural = []
    for column, header in enumerate(HEADERS):
        values = [row.cells()[column] for row in rows]
        if column == len(HEADERS) - 1:
            values.append(DECISION_SAMPLE)
        widest = max([plain.horizontalAdvance(v) for v in values] or [0])
        head = max(strong.horizontalAdvance(word) for word in _(header).split())  # a header may wrap at spaces
        natural.append(max(widest, head) * 1.04 + padding)
    total = device.width() if device is not None else PAGE_WIDTH_PX
    fixed = sum(w for i, w in enumerate(natural) if i not in WRAPPING)
    room = max(total - fixed, 0.25 * total)
    flexible = sum(natural[i] for i in WRAPPING) or 1.0
    widths = [natural[i] if i not in WRAPPING else max(room * natural[i] / flexible, 0.08 * total)
              for i in range(len(HEADERS))]
    scale = 100.0 / sum(widths)
    return [round(w * scale, 2) for w in widths]


def signature_html(sheet: BnbaSheet) -> str:
    blank = "(" + "\u00a0" * 40 + ")"
    people = (
        (_("Lurah {village}").format(village=sheet.village) if sheet.village else _("Lurah"), sheet.lurah_name),
        (_("Chair of the LPMK"), sheet.lpmk_name),
        (_("Minute-taker (notulis)"), sheet.notulis_name),
    )
    cells = "".join(
        f"<td width='33%' align='center'>{html.escape(role)}<br><br><br><br><br>"
        f"{html.escape('( ' + name + ' )') if name else blank}</td>"
        for role, name in people
    )
    place_date = ", ".join(p for p in (sheet.village, long_date(sheet.meeting_date) if sheet.meeting_date else "") if p)
    return (
        (f"<p align='right'>{html.escape(place_date)}</p>" if place_date else "")
        + "<table width='100%' cellspacing='0' cellpadding='6'>"
        f"<tr><td colspan='3' align='center'>{html.escape(_('Agreed by the muskel, signed by:'))}</td></tr>"
        f"<tr>{cells}</tr></table>"
    )


def bnba_html(rows: list[BnbaRow], sheet: BnbaSheet, device=None) -> str:
    widths = column_percents(rows, device)
    head = "".join(
        f"<th width='{w}%'" + ("" if i in WRAPPING else " nowrap") + f">{html.escape(_(h))}</th>"
        for i, (h, w) in enumerate(zip(HEADERS, widths, strict=True))
    )
    body = "".join(
        "<tr>" + "".join(f"<td{'' if i in WRAPPING else ' nowrap'}>{html.escape(c)}</td>"
                         for i, c in enumerate(row.cells())) + "</tr>"
        for row in rows
    )
    letterhead = "".join(f"<div>{html.escape(line)}</div>" for line in (sheet.region_line, sheet.contact_line) if line)
    return (
        f"<html><body style='font-family: DejaVu Sans; font-size: {BODY_PT}pt'>"
        f"<h2>{html.escape(sheet.office_name)}</h2>{letterhead}"
        f"<h3>{html.escape(sheet.title)}</h3><p>{html.escape(meeting_line(sheet))}</p>"
        f"<table border='1' cellspacing='0' cellpadding='{CELL_PADDING}' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{html.escape(_('Number of households: {count}').format(count=len(rows)))}</p>"
        + signature_html(sheet)
        + "</body></html>"
    )


def bnba_pdf(rows: list[BnbaRow], path: Path, *, sheet: BnbaSheet,
             cancel: Cancel = None, progress: Progress = None) -> bytes:
    """A4 landscape, the header row repeated on every page (the layout does that for <thead>).

    Drawn page by page, as QTextDocument.print_ would, so a long list can be cancelled between
    pages; page numbers at the foot of each page.
    """
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setTitle(sheet.title)
    writer.setCreator("Usulkan")
    document = QTextDocument()
    document.setHtml(bnba_html(rows, sheet, writer))
    if cancel is not None:
        cancel()
    painter = QPainter(writer)
    try:
        document.documentLayout().setPaintDevice(writer)
        margin = int(1 / 2.54 * SOURCE_DPI)  # room for the page number at the foot
        frame = document.rootFrame().frameFormat()
        for side in (frame.setLeftMargin, frame.setRightMargin, frame.setTopMargin):
            side(0)
        frame.setBottomMargin(margin)
        document.rootFrame().setFrameFormat(frame)
        page = QRectF(0, 0, writer.width(), writer.height())
        document.setPageSize(QSizeF(page.width(), page.height()))
        pages = document.pageCount()
        number_font = QFont(document.defaultFont())
        for index in range(pages):
            if cancel is not None:
                cancel()
            if progress is not None:
                progress(index, pages)
            if index:
                writer.newPage()
            view = QRectF(0, index * page.height(), page.width(), page.height())
            painter.save()
            painter.translate(0, -view.top())
            document.drawContents(painter, view)
            painter.restore()
            painter.setFont(number_font)
            number = _("Page {page} of {pages}").format(page=index + 1, pages=pages)
            painter.drawText(QRectF(0, page.height() - painter.fontMetrics().height() * 1.5, page.width(),
                                    painter.fontMetrics().height() * 1.5), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), number)
    finally:
        painter.end()
    buffer.close()
    data = bytes(array.data())
    if cancel is not None:
        cancel()  # the last moment to stop: after this the file is there, whole
    write_atomic(Path(path), data)
    if progress is not None:
        progress(pages, pages)
    return data


def bnba_xlsx(rows: list[BnbaRow], path: Path, *, sheet: BnbaSheet,
              cancel: Cancel = None, progress: Progress = None) -> None:
    """One sheet, a title, a frozen header row and widths that fit: ready to print or to sort."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    info = sheet
    book = Workbook()
    sheet = book.active
    sheet.title = "BNBA"
    sheet.append([info.office_name])
    sheet.append([info.title])
    sheet.append([meeting_line(info)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_(h) for h in HEADERS])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for done, row in enumerate(rows):
        if cancel is not None and done % 50 == 0:
            cancel()
        if progress is not None:
            progress(done, len(rows))
        values = list(row.cells())
        values[0] = row.number
        sheet.append(values)
    # Keep NIK and No. KK as text: a spreadsheet would turn 16 digits into 3.57503E+15.
    for column in ("C", "D"):
        for cell in sheet[column][4:]:
            cell.number_format = "@"
    sheet.freeze_panes = "A5"
    # Widths from content: the longest value (or header) of each column, in characters.
    for index, header in enumerate(HEADERS):
        values = [_(header)] + [row.cells()[index] for row in rows]
        if index == len(HEADERS) - 1:
            values.append(DECISION_SAMPLE)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(len(v) for v in values) + 2, 80)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "4:4"
    out = io.BytesIO()
    book.save(out)
    if cancel is not None:
        cancel()
    write_atomic(Path(path), out.getvalue())
    if progress is not None:
        progress(len(rows), len(rows))
