"""The BNBA (by name, by address) candidate list for the muskel, as a printable PDF or an XLSX sheet."""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.domain.workflow import KIND_LABELS, ProposalKind
from app.i18n import N_, _
from app.storage.read_models import ProposalSummary
from app.ui.qt import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from app.ui.receipt_pdf import write_private

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


def bnba_pdf(rows: list[BnbaRow], path: Path, *, office_name: str, title: str) -> bytes:
    """A4 landscape, the header row repeated on every page (QTextDocument does that for <thead>)."""
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
    document.print_(writer)
    buffer.close()
    data = bytes(array.data())
    write_private(Path(path), data)
    return data


def bnba_xlsx(rows: list[BnbaRow], path: Path, *, office_name: str, title: str) -> None:
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
    for row in rows:
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
    write_private(Path(path), out.getvalue())
