"""Beranda: the cards open the list they count; the Lurah sees their own to-dos first and each opens its place."""

from __future__ import annotations

import pytest

from app.services import demo
from app.services.office import open_office
from app.ui import settings_store
from app.ui.main_window import MainWindow
from app.ui.qt import Qt
from app.ui.state import AppState
from app.ui.tasks import InlineRunner


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory, fast_kdf):
    return demo.create_demo_office(tmp_path_factory.mktemp("demo") / "office", per_state=1, kdf=fast_kdf)


def _window(qtbot, demo_office, person_id, passphrase):
    ctx = open_office(demo_office.folder, person_id, passphrase)
    state = AppState(demo_office.folder, runner=InlineRunner())
    state.sign_in(ctx)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    window.show_page("dashboard")
    return window, state, ctx


def _close(window, state, ctx):
    window.pages["proposals"].editors.clear()
    state.ctx = None
    ctx.close()


def test_each_card_opens_the_list_it_counts(qtbot, demo_office):
    window, state, ctx = _window(qtbot, demo_office, demo_office.operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        beranda = window.pages["dashboard"]
        proposals = window.pages["proposals"]
        for key in ("draft", "deliberation", "ready", "dinsos", "returned", "done"):
            window.show_page("dashboard")
            card = beranda.cards[key]
            count = int(card.count_label.text())
            qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
            assert window.current_key() == "proposals", key
            qtbot.waitUntil(lambda: proposals.model.rowCount() == count, timeout=3000)
            assert proposals.state_filter.currentText() == card.title_label.text() or key in ("returned",)
        window.show_page("dashboard")
        beranda.queue_card.setFocus()
        qtbot.keyClick(beranda.queue_card, Qt.Key.Key_Return)
        assert window.current_key() == "sync"
    finally:
        _close(window, state, ctx)


def test_the_lurah_sees_their_own_to_dos_and_an_operator_does_not(qtbot, demo_office):
    window, state, ctx = _window(qtbot, demo_office, demo_office.lurah_id, demo.DEMO_LURAH_PASS)
    try:
        beranda = window.pages["dashboard"]
        texts = [beranda.attention.item(i).text() for i in range(beranda.attention.count())]
        assert texts[0].startswith("SPTJM menunggu tanda tangan Anda (1)"), texts
        sptjm_row = next(i for i in beranda.attention_items() if i.data(Qt.ItemDataRole.UserRole)[0] == "proposals")
        assert beranda.overview.lurah.sptjm[0].head_name in sptjm_row.text()
        beranda.attention.itemClicked.emit(sptjm_row)
        assert window.current_key() == "proposals"
        assert beranda.overview.lurah.sptjm[0].id in window.pages["proposals"].editors
        for editor in list(window.pages["proposals"].editors.values()):
            editor.close()
    finally:
        _close(window, state, ctx)

    window, state, ctx = _window(qtbot, demo_office, demo_office.operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        beranda = window.pages["dashboard"]
        assert beranda.overview.lurah is None
        assert not any("SPTJM menunggu" in beranda.attention.item(i).text() for i in range(beranda.attention.count()))
    finally:
        _close(window, state, ctx)


def test_a_batch_waiting_for_the_lurah_names_its_households(qtbot, linked, lurah):
    """The SPTJM route: the batch waits for the Lurah, and Beranda says whose households are in it."""
    from app.services import outbox
    from app.services.lurah_todo import lurah_todos
    from app.ui.pages.dashboard import DashboardPage
    from tests.fakes.sync_world import queue_ready

    queue_ready(linked, 1, 2, route="sptjm")
    outbox.build_batches(linked)
    todos = lurah_todos(lurah)
    assert len(todos.batches) == 1 and len(todos.batches[0].households) == 2
    assert lurah_todos(linked) is None  # the operator's Beranda has none of this
    state = AppState(lurah.folder, runner=InlineRunner())
    state.sign_in(lurah)
    page = DashboardPage(state)
    qtbot.addWidget(page)
    line = next(i.text() for i in page.attention_items() if i.data(Qt.ItemDataRole.UserRole) == ("sync", None))
    assert "2 rumah tangga" in line and todos.batches[0].households[0] in line
    state.ctx = None


def test_a_handover_record_waiting_for_the_lurah_is_on_their_list(qtbot, office, lurah):
    from app.services import handover_report
    from app.services.lurah_todo import lurah_todos
    from app.services.proposal_io import proposal_from_dict
    from app.services.proposals import add_proposal
    from tests.factories import proposal_dict

    summary = add_proposal(office, proposal_from_dict(proposal_dict()))
    _report, record_id = handover_report.hand_over_and_record(
        office, from_operator=office.operator_id, assignments={f"proposal:{summary.id}": None}, notes={})
    (todo,) = lurah_todos(lurah).records
    assert (todo.record_id, todo.from_name, todo.items) == (record_id, office.operator_name, 1)
    state = AppState(lurah.folder, runner=InlineRunner())
    state.sign_in(lurah)
    from app.ui.pages.dashboard import DashboardPage

    page = DashboardPage(state)
    qtbot.addWidget(page)
    line = next(i.text() for i in page.attention_items() if i.data(Qt.ItemDataRole.UserRole) == ("people", None))
    assert office.operator_name in line and "1 pekerjaan" in line
    state.ctx = None
