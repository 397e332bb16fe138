"""An operator's day through the real main window, against a real `usulkan-server` process on loopback.

Every step under test is taken by the widgets a person uses (qtbot clicks and typing, the modal
questions answered by pressing their buttons); the only stand-in is the operating system's file
chooser, which answers with a file this test wrote. The assertions are on the far side: what the
server stored and decided, and what the office's screens show.
"""

from __future__ import annotations

import pytest
import requests

pytest.importorskip("uvicorn")

from app.cli.demo_dinsos import free_port, spawn_server  # noqa: E402
from app.server.auth import add_staff  # noqa: E402
from app.server.config import Settings  # noqa: E402
from app.server.context import open_server  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import provisioning  # noqa: E402
from app.services.office import open_office  # noqa: E402
from app.sync.transport_http import HttpTransport  # noqa: E402
from app.ui import settings_store  # noqa: E402
from app.ui.qt import QApplication, QFileDialog, QImage, QMessageBox, QColor, Qt, QTimer  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import LURAH_PASS, OPERATOR_PASS  # noqa: E402

VERIFIER, PASSWORD = "vera", "kata sandi verifikator dinsos"
KEPALA = "kirana"
KK = "3575031203150004"
# (NIK, name, sex, birth place, birth date as on the KK, relationship, mother's name)
MEMBERS = [
    ("3575034708850003", "SITI AMINAH", "P", "PASURUAN", "07-08-1985", "kepala_keluarga", "FATIMAH"),
    ("3575035501100002", "DEWI LESTARI", "P", "PASURUAN", "15-01-2010", "anak", "SITI AMINAH"),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _own_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


def _start_and_link(tmp_path, created_office):
    """The Dinsos server in its own process, and the office linked to it by its Lurah beforehand."""
    folder = tmp_path / "dinsos"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ctx = open_server(Settings(data_dir=folder, public_url=url))
    add_staff(ctx, username=VERIFIER, password=PASSWORD, role="verifier")
    # Four eyes: the Kepala OPD finalises what the verifier verified.
    add_staff(ctx, username=KEPALA, password=PASSWORD, role="kepala")
    document = register_office(ctx, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009").document
    ctx.close()
    handle = spawn_server(folder, port)
    office_folder, created = created_office
    lurah = open_office(office_folder, created.lurah_id, LURAH_PASS)
    try:
        provisioning.link_office(lurah, document, HttpTransport(url, timeout=(2, 20)),
                                 root_fingerprint=document["dinsos_root_fingerprint"],
                                 confirmation=factories.approve(lurah, "link"))
    except BaseException:
        handle.stop()
        raise
    finally:
        lurah.close()
    return handle, url, folder


@pytest.fixture
def dinsos(tmp_path, created_office):
    handle, url, folder = _start_and_link(tmp_path, created_office)
    yield Dinsos(url, folder)
    handle.stop()


@pytest.fixture
def dinsos_by_usb(tmp_path, created_office):
    """Linked once over the network; from then on the office cannot reach the server (the data dir is Dinsos's)."""
    handle, _url, folder = _start_and_link(tmp_path, created_office)
    handle.stop()
    return folder


class Dinsos:
    """Dinsos staff working through the review API, as their console does."""

    def __init__(self, url: str, folder):
        self.url, self.folder = url, folder
        self.http = requests.Session()
        token = self.http.post(f"{url}/v1/review/login", json={"username": VERIFIER, "password": PASSWORD},
                               timeout=20).json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.kepala = requests.Session()
        token = self.kepala.post(f"{url}/v1/review/login", json={"username": KEPALA, "password": PASSWORD},
                                 timeout=20).json()["token"]
        self.kepala.headers["Authorization"] = f"Bearer {token}"

    def item(self, item_id: str) -> dict | None:
        answer = self.http.get(f"{self.url}/v1/review/items/{item_id}", timeout=20)
        return answer.json() if answer.status_code == 200 else None

    def decide(self, item_id: str, action: str, reasons=()) -> None:
        http = self.kepala if action == "finalise" else self.http
        answer = http.post(f"{self.url}/v1/review/items/{item_id}/decisions",
                                json={"action": action, "reasons": [{"code": c, "text": t} for c, t in reasons]},
                                timeout=20)
        assert answer.status_code == 200, answer.text


class Modals:
    """Answers the modal questions as a person does: reads them, presses the named button.

    ``expect(button_text)`` queues an answer; each message box that opens takes the next one
    (its title and text are kept in ``seen``). A box nobody expected is refused with Cancel/Escape and
    recorded in ``unexpected``, so a journey never hangs on a question it did not foresee.
    """

    def __init__(self):
        self.answers: list[str] = []
        self.seen: list[tuple[str, str]] = []
        self.unexpected: list[tuple[str, str]] = []
        self.approved: set[int] = set()
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def expect(self, *buttons: str) -> None:
        self.answers.extend(buttons)

    def expect_approval(self, passphrase: str) -> None:
        """The Lurah's approval dialog: she reads it, types her passphrase and presses its OK."""
        self.answers.append(("approve", passphrase))

    def _approve(self, dialog) -> None:
        from PySide6.QtTest import QTest

        from app.ui.qt import QLabel

        if id(dialog) in self.approved:
            return
        self.approved.add(id(dialog))
        shown = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
        if dialog.table is not None:
            shown += [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())
                      for c in range(dialog.table.columnCount()) if dialog.table.item(r, c) is not None]
        self.seen.append((dialog.windowTitle(), " | ".join(shown)))
        if not self.answers or not isinstance(self.answers[0], tuple):
            self.unexpected.append((dialog.windowTitle(), " | ".join(shown)))
            dialog.reject()
            return
        _kind, passphrase = self.answers.pop(0)
        QTest.keyClicks(dialog.fields.passphrase, passphrase)
        dialog.ok.click()

    def _look(self) -> None:
        from app.ui.lurah_approval import LurahApprovalDialog

        box = QApplication.activeModalWidget()
        if isinstance(box, LurahApprovalDialog) and box.isVisible():
            self._approve(box)
            return
        if not isinstance(box, QMessageBox) or not box.isVisible():
            return
        self.seen.append((box.windowTitle(), box.text()))
        if not self.answers or isinstance(self.answers[0], tuple):
            self.unexpected.append((box.windowTitle(), box.text()))
            box.reject()
            return
        wanted = self.answers.pop(0)
        for button in box.buttons():
            if button.text().replace("&", "") == wanted:
                button.click()
                return
        self.unexpected.append((box.windowTitle(), f"{box.text()} [no button {wanted!r}]"))
        box.reject()


@pytest.fixture
def modals(qapp):
    watcher = Modals()
    yield watcher
    watcher.timer.stop()


@pytest.fixture
def files(monkeypatch, tmp_path):
    """The system's file chooser: it answers with the file the test put in ``files.next``."""

    class Chooser:
        next: list = []

    chooser = Chooser()
    chooser.next = []

    def pick(*_args, **_kwargs):
        path = chooser.next.pop(0)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    return chooser


def house_photo(path):
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#a0522d"))
    assert image.save(str(path), "JPEG")
    return path


def sign_in(qtbot, folder, name: str, passphrase: str):
    """The sign-in dialog: choose the name, type the passphrase, press Masuk; then the main window."""
    from app.ui.main_window import MainWindow
    from app.ui.signin import SignInDialog
    from app.ui.state import AppState
    from app.ui.tasks import TaskRunner

    state = AppState(folder, TaskRunner())
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.operator.count() > 0, timeout=10_000)
    dialog.operator.setCurrentIndex(dialog.operator.findText(name, Qt.MatchFlag.MatchContains))
    qtbot.keyClicks(dialog.passphrase, passphrase)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ctx is not None, timeout=20_000)
    state.sign_in(dialog.ctx)
    window = MainWindow(state)
    window.show()
    window.start_background()
    return state, window


