"""The editor's attachments list shows a document Dinsos sent back (the walikota's decree) marked as from
Dinsos and read-only, beside the office's own documents; it opens like any other."""

from __future__ import annotations

import os

from app.clock import utcnow
from app.services.dinsos_documents import store_from_dinsos
from app.sync.return_file import ReturnDocument
from app.ui.editor.attachments_panel import AttachmentsPanel
from tests.fakes.sync_world import ready_proposal

SK = b"%PDF-1.5\n" + os.urandom(3000) + b"\n%%EOF\n"


def test_the_decree_from_dinsos_is_listed_marked_and_opens(qtbot, app_state):
    ctx = app_state.ctx
    pid = ready_proposal(ctx, 61)
    doc = ReturnDocument(pid, "decree", "application/pdf", "SK-188.45-9-HK-2026-2026-02-27.pdf", SK)
    assert store_from_dinsos(ctx, [doc], now=utcnow()) == (1, 0)
    panel = AttachmentsPanel(app_state)
    qtbot.addWidget(panel)
    panel.set_proposal(pid)
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=5000)
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    (decree,) = [t for t in texts if "SK Wali Kota" in t]
    assert decree.startswith("SK Wali Kota: SK-188.45-9-HK") and "Dari Dinsos (hanya baca)" in decree
    (own,) = [t for t in texts if t is not decree]
    assert "Dari Dinsos" not in own  # the office's own muskel minutes
    row = texts.index(decree)
    assert "tidak dikirim lagi" in panel.list.item(row).toolTip()
    panel.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: panel._current is not None, timeout=5000)
    assert panel._current[1] == SK
