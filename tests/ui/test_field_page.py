"""The ground-check page: tick households, write the assignment, import results, decide conflicts by clicking."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

from app.services import field, field_laptop
from app.sync import field as files
from app.ui.pages.field import FieldChecksPage
from app.ui.qt import QBuffer, QImage, QIODevice, Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests.fakes.field import KK1, KK2, START, Files, enrol_field
from tests.fakes.field import income as _income


def test_assign_import_and_decide_by_clicking(qapp, qtbot, linked, lurah, created_office, fast_kdf, tmp_path):
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    start = {**START, "income_band": _income(0)}
    field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3", values=start)
    field.record_household(linked, KK2, head_name="Budi Santoso", address="Jl. Melati 9", values=start)
    state = AppState(linked.folder, runner=InlineRunner())
    state.sign_in(linked)
    page = FieldChecksPage(state)
    answers = page.prompts = Files(tmp_path)
    qtbot.addWidget(page)
    page.show()
    try:
        assert page.table.rowCount() == 2 and page.person.currentData() == citra.operator_id
        # Nothing ticked: asked, nothing written.
        qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
        assert list(tmp_path.glob("*.usulkan-lapangan")) == []
        row = next(r for r in range(2) if page.table.item(r, 0).text() == KK1)
        page.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
        qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
        (written,) = tmp_path.glob("*.usulkan-lapangan")
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
        assignment = field_laptop.open_assignment(citra, written.read_bytes())
        assert [h.kk_number for h in assignment.households] == [KK1]

        # The office changes the floor meanwhile; the field finds another floor and another income.
        field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3",
                               values={"floor_material": "tile_terrazzo"})
        household = assignment.households[0]
        image = QImage(40, 30, QImage.Format.Format_RGB32)
        image.fill(0x336699)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        png = bytes(buffer.data())
        results = field_laptop.write_results(citra, assignment, [files.ResultRecord(
            KK1, household.base_version,
            {**household.base_values, "floor_material": "cement_brick", "wall_material": "masonry",
             "income_band": _income(2)},
            assignment.issued_at + timedelta(days=1), (files.Photo("front", png),), "-7.6453", "112.9075",
            "Lantai semen, dinding bata")])
        answers.open_path = tmp_path / "hasil.usulkan-lapangan"
        answers.open_path.write_bytes(results)
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
        assert field.get_household(linked, KK1).values["wall_material"] == "masonry"  # field only: applied
        assert page.conflict_table.rowCount() == 2
        by_item = {page.pending[r].variable: r for r in range(2)}
        # Choosing a row shows what the field found there: notes, coordinates, the photo.
        page.conflict_table.setCurrentCell(by_item["floor_material"], 0)
        assert "Lantai semen, dinding bata" in page.details.text() and "-7.6453, 112.9075" in page.details.text()
        (shown,) = page.photo_labels
        assert shown.pixmap() is not None and not shown.pixmap().isNull()
        assert page.conflict_table.item(by_item["floor_material"], 3).text() == "Ubin, tegel, atau teraso"
        # pakai nilai lapangan for the floor, pakai nilai kantor for the income.
        # A question to the field person first: it rides on the next assignment.
        answers.answer = "Lantai keramik atau semen? Mohon foto ulang."
        qtbot.mouseClick(page.decision_buttons[by_item["floor_material"]][-1], Qt.MouseButton.LeftButton)
        again = field_laptop.open_assignment(citra, field.write_assignment(linked, citra.operator_id, [KK1],
                                                                           assignment.due_date))
        assert again.households[0].remarks == (files.Remark("question", answers.answer),)
        _office_button, field_button = page.decision_buttons[by_item["floor_material"]][:2]
        assert field_button.text() == "Pakai nilai lapangan"
        qtbot.mouseClick(field_button, Qt.MouseButton.LeftButton)
        income_row = next(r for r, c in enumerate(page.pending) if c.variable == "income_band")
        qtbot.mouseClick(page.decision_buttons[income_row][0], Qt.MouseButton.LeftButton)
        values = field.get_household(linked, KK1).values
        assert values["floor_material"] == "cement_brick" and values["income_band"] == _income(0)
        assert page.conflict_table.rowCount() == 0

        # The same file again: said so, nothing changes.
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
        assert answers.asked[-1] == "Berkas hasil ini sudah pernah diimpor; tidak ada yang berubah."
        assert field.get_household(linked, KK1).values == values
        # A damaged file: refused in Indonesian, nothing changes.
        answers.open_path.write_bytes(results[:-10])
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
        assert "rusak" in answers.asked[-1]
        assert field.get_household(linked, KK1).values == values
    finally:
        state.ctx = None
        citra.close()


def test_take_in_a_proposal_waiting_for_its_ground_check(qapp, qtbot, linked, tmp_path):
    from app.domain import workflow
    from app.services import proposal_io, proposals
    from tests import factories

    data = factories.household_with(["3575034708850003"], kk="3575031203100077")
    data.update(kind="pembaruan", programmes=[],
                changes=[{"variable": "floor_material", "old": "ceramic_marble", "new": "earth"}])
    summary = proposals.add_proposal(linked, proposal_io.proposal_from_dict(data))
    proposals.apply_action(linked, summary.id, workflow.Action.SEND_TO_GROUND_CHECK)
    state = AppState(linked.folder, runner=InlineRunner())
    state.sign_in(linked)
    page = FieldChecksPage(state)
    page.prompts = answers = Files(tmp_path)
    qtbot.addWidget(page)
    try:
        assert page.table.rowCount() == 0
        qtbot.mouseClick(page.take_in_button, Qt.MouseButton.LeftButton)
        assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == "3575031203100077"
        assert answers.asked[-1] == "1 rumah tangga diambil dari usulan."
    finally:
        state.ctx = None