@pytest.fixture
def windows():
    """Main windows opened by a journey, closed (signing out, stopping the sender) at its end."""
    opened = []
    yield opened
    for window in opened:
        if window.state.ctx is not None:
            window.close()


def click(qtbot, widget):
    assert widget.isEnabled(), f"{widget.text() if hasattr(widget, 'text') else widget} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_cell(qtbot, table, row: int, column: int, text: str) -> None:
    """Double-click the cell, type, press Enter: the cell editor commits the text."""
    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    from app.ui.qt import QLineEdit

    editors = [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert len(editors) == 1, editors
    editor = editors[0]
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2000)


def type_new_household(qtbot, editor) -> None:
    from app.ui.editor.members_table import FIELD_COLUMN

    for name, text in (("kk_number", KK), ("address", "JL. PAHLAWAN NO. 12"), ("rt", "3"), ("rw", "2")):
        qtbot.keyClicks(editor.household.inputs[name], text)
    table = editor.members.table
    for row, (nik, name, sex, place, born, relation, mother) in enumerate(MEMBERS):
        if row >= table.rowCount():
            click(qtbot, editor.members.add_button)
        for field, text in (("nik", nik), ("name", name), ("birth_place", place), ("birth_date", born),
                            ("mother_name", mother)):
            type_cell(qtbot, table, row, FIELD_COLUMN[field], text)
        for field, value in (("sex", sex), ("relationship", relation)):
            combo = table.cellWidget(row, FIELD_COLUMN[field])
            combo.setCurrentIndex(combo.findData(value))
    editor.tabs.setCurrentIndex(1)
    click(qtbot, editor.kind.programmes["pkh"])
    editor.kind.desil.setCurrentIndex(editor.kind.desil.findData(2))
    editor.tabs.setCurrentIndex(0)


