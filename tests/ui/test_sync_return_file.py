"""The Sending page of an office that works by USB stick: save batches, import Dinsos's return file by clicking."""

from __future__ import annotations

import json

import pytest

from app.server import review
from app.server.cli import import_files
from app.server.return_file import build_return_file
from app.services import sync_run
from app.storage.models import Proposal
from app.ui.pages.sync import SyncPage
from app.ui.qt import Qt
from app.ui.sync_scheduler import SyncScheduler
from app.ui.tasks import InlineRunner
from tests.fakes.by_file import file_only_server, link_by_file, staff_member
from tests.fakes.sync_world import queue_ready


class PickFile:
    """The file dialog's answer (the Prompts test seam)."""

    def __init__(self, path):
        self.path, self.asked = path, []

    def open_file(self, title, filters):
        self.asked.append((title, filters))
        return self.path


@pytest.fixture
def server(tmp_path):
    ctx = file_only_server(tmp_path / "dinsos")
    yield ctx
    ctx.close()


def _state(ctx, proposal_id):
    with ctx.reading() as session:
        return session.get(Proposal, proposal_id).state


def test_an_office_without_a_network_saves_batches_and_imports_the_return_file_by_clicking(
        qtbot, server, lurah, office, app_state, tmp_path):
    stick = tmp_path / "usb"
    office_id = link_by_file(server, lurah, stick)
    app_state.scheduler = SyncScheduler(app_state, transport_factory=lambda url: pytest.fail("no network"),
                                        runner=InlineRunner())
    page = SyncPage(app_state)
    qtbot.addWidget(page)
    (proposal,) = queue_ready(office, 1)
    page.reload()
    # Nothing signed yet, but the queue is enough: saving signs and seals it.
    assert page.to_send_label.text() == "0" and page.export_button.isEnabled() and page.return_button.isEnabled()
    assert "lewat berkas" in page.link_label.text() or "USB" in page.link_label.text()
    page.export_to(stick)
    (batch,) = stick.glob("*.usulkan-batch")
    assert import_files(server, [batch])[0].done

    review.decide(server, staff_member(server, "vera", "verifier"), proposal, "return",
                  [review.Reason("foto_buram", "Foto rumah buram")])
    made = build_return_file(server, office_id)
    path = stick / made.name
    path.write_bytes(made.data)
    page.prompts = PickFile(path)
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert page.prompts.asked and "*.usulkan-return" in page.prompts.asked[0][1]
    assert "1 keputusan dari Dinsos" in page.message.text(), page.message.text()
    assert "1 usulan dikembalikan Dinsos" in page.message.text()
    assert _state(office, proposal) == "returned" and page.delivered_label.text() == "1"

    # The same file again: genuine, nothing new, nothing changed.
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert "tidak ada yang baru" in page.message.text()

    # Someone edits the file on the stick: refused in words, nothing changed.
    doc = json.loads(made.data)
    doc["nonce"] = doc["nonce"][::-1]
    edited = stick / "edited.usulkan-return"
    edited.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True))
    page.prompts = PickFile(edited)
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    text = page.message.text()
    assert "edited.usulkan-return tidak diimpor" in text and "Tidak ada yang diubah" in text, text
    assert _state(office, proposal) == "returned" and sync_run.sync_state(office).bound


def test_the_background_sender_signs_the_queue_of_a_file_only_office_without_any_network(
        qtbot, server, lurah, office, app_state, tmp_path):
    link_by_file(server, lurah, tmp_path / "usb")
    app_state.scheduler = SyncScheduler(app_state, transport_factory=lambda url: pytest.fail("no network"),
                                        runner=InlineRunner())
    page = SyncPage(app_state)
    qtbot.addWidget(page)
    queue_ready(office, 2)
    page.reload()
    assert page.to_send_label.text() == "0"
    app_state.scheduler.send_now()  # the scheduler's round: there is no address, so it only signs
    assert page.to_send_label.text() == "1" and page.waiting_label.text() == "1"
    assert sync_run.sync_state(office).last_error is None  # nothing was tried, nothing failed
