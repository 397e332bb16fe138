"""The field person's page: open the assignment, fill the form (prefilled), photos and coordinates, write signed results."""

from __future__ import annotations

from app.services import field
from app.ui.pages.field_work import FieldWorkPage, GroundChecksPage
from app.ui.qt import Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner
from tests.fakes.field import DUE, FIELD_PASS, KK1, START, Files, enrol_field
from tests.fakes.field import income as _income


def test_fill_the_form_and_write_results_the_office_merges(qapp, qtbot, linked, lurah, created_office, fast_kdf,
                                                           tmp_path):
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3",
                           values={**START, "income_band": _income(0)})
    field.add_remark(linked, citra.operator_id, KK1, "question", "Foto dapur belum ada")
    assignment_file = tmp_path / "penugasan.usulkan-lapangan"
    assignment_file.write_bytes(field.write_assignment(linked, citra.operator_id, [KK1], DUE))
    photo = tmp_path / "depan.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 rumah depan")

    state = AppState(citra.folder, runner=InlineRunner())
    state.sign_in(citra)
    chooser = GroundChecksPage(state)
    qtbot.addWidget(chooser)
    page = chooser.inner
    assert isinstance(page, FieldWorkPage)  # field staff get their own page, not the office's
    answers = page.prompts = Files(tmp_path)
    chooser.show()
    try:
        answers.open_path = assignment_file
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        assert page.households.count() == 1
        page.households.setCurrentRow(0)
        assert "Foto dapur belum ada" in page.remarks.text()
        floor = page.combos["floor_material"]
        assert floor.currentData() == "earth"  # prefilled with the office's current value
        floor.setCurrentIndex(floor.findData("cement_brick"))
        answers.open_path = photo
        qtbot.mouseClick(page.photo_buttons["front"], Qt.MouseButton.LeftButton)
        qtbot.keyClicks(page.latitude, "-7.6453")
        qtbot.keyClicks(page.longitude, "112.9075")
        qtbot.keyClicks(page.notes, "Lantai sudah disemen")
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        # Closed and opened again (days offline): the record is still there.
        page.refresh()
        page.households.setCurrentRow(0)
        assert page.combos["floor_material"].currentData() == "cement_brick" and page.latitude.text() == "-7.6453"
        qtbot.mouseClick(page.results_button, Qt.MouseButton.LeftButton)
        (results,) = tmp_path.glob("hasil-*.usulkan-lapangan")
    finally:
        state.ctx = None
        citra.close()

    report = field.import_results(linked, results.read_bytes())
    assert (report.applied, report.conflicts) == (1, 0)
    assert field.get_household(linked, KK1).values["floor_material"] == "cement_brick"
    from sqlalchemy import select

    from app.storage.field_models import FieldPhoto, FieldResultRow
    with linked.reading() as session:
        stored = session.scalars(select(FieldResultRow)).one()
        assert (stored.latitude, stored.longitude, stored.notes) == ("-7.6453", "112.9075", "Lantai sudah disemen")
        assert session.scalars(select(FieldPhoto.data)).one() == b"\xff\xd8\xff\xe0 rumah depan"


def test_a_bad_coordinate_is_refused_and_the_typing_stays(qapp, qtbot, linked, lurah, created_office, fast_kdf,
                                                          tmp_path):
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    field.record_household(linked, KK1, head_name="Siti Aminah", address="Jl. Mawar 3", values=dict(START))
    assignment_file = tmp_path / "penugasan.usulkan-lapangan"
    assignment_file.write_bytes(field.write_assignment(linked, citra.operator_id, [KK1], DUE))
    state = AppState(citra.folder, runner=InlineRunner())
    state.sign_in(citra)
    page = FieldWorkPage(state)
    qtbot.addWidget(page)
    answers = page.prompts = Files(tmp_path)
    try:
        answers.open_path = assignment_file
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        page.households.setCurrentRow(0)
        qtbot.keyClicks(page.latitude, "tujuh koma enam")
        qtbot.keyClicks(page.longitude, "112.9")
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert "derajat desimal" in answers.asked[-1]
        assert page.latitude.text() == "tujuh koma enam"
    finally:
        state.ctx = None
        citra.close()


def test_save_a_kit_for_the_laptop(qapp, qtbot, linked, lurah, created_office, fast_kdf, tmp_path, monkeypatch):
    from app.services import field_kit
    from app.services import office as office_service
    from app.services.office import open_office

    monkeypatch.setattr(office_service, "_calibrated", lambda: fast_kdf)
    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    state = AppState(citra.folder, runner=InlineRunner())
    state.sign_in(citra)
    page = FieldWorkPage(state)
    qtbot.addWidget(page)

    class Kit(Files):
        def secret(self, title, label):
            return FIELD_PASS

    page.prompts = Kit(tmp_path)
    try:
        qtbot.mouseClick(page.kit_button, Qt.MouseButton.LeftButton)
    finally:
        state.ctx = None
        citra.close()
    person = field_kit.set_up_laptop(tmp_path / "laptop", (tmp_path / "lapangan.kit").read_bytes(), FIELD_PASS,
                                     kdf=fast_kdf)
    open_office(tmp_path / "laptop", person, FIELD_PASS).close()


def test_a_field_person_s_window_shows_only_their_ground_checks(qapp, qtbot, linked, lurah, created_office,
                                                                fast_kdf):
    from app.ui.main_window import MainWindow

    citra = enrol_field(lurah, created_office[0], "Citra Lapangan", fast_kdf)
    state = AppState(citra.folder, runner=InlineRunner())
    state.sign_in(citra)
    window = MainWindow(state)
    qtbot.addWidget(window)
    try:
        assert window.keys == ["field", "settings"]
        assert window.current_key() == "field"
        assert isinstance(window.pages["field"].inner, FieldWorkPage)
        window.navigate("proposals")  # a link to office work goes nowhere
        assert window.current_key() == "field"
    finally:
        window.scheduler.stop()
        state.ctx = None
        citra.close()