def proposals_page_text(qtbot, window, tracking: str) -> str:
    """The row of the Usulan list holding ``tracking``, as the operator reads it."""
    window.show_page("proposals")
    model = window.pages["proposals"].model

    def row_text():
        for row in range(model.rowCount()):
            cells = [model.data(model.index(row, c)) or "" for c in range(model.columnCount())]
            if any(tracking in str(c) for c in cells):
                return " | ".join(str(c) for c in cells)
        return ""

    qtbot.waitUntil(lambda: bool(row_text()), timeout=5000)
    return row_text()


def button_named(panel, text: str):
    from app.ui.qt import QPushButton

    found = [b for b in panel.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert found, f"no button {text!r} among {[b.text() for b in panel.findChildren(QPushButton)]}"
    return found[0]


def record_muskel_and_queue(qtbot, window, modals, files, tmp_path) -> None:
    """The Musyawarah page: the household is listed, its decision chosen, recorded with the minutes, queued."""
    from app.i18n import _

    window.show_page("muskel")
    muskel = window.pages["muskel"]
    qtbot.waitUntil(lambda: len(muskel.summaries) == 1, timeout=5000)
    assert any("SITI AMINAH" in (muskel.table.item(0, c).text() if muskel.table.item(0, c) else "")
               for c in range(muskel.table.columnCount()))
    muskel.set_decision(0, "eligible")
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(PDF)
    files.next.append(minutes)
    first = len(modals.seen)
    modals.expect(_("Record"), _("Put in the send queue"), "OK")
    click(qtbot, muskel.record_button)
    qtbot.waitUntil(lambda: len(modals.seen) >= first + 3 or bool(modals.unexpected), timeout=15_000)
    assert not modals.unexpected, modals.unexpected
    assert _("Queued") == modals.seen[first + 2][0]



def deliver_new_household(qtbot, folder, dinsos, modals, files, windows, tmp_path):
    """Journey 1, step by step; returns (state, window, proposal id, tracking code)."""
    from app.i18n import _
    from app.ui.editor.attachments_panel import KIND_LABELS

    state, window = sign_in(qtbot, folder, "Ani Operator", OPERATOR_PASS)
    windows.append(window)
    assert window.current_key() == "dashboard"

    # Usulan: Ctrl+N opens an empty form; the operator types the household and saves with Ctrl+S.
    window.show_page("proposals")
    page = window.pages["proposals"]
    click(qtbot, page.new_button)
    editor = page.current_editor
    qtbot.waitUntil(lambda: editor.isVisible() and editor.members.table.rowCount() == 1, timeout=5000)
    type_new_household(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=10_000)
    proposal_id = editor.proposal_id
    tracking = editor.detail.proposal.tracking_code
    assert editor.detail.proposal.household.kk_number == KK
    assert [m.name for m in editor.detail.proposal.household.members] == [m[1] for m in MEMBERS]

    # The house photo, on the Dokumen tab.
    editor.tabs.setCurrentWidget(editor.attachments)
    panel = editor.attachments
    panel.kind.setCurrentIndex(panel.kind.findData("house_photo"))
    files.next.append(house_photo(tmp_path / "rumah.jpg"))
    click(qtbot, panel.add_button)
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=5000)
    assert panel.list.item(0).text().startswith(_(KIND_LABELS["house_photo"]) + ": rumah.jpg")

    # To the muskel from the editor's workflow row.
    from app.domain.workflow import Action
    qtbot.waitUntil(lambda: Action.SEND_TO_MUSKEL in editor.workflow.buttons
                    and editor.workflow.buttons[Action.SEND_TO_MUSKEL].isEnabled(), timeout=5000)
    click(qtbot, editor.workflow.buttons[Action.SEND_TO_MUSKEL])
    qtbot.waitUntil(lambda: editor.detail.proposal.state == "muskel", timeout=5000)
    editor.close()

    record_muskel_and_queue(qtbot, window, modals, files, tmp_path)

    # The scheduler sends it on its own (no "Kirim sekarang"): the server holds it, with its photo.
    qtbot.waitUntil(lambda: dinsos.item(proposal_id) is not None, timeout=30_000)
    item = dinsos.item(proposal_id)
    assert item["state"] == "received"
    payload = item["payload"]
    text = repr(payload)
    assert KK in text and "SITI AMINAH" in text and "DEWI LESTARI" in text and tracking in text
    assert item["route"] == "muskel" if "route" in item else True
    # The documents stay in the office (the batch carries the household, docs/batch-format.md): the photo
    # and the minutes are kept with the proposal that was sent.
    from app.services.attachments import list_attachments
    kinds = sorted(a.kind for a in list_attachments(state.ctx, proposal_id))
    assert kinds == ["house_photo", "muskel_minutes"]

    # And the office says so: nothing waiting, the proposal Terkirim.
    from app.services import sync_run
    from app.services.proposals import get_proposal
    qtbot.waitUntil(lambda: window.scheduler.last is not None and window.scheduler.last.items_waiting == 0
                    and not window.scheduler.running, timeout=10_000)
    assert sync_run.sync_state(state.ctx).items_waiting == 0
    assert get_proposal(state.ctx, proposal_id).proposal.state == "received"  # the server's receipt is in
    # The list shows it as received, and the status bar does not claim anything is still waiting.
    from app.domain.workflow import state_label
    proposals_page_text(qtbot, window, tracking)
    qtbot.waitUntil(lambda: state_label("received") in proposals_page_text(qtbot, window, tracking), timeout=3000)
    assert window.dinsos_label.text() and "Mengirim" not in window.dinsos_label.text()
    return state, window, proposal_id, tracking


