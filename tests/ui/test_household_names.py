"""Wherever a person decides, the household's name stands beside the tracking code, and a search says why
it found a household ("anggota: BUDI SANTOSO")."""

from __future__ import annotations

from app.services import handover
from app.services.proposal_io import proposal_from_dict
from app.services.proposals import add_proposal
from app.ui.handover_wizard import HandoverWizard
from app.ui.pages.people import PeoplePage
from app.ui.pages.proposals import ProposalsPage
from app.ui.qt import Qt
from tests.factories import KK, SPOUSE_NIK, household_with, proposal_dict
from tests.fakes.returned import returned_proposal


def _proposals_page(state, qtbot) -> ProposalsPage:
    page = ProposalsPage(state)
    qtbot.addWidget(page)
    page.show()
    return page


def _head_cell(page) -> str:
    return page.model.data(page.model.index(0, 1), Qt.ItemDataRole.DisplayRole)


def test_a_search_by_a_members_name_says_which_member_matched(app_state, qtbot):
    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = _proposals_page(app_state, qtbot)
    qtbot.keyClicks(page.search, "budi")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and "anggota" in (_head_cell(page) or ""), timeout=3000)
    assert _head_cell(page) == "SITI AMINAH (anggota: BUDI SANTOSO)"


def test_a_search_by_nik_or_kk_says_so_and_the_heads_own_name_needs_no_note(app_state, qtbot):
    add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    page = _proposals_page(app_state, qtbot)
    page.search.setText(SPOUSE_NIK)
    qtbot.waitUntil(lambda: "NIK anggota: BUDI SANTOSO" in (_head_cell(page) or ""), timeout=3000)
    page.search.setText(KK)
    qtbot.waitUntil(lambda: _head_cell(page) == "SITI AMINAH (No. KK)", timeout=3000)
    page.search.setText("siti")
    qtbot.waitUntil(lambda: _head_cell(page) == "SITI AMINAH", timeout=3000)


def test_panduan_saya_names_the_household_and_gives_dinsos_words(app_state, qtbot):
    returned_proposal(app_state.ctx, [("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan.")])
    page = PeoplePage(app_state)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.start_page_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    work = [dialog.work.item(i).text() for i in range(dialog.work.count())]
    decisions = [dialog.decisions.item(i).text() for i in range(dialog.decisions.count())]
    assert any("SITI AMINAH" in line for line in work), work
    returned = next(line for line in decisions if "Dikembalikan" in line)
    assert "SITI AMINAH" in returned and "Foto rumah buram; mohon foto ulang dari depan." in returned
    assert "foto_rumah_buram" not in " ".join(decisions)
    dialog.close()


def test_handover_rows_show_the_name_and_the_filter_finds_it(app_state, qtbot):
    summary = add_proposal(app_state.ctx, proposal_from_dict(proposal_dict()))
    other = household_with(["3575036708850001"], kk="3575031203150099")
    other["household"]["members"][0]["name"] = "RATNA SARI"
    add_proposal(app_state.ctx, proposal_from_dict(other))
    wizard = HandoverWizard(app_state, open_files=False)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.work_page
    labels = [page.proxy.index(r, 1).data() for r in range(page.proxy.rowCount())]
    assert f"{summary.tracking_code} \u00b7 SITI AMINAH" in labels
    qtbot.keyClicks(page.filter, "ratna")
    assert page.proxy.rowCount() == 1 and "RATNA SARI" in page.proxy.index(0, 1).data()
    wizard.close()


def test_the_berita_acara_lines_carry_the_household(office):
    summary = add_proposal(office, proposal_from_dict(proposal_dict()))
    report = handover.hand_over(office, from_operator=office.operator_id,
                                assignments={f"proposal:{summary.id}": None}, notes={})
    assert report.items[0].label == f"{summary.tracking_code} \u00b7 SITI AMINAH"


def test_the_printed_berita_acara_names_the_household(app_state):
    from app.services import handover_report
    from app.ui.handover_pdf import handover_pdf
    from tests.pdftext import says

    ctx = app_state.ctx
    summary = add_proposal(ctx, proposal_from_dict(proposal_dict()))
    _report, record_id = handover_report.hand_over_and_record(
        ctx, from_operator=ctx.operator_id, assignments={f"proposal:{summary.id}": None}, notes={})
    data = handover_pdf(handover_report.record_view(ctx, record_id))
    assert says(data, summary.tracking_code, "SITI AMINAH")
