"""The BNBA list fit for the muskel: letterhead, RT/RW in the title, meeting date and place, the address,
columns wide enough for their values, and the signatures of the Lurah, the LPMK and the minute-taker."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.services.letterhead import set_contact
from app.storage.models import AuditEntry
from app.ui.qt import QDate, Qt
from tests.factories import CHILD_NIK, HEAD_NIK, KK, SPOUSE_NIK
from tests.fakes.muskel import Saving, in_muskel, make_page
from tests.pdftext import pdf_text, says

LONG_ADDRESS = "JL. PAHLAWAN GANG MAWAR BELAKANG MASJID AL-IKHLAS NO. 12 A, DEKAT POS KAMLING"


def _export(page, qtbot) -> bytes:
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    return page.prompts.folder.joinpath("bnba-muskel.pdf").read_bytes()


def _lines(data: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(data).splitlines()]


def test_the_printed_bnba_carries_meeting_rt_rw_address_and_signatures(app_state, qtbot, tmp_path):
    ctx = app_state.ctx
    set_contact(ctx, address="Jl. Raya Bugul Kidul No. 1", phone="(0343) 424242")
    first = in_muskel(ctx, [HEAD_NIK], "1")
    with ctx.transaction() as session:
        from app.storage.models import Household

        session.scalars(select(Household).where(Household.proposal_id == first.id)).one().address = LONG_ADDRESS
    in_muskel(ctx, [SPOUSE_NIK, CHILD_NIK], "2")
    page = make_page(app_state, qtbot, Saving(tmp_path))
    qtbot.keyClicks(page.rt, "3")
    qtbot.keyClicks(page.rw, "1")
    qtbot.keyClick(page.rw, Qt.Key.Key_Return)
    assert page.table.rowCount() == 1
    page.meeting_date.setDate(QDate(2026, 12, 3))
    qtbot.keyClicks(page.meeting_place, "Balai Kelurahan Bugul Kidul")
    qtbot.keyClicks(page.lpmk_name, "H. MOCH. SYAFI'I")

    data = _export(page, qtbot)
    assert says(data, "Kelurahan", "Kecamatan Bugul Kidul, Kota Pasuruan", "Jl. Raya Bugul Kidul No. 1",
                "Telepon (0343) 424242")
    assert says(data, "RT 003 / RW 001")
    assert says(data, "3 Desember 2026", "Balai Kelurahan Bugul Kidul")
    assert says(data, "Alamat", LONG_ADDRESS)
    assert says(data, "Lurah Bugul Kidul", "Ketua LPMK", "( H. MOCH. SYAFI'I )", "Notulis")
    # Fixed columns sized to their values: the 16 digits and the code stay on one line each.
    lines = _lines(data)
    assert any(HEAD_NIK in line for line in lines), lines
    assert any(KK in line for line in lines), lines
    assert any(first.tracking_code in line for line in lines), lines
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)  # A4 landscape
    with ctx.reading() as session:
        (entry,) = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "bnba.export")).all()
    assert (entry["rt"], entry["rw"]) == ("3", "1")


def test_the_title_names_the_rw_shared_by_every_row_and_all_otherwise(app_state, qtbot, tmp_path):
    in_muskel(app_state.ctx, [HEAD_NIK], "2")
    page = make_page(app_state, qtbot, Saving(tmp_path))
    assert says(_export(page, qtbot), "RT 003 / RW 002")  # one household: its RT and RW
    in_muskel(app_state.ctx, [SPOUSE_NIK, CHILD_NIK], "4")
    page.refresh()
    data = _export(page, qtbot)
    assert says(data, "semua RT dan RW")
    assert "( )" not in pdf_text(data)  # blank signature lines, not empty brackets


def test_the_xlsx_has_the_address_and_widths_from_content(app_state, qtbot, tmp_path):
    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    page = make_page(app_state, qtbot, Saving(tmp_path))
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    sheet = load_workbook(tmp_path / "bnba-muskel.xlsx").active
    assert sheet["E4"].value == "Alamat" and sheet["E5"].value == "JL. PAHLAWAN NO. 12"
    assert sheet["I5"].value == first.tracking_code
    assert "Musyawarah" in sheet["A3"].value
    widths = {c: sheet.column_dimensions[c].width for c in "BCDEI"}
    assert widths["C"] >= 18 and widths["D"] >= 18 and widths["I"] >= len(first.tracking_code) + 1
    assert widths["E"] >= len("JL. PAHLAWAN NO. 12")
    assert sheet.page_setup.orientation == "landscape"


def test_markup_typed_into_the_page_or_stored_prints_as_text(qapp, tmp_path):
    """The BNBA is HTML laid out by Qt: whatever a field holds is escaped, never markup or a file fetch."""
    from datetime import date

    from app.ui.bnba import BnbaRow, BnbaSheet, bnba_pdf

    hostile = "<img src='file:///etc/passwd'><b>JL. X</b>"
    rows = [BnbaRow(1, "SITI <i>AMINAH</i>", "3575034708850003", KK, "003", "001", "usulan baru",
                    "USK-7K3M-Q9TD", hostile)]
    sheet = BnbaSheet("Kelurahan <script>", "T", meeting_date=date(2026, 12, 3), meeting_place="</table><h1>X",
                      lpmk_name="<u>LPMK</u>")
    data = bnba_pdf(rows, tmp_path / "b.pdf", sheet=sheet)
    # (the viewer's text joins "fi" into one ligature glyph, so the check skips that word)
    assert says(data, "<img src='", "passwd'><b>JL. X</b>", "SITI <i>AMINAH</i>", "Kelurahan <script>",
                "</table><h1>X", "( <u>LPMK</u> )")