def test_journey_1_a_new_household_typed_in_the_window_reaches_the_dinsos(
    qtbot, created_office, dinsos, modals, files, windows, tmp_path
):
    folder, _created = created_office
    deliver_new_household(qtbot, folder, dinsos, modals, files, windows, tmp_path)


REASON_CODE, REASON_TEXT = "foto_rumah_buram", "Foto rumah buram, mohon foto ulang dari depan rumah."


def send_now(qtbot, window) -> None:
    """Pengiriman: press "Kirim sekarang" once no round is in flight, and wait for that round to end."""
    window.show_page("sync")
    page = window.pages["sync"]
    qtbot.waitUntil(lambda: not window.scheduler.running and page.send_button.isEnabled(), timeout=30_000)
    ended = []
    window.scheduler.round_finished.connect(ended.append)
    try:
        click(qtbot, page.send_button)
        assert window.scheduler.running
        qtbot.waitUntil(lambda: bool(ended) and not window.scheduler.running, timeout=30_000)
    finally:
        window.scheduler.round_finished.disconnect(ended.append)


def counter_cards(qtbot, window, nik: str) -> list[str]:
    """Loket: type the citizen's NIK, press Enter; the text of each result card."""
    from app.ui.qt import QLabel

    window.show_page("counter")
    counter = window.pages["counter"]
    counter.search.clear()
    qtbot.keyClicks(counter.search, nik)
    qtbot.keyClick(counter.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(counter.cards), timeout=5000)
    return [" ".join(label.text() for label in card.findChildren(QLabel)) for card in counter.cards]


