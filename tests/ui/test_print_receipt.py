"""The citizen's receipt fit for the office: letterhead with kecamatan and kota, address and phone, a stamp box,
on the paper chosen in Settings."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.services.letterhead import ContactInvalid, letterhead, set_contact
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.storage.models import AuditEntry
from app.ui import settings_store
from app.ui.pages.counter import CounterPage
from app.ui.pages.settings import SettingsPage
from app.ui.qt import Qt
from tests.factories import proposal_dict
from tests.pdftext import pdf_text, says

ADDRESS = "Jl. Raya Bugul Kidul No. 1, Pasuruan 67121"
PHONE = "(0343) 424242"


@pytest.fixture(autouse=True)
def _private_settings(tmp_path):
    settings_store.use_file(tmp_path / "settings.ini")
    yield
    settings_store.use_file(None)


def _page_mm(data: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


def _receipt_through_the_counter(state, qtbot) -> bytes:
    summary = add_proposal(state.ctx, proposal_from_dict(proposal_dict()))
    counter = CounterPage(state)
    counter.open_url = lambda url: True
    # "Tanda terima sebagai PDF" asks where to save: the operator picks a file in the office folder.
    counter.prompts.save_file = lambda title, suggested, filters: state.ctx.folder / "tanda-terima.pdf"
    qtbot.addWidget(counter)
    counter.search.setText(summary.tracking_code)
    counter.look_up()
    qtbot.mouseClick(counter.cards[0].pdf_button, Qt.MouseButton.LeftButton)
    data = counter.last_receipt.read_bytes()
    counter.last_receipt.unlink()
    assert says(data, summary.tracking_code)
    return data


def test_settings_address_phone_and_a4_reach_the_printed_receipt(app_state, qtbot):
    settings = SettingsPage(app_state)
    qtbot.addWidget(settings)
    box = settings.print_box
    box.address.clear()
    qtbot.keyClicks(box.address, ADDRESS)
    qtbot.keyClicks(box.phone, PHONE)
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert "Disimpan" in box.message.text()
    box.paper.setCurrentIndex(box.paper.findData("A4"))

    data = _receipt_through_the_counter(app_state, qtbot)
    assert says(data, "Bugul Kidul", "Kecamatan Bugul Kidul", "Kota Pasuruan", ADDRESS, "Telepon " + PHONE)
    assert says(data, "Stempel kantor", "Tanda tangan petugas")
    assert _page_mm(data) == (210, 297)
    assert b"/Count 1" in data  # A4 holds the scaled receipt on one page
    with app_state.ctx.reading() as session:
        entry = session.query(AuditEntry).filter_by(action="office.contact").one()
    assert entry.detail["after"] == {"address": ADDRESS, "phone": PHONE}


def test_the_receipt_is_a5_by_default_and_says_nothing_made_up_without_an_address(app_state, qtbot):
    data = _receipt_through_the_counter(app_state, qtbot)
    assert _page_mm(data) == (148, 210)
    assert b"/Count 1" in data
    assert says(data, "Kecamatan Bugul Kidul", "Kota Pasuruan", "Stempel kantor")
    assert "Telepon" not in pdf_text(data)


def test_a_returned_proposals_new_receipt_fits_one_a5_page(app_state, qtbot):
    from app.services import proposals
    from app.services.citizen import receipt_data
    from app.ui.receipt_pdf import receipt_pdf
    from tests.fakes.returned import returned_proposal

    pid = returned_proposal(app_state.ctx, [("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan.")])
    new = proposals.new_version(app_state.ctx, pid)
    data = receipt_pdf(receipt_data(app_state.ctx, new.id))
    assert b"/Count 1" in data
    assert says(data, "Dikembalikan karena", "Foto rumah buram; mohon foto ulang dari depan.")
    assert "foto_rumah_buram" not in pdf_text(data)


@pytest.mark.parametrize("address, phone", [
    ("Jl. Mawar\u202e1", ""),  # a right-to-left override would print the address backwards
    ("x" * 301, ""),
    ("", "0343; DROP TABLE"),
    ("", "-- --"),
])
def test_hostile_contact_is_refused_and_nothing_changes(office, address, phone):
    with pytest.raises(ContactInvalid) as refused:
        set_contact(office, address=address, phone=phone)
    assert refused.value.message()
    assert letterhead(office).address == "" and letterhead(office).phone == ""


def test_field_staff_cannot_change_the_letterhead(office):
    from app.services.letterhead import ContactNotAllowed

    role, office.operator_role = office.operator_role, "field_staff"
    try:
        with pytest.raises(ContactNotAllowed):
            set_contact(office, address=ADDRESS, phone=PHONE)
    finally:
        office.operator_role = role
    assert letterhead(office).address == ""
