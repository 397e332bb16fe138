"""The BNBA (by name, by address) candidate list for the muskel, as a printable PDF or an XLSX sheet.

Both writers run on the worker thread and take an optional ``cancel`` (raises to stop) and
``progress(done, total)``; the file appears only when it is complete (write_atomic).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.domain.workflow import KIND_LABELS, ProposalKind
from app.i18n import N_, _
from app.storage.fsutil import write_atomic
from app.storage.read_models import ProposalSummary
from app.ui.qt import (
    QBuffer,
    QByteArray,
    QFont,
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

HEADERS = (
    N_("No."), N_("Head of family"), N_("NIK"), N_("No. KK"), N_("RT"), N_("RW"), N_("Kind"),
    N_("Tracking code"), N_("Decision"),
)


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

    def cells(self) -> tuple[str, ...]:
        # The decision column is left empty: the meeting writes it by hand on the printout.
        return (str(self.number), self.head_name, self.head_nik, self.kk_number, self.rt, self.rw,
                self.kind, self.tracking_code, "")


def bnba_rows(summaries: Iterable[ProposalSummary]) -> list[BnbaRow]:
    return [
        BnbaRow(i, s.head_name, s.head_nik, s.kk_number, s.rt, s.rw,
                _(KIND_LABELS[ProposalKind(s.kind)]), s.tracking_code)
        for i, s in enumerate(summaries, start=1)
    ]


def bnba_html(rows: list[BnbaRow], *, office_name: str, title: str) -> str:
    head = "".join(f"<th>{html.escape(_(h))}</th>" for h in HEADERS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row.cells()) + "</tr>" for row in rows
    )
    return (
        "<html><body style='font-family: DejaVu Sans; font-size: 9pt'>"
        f"<h2>{html.escape(office_name)}</h2><h3>{html.escape(title)}</h3>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{html.escape(_('Number of households: {count}').format(count=len(rows)))}</p>"
        "</body></html>"
    )


def bnba_pdf(rows: list[BnbaRow], path: Path, *, office_name: str, title: str,
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
    writer.setTitle(title)
    writer.setCreator("Usulkan")
    document = QTextDocument()
    document.setHtml(bnba_html(rows, office_name=office_name, title=title))
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


def bnba_xlsx(rows: list[BnbaRow], path: Path, *, office_name: str, title: str,
              cancel: Cancel = None, progress: Progress = None) -> None:
    """One sheet, a title, a frozen header row and widths that fit: ready to print or to sort."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "BNBA"
    sheet.append([office_name])
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
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
    for column, width in zip("ABCDEFGHI", (5, 30, 20, 20, 6, 6, 18, 16, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    if cancel is not None:
        cancel()
    write_atomic(Path(path), out.getvalue())
    if progress is not None:
        progress(len(rows), len(rows))