def test_journey_2_returned_with_a_reason_fixed_in_a_new_version_and_finalised(
    qtbot, created_office, dinsos, modals, files, windows, tmp_path
):
    from app.domain.workflow import Action, state_label
    from app.i18n import _
    from app.ui.editor.attachments_panel import KIND_LABELS

    folder, _created = created_office
    state, window, first_id, tracking = deliver_new_household(qtbot, folder, dinsos, modals, files, windows, tmp_path)
    head_nik = MEMBERS[0][0]

    # Dinsos returns it with a reason (its review API); the office hears it at the next round.
    dinsos.decide(first_id, "return", [(REASON_CODE, REASON_TEXT)])
    send_now(qtbot, window)

    # Beranda: the returned proposal is listed with Dinsos's words, never the code.
    window.show_page("dashboard")
    dashboard = window.pages["dashboard"]
    qtbot.waitUntil(lambda: any(REASON_TEXT in i.text() for i in dashboard.attention_items()), timeout=5000)
    row = next(i for i in dashboard.attention_items() if REASON_TEXT in i.text())
    # (That the raw code "(foto_rumah_buram)" is not shown beside it is pr9's part of issue #9.)

    # Loket: the citizen's NIK shows the return and why.
    (card,) = counter_cards(qtbot, window, head_nik)
    assert state_label("returned") in card and REASON_TEXT in card

    # The operator opens it from Beranda (Enter on the row): the editor says why Dinsos returned it.
    window.show_page("dashboard")
    dashboard.attention.setCurrentItem(row)
    dashboard.attention.itemActivated.emit(row)
    page = window.pages["proposals"]
    qtbot.waitUntil(lambda: page.current_editor is not None and page.current_editor.detail is not None, timeout=5000)
    editor = page.current_editor
    assert editor.detail.proposal.state == "returned"
    qtbot.waitUntil(lambda: editor.workflow.reasons.isVisible(), timeout=5000)
    assert REASON_TEXT in " ".join(r.text for r in editor.workflow.reasons.reasons)

    # A new version: it still says why version 1 came back, shows version 1's history and its documents.
    click(qtbot, editor.workflow.buttons[Action.REVISE])
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.proposal.version == 2, timeout=5000)
    second_id = editor.proposal_id
    assert second_id != first_id and editor.detail.proposal.state == "draft"
    qtbot.waitUntil(lambda: editor.workflow.reasons.isVisible(), timeout=5000)
    assert REASON_TEXT in " ".join(r.text for r in editor.workflow.reasons.reasons)
    history = [" | ".join(editor.history.topLevelItem(i).text(c) for c in range(5))
               for i in range(editor.history.topLevelItemCount())]
    assert any(REASON_TEXT in line for line in history), history
    assert any(state_label("received") in line for line in history), history  # version 1's own steps
    panel = editor.attachments
    qtbot.waitUntil(lambda: panel.list.count() >= 1, timeout=5000)
    listed = [panel.list.item(i).text() for i in range(panel.list.count())]
    # The house photo still counts (a new one is added beside it); the old muskel minutes do not:
    # this version goes to the muskel again.
    assert any(t.startswith(_(KIND_LABELS["house_photo"]) + ": rumah.jpg") for t in listed), listed
    assert not any(t.startswith(_(KIND_LABELS["muskel_minutes"])) for t in listed), listed

    # The fix: a new photo of the house, then the muskel again, queued, and sent by the scheduler.
    editor.tabs.setCurrentWidget(panel)
    panel.kind.setCurrentIndex(panel.kind.findData("house_photo"))
    files.next.append(house_photo(tmp_path / "rumah-depan.jpg"))
    click(qtbot, panel.add_button)
    qtbot.waitUntil(lambda: any("rumah-depan.jpg" in panel.list.item(i).text() for i in range(panel.list.count())),
                    timeout=5000)
    qtbot.waitUntil(lambda: Action.SEND_TO_MUSKEL in editor.workflow.buttons
                    and editor.workflow.buttons[Action.SEND_TO_MUSKEL].isEnabled(), timeout=5000)
    click(qtbot, editor.workflow.buttons[Action.SEND_TO_MUSKEL])
    qtbot.waitUntil(lambda: editor.detail.proposal.state == "muskel", timeout=5000)
    editor.close()
    record_muskel_and_queue(qtbot, window, modals, files, tmp_path)
    qtbot.waitUntil(lambda: dinsos.item(second_id) is not None, timeout=30_000)
    assert dinsos.item(second_id)["state"] == "received"
    assert dinsos.item(first_id)["state"] == "superseded"

    # Dinsos verifies and finalises; the office pulls the decisions; the counter tells the citizen.
    dinsos.decide(second_id, "verify")
    dinsos.decide(second_id, "finalise")
    send_now(qtbot, window)
    cards = counter_cards(qtbot, window, head_nik)
    assert len(cards) == 1, cards  # the citizen hears about the proposal once, in its latest version
    assert state_label("finalised") in cards[0] and tracking in cards[0]
    assert REASON_TEXT not in cards[0]  # the old return no longer applies


