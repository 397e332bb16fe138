"""The queue tells one truth: the same count on Beranda, Pengiriman and the status bar; no stale words."""

from __future__ import annotations

import pytest

from app.services import outbox, proposals
from app.ui import settings_store, sync_scheduler
from app.ui.pages.sync import link_text
from app.ui.tasks import InlineRunner
from tests.fakes.sync_world import queue_ready


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def window(qtbot, app_state, dinsos, monkeypatch):
    real = sync_scheduler.SyncScheduler
    monkeypatch.setattr(sync_scheduler, "SyncScheduler",
                        lambda state: real(state, transport_factory=lambda url: dinsos, runner=InlineRunner()))
    from app.ui.main_window import MainWindow

    window = MainWindow(app_state)
    qtbot.addWidget(window)
    window.show()
    return window


def _shown(window) -> tuple[str, str, str]:
    beranda = window.pages["dashboard"].queue_card.count_label.text()
    pengiriman = window.pages["sync"].waiting_label.text()
    return beranda, pengiriman, window.dinsos_label.text()


def test_one_queue_count_everywhere_nothing_counted_twice(qtbot, linked, lurah, window, app_state):
    queue_ready(linked, 1, 2)
    queue_ready(linked, 3, route="sptjm")
    outbox.build_batches(linked)  # the SPTJM batch now waits for the Lurah's countersignature
    revised = queue_ready(linked, 4)[0]
    proposals.new_version(linked, revised)  # revised before it left: its item never goes
    app_state.changed.emit("proposals")  # what any step that queues announces
    window.pages["sync"].reload()
    qtbot.waitUntil(lambda: window.pages["dashboard"].queue_card.count_label.text() == "3", timeout=3000)
    beranda, pengiriman, bar = _shown(window)
    assert (beranda, pengiriman) == ("3", "3")
    assert "3 menunggu" in bar


def test_queueing_in_the_editor_updates_the_status_bar_at_once(qtbot, linked, window, app_state):
    from tests.fakes.sync_world import ready_proposal
    from tests.fakes.editor import editor_for
    from tests.fakes.prompts import Answers
    from app.domain.workflow import Action

    window.scheduler.refresh()
    pid = ready_proposal(linked, 5)
    editor = editor_for(app_state, qtbot, pid, Answers(yes=True))
    assert window.dinsos_label.text() == "Dinsos: belum ada jawaban"
    editor.workflow.buttons[Action.QUEUE].click()
    # No round has run: the count comes from the change itself, not from the next minute's round.
    qtbot.waitUntil(lambda: window.dinsos_label.text() == "Dinsos: belum ada jawaban, 1 menunggu", timeout=3000)
    assert window.scheduler.last.items_waiting == 1


def test_connected_only_while_dinsos_answers_and_no_stale_sending(qtbot, linked, window, app_state, dinsos):
    page = window.pages["sync"]
    queue_ready(linked, 6)
    page.send_now()
    state = window.scheduler.last
    assert "Terhubung" in link_text(state)  # Dinsos answered this round
    assert "Mengirim" not in page.message.text() and "Mengirim" not in window.dinsos_label.text()

    queue_ready(linked, 7)
    dinsos.fail_next = 10
    page.send_now()
    offline = window.scheduler.last
    assert offline.last_error == "unreachable"
    text = link_text(offline)
    assert "Terhubung" not in text and "tidak terhubung" in text
    assert "Mengirim" not in page.message.text()
    assert "offline, 1 menunggu" in window.dinsos_label.text()
    beranda = window.pages["dashboard"]
    beranda.refresh()
    qtbot.waitUntil(lambda: "Tidak terhubung" in beranda.dinsos_card.count_label.text(), timeout=3000)
    assert "terakhir terhubung" in beranda.dinsos_card.count_label.text()  # when it last was, said as the past


def test_a_quiet_round_after_send_now_does_not_leave_sending_standing(qtbot, linked, window):
    page = window.pages["sync"]
    page.send_now()  # nothing queued: Dinsos answers, nothing new
    assert page.message.text() != "Mengirim ..."
    assert "Semua sudah terkirim" in page.message.text()