def type_and_save_household(qtbot, window):
    """Usulan -> New proposal: type the household, Ctrl+S; the editor once saved."""
    window.show_page("proposals")
    page = window.pages["proposals"]
    click(qtbot, page.new_button)
    editor = page.current_editor
    qtbot.waitUntil(lambda: editor.isVisible() and editor.members.table.rowCount() == 1, timeout=5000)
    type_new_household(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.detail is not None, timeout=10_000)
    return editor


def open_by_tracking_code(qtbot, window, tracking: str):
    """Usulan: type the tracking code in the search box and press Enter; it opens."""
    window.show_page("proposals")
    page = window.pages["proposals"]
    page.search.clear()
    qtbot.keyClicks(page.search, tracking)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current_editor is not None and page.current_editor.detail is not None
                    and page.current_editor.detail.proposal.tracking_code == tracking, timeout=5000)
    return page.current_editor


def test_journey_3_the_sptjm_route_the_lurah_records_and_countersigns(
    qtbot, created_office, dinsos, modals, files, windows, tmp_path
):
    from app.domain.workflow import Action
    from app.i18n import _
    from tests.conftest import LURAH_PASS

    folder, _created = created_office
    # The operator types the household and asks the Lurah for an SPTJM, then signs out.
    state, window = sign_in(qtbot, folder, "Ani Operator", OPERATOR_PASS)
    windows.append(window)
    editor = type_and_save_household(qtbot, window)
    proposal_id, tracking = editor.proposal_id, editor.detail.proposal.tracking_code
    qtbot.waitUntil(lambda: Action.SEND_TO_SPTJM in editor.workflow.buttons
                    and editor.workflow.buttons[Action.SEND_TO_SPTJM].isEnabled(), timeout=5000)
    assert Action.RECORD_SPTJM not in editor.workflow.buttons
    click(qtbot, editor.workflow.buttons[Action.SEND_TO_SPTJM])
    qtbot.waitUntil(lambda: editor.detail.proposal.state == "sptjm", timeout=5000)
    # Offered at the operator's desk too: it takes the Lurah's passphrase typed there (issue 10).
    assert Action.RECORD_SPTJM in editor.workflow.buttons
    editor.close()
    window.close()
    assert state.ctx is None

    # The Lurah signs in on the same PC, opens it by its code, records the signed SPTJM and queues it.
    state, window = sign_in(qtbot, folder, "Bapak Lurah", LURAH_PASS)
    windows.append(window)
    editor = open_by_tracking_code(qtbot, window, tracking)
    assert editor.detail.proposal.state == "sptjm"
    sptjm = tmp_path / "sptjm-ditandatangani.pdf"
    sptjm.write_bytes(PDF)
    files.next.append(sptjm)
    # The Lurah approves the SPTJM with her passphrase typed now; recorded, the editor offers the
    # usual next step at once: the send queue (through the outbox).
    modals.expect_approval(LURAH_PASS)
    modals.expect(_("Put in the send queue"))
    click(qtbot, editor.workflow.buttons[Action.RECORD_SPTJM])
    qtbot.waitUntil(lambda: editor.detail.proposal.state == "queued" or bool(modals.unexpected), timeout=5000)
    assert not modals.unexpected, modals.unexpected
    editor.close()
    # Signed in, the Lurah holds no operator certificate: the sender cannot sign a batch in this session.
    qtbot.wait(500)
    assert dinsos.item(proposal_id) is None
    window.close()

    # The operator's next session signs it into a batch that waits for the Lurah; nothing leaves yet.
    state, window = sign_in(qtbot, folder, "Ani Operator", OPERATOR_PASS)
    windows.append(window)
    window.show_page("sync")
    qtbot.waitUntil(lambda: window.pages["sync"].countersign_button.isEnabled(), timeout=20_000)
    assert window.pages["sync"].awaiting_label.text() == "1"
    assert dinsos.item(proposal_id) is None
    window.close()

    # The Lurah signs in again and countersigns on Pengiriman.
    state, window = sign_in(qtbot, folder, "Bapak Lurah", LURAH_PASS)
    windows.append(window)
    window.show_page("sync")
    sync_page = window.pages["sync"]
    qtbot.waitUntil(lambda: sync_page.countersign_button.isEnabled(), timeout=10_000)
    seen_before = len(modals.seen)
    modals.expect_approval(LURAH_PASS)
    click(qtbot, sync_page.countersign_button)
    qtbot.waitUntil(lambda: len(modals.seen) > seen_before, timeout=5000)
    countersign_question = modals.seen[seen_before][1]

    # Countersigned, it goes with the next round on its own; Dinsos holds it, on the SPTJM route.
    qtbot.waitUntil(lambda: dinsos.item(proposal_id) is not None, timeout=30_000)
    item = dinsos.item(proposal_id)
    assert item["state"] == "received"
    assert item.get("route", "sptjm") == "sptjm", item
    assert "SITI AMINAH" in repr(item["payload"])
    qtbot.waitUntil(lambda: not sync_page.countersign_button.isEnabled(), timeout=5000)

    # What the Lurah vouched for: the households in the batch, by name, before signing.
    assert not modals.unexpected, modals.unexpected
    assert "SITI AMINAH" in countersign_question and KK in countersign_question, countersign_question


def test_journey_4_the_same_journey_by_usb_file(qtbot, created_office, dinsos_by_usb, modals, files, windows,
                                                tmp_path, monkeypatch):
    import subprocess
    import sys

    from app.domain.workflow import Action, state_label
    from app.server import review
    from app.services.proposals import get_proposal

    folder, _created = created_office
    state, window = sign_in(qtbot, folder, "Ani Operator", OPERATOR_PASS)
    windows.append(window)
    editor = type_and_save_household(qtbot, window)
    proposal_id, tracking = editor.proposal_id, editor.detail.proposal.tracking_code
    qtbot.waitUntil(lambda: Action.SEND_TO_MUSKEL in editor.workflow.buttons
                    and editor.workflow.buttons[Action.SEND_TO_MUSKEL].isEnabled(), timeout=5000)
    click(qtbot, editor.workflow.buttons[Action.SEND_TO_MUSKEL])
    qtbot.waitUntil(lambda: editor.detail.proposal.state == "muskel", timeout=5000)
    editor.close()
    record_muskel_and_queue(qtbot, window, modals, files, tmp_path)

    # No network: the sender signs the batch and keeps it; Pengiriman offers the USB stick.
    window.show_page("sync")
    page = window.pages["sync"]
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=20_000)
    stick = tmp_path / "usb"
    stick.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: str(stick)))
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: str(stick) in page.message.text(), timeout=5000)
    batch_files = sorted(stick.iterdir())
    assert batch_files
    assert get_proposal(state.ctx, proposal_id).proposal.state == "queued"

    # At Dinsos: `usulkan-server import-file` reads the stick and writes the receipt files beside the batches.
    done = subprocess.run([sys.executable, "-m", "app.server", "import-file", "--data-dir", str(dinsos_by_usb),
                           *map(str, batch_files)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    receipts = sorted(set(stick.iterdir()) - set(batch_files))
    assert receipts, done.stdout

    # Back at the office: "Baca file tanda terima" takes them; the proposal is received by Dinsos.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *_a, **_k: ([str(p) for p in receipts], "")))
    click(qtbot, page.receipt_button)
    qtbot.waitUntil(lambda: get_proposal(state.ctx, proposal_id).proposal.state == "received", timeout=5000)
    qtbot.waitUntil(lambda: "1" in page.message.text(), timeout=5000)
    qtbot.waitUntil(lambda: state_label("received") in proposals_page_text(qtbot, window, tracking), timeout=3000)
    qtbot.waitUntil(lambda: window.scheduler.last is not None and window.scheduler.last.items_waiting == 0,
                    timeout=5000)

    # And Dinsos holds it: the item in its database, as its console would show it.
    ctx = open_server(Settings(data_dir=dinsos_by_usb))
    try:
        item = review.item_detail(ctx, proposal_id)
    finally:
        ctx.close()
    assert item["state"] == "received" and KK in repr(item["payload"]) and "SITI AMINAH" in repr(item["payload"])
