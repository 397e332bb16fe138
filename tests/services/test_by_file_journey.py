"""The whole loop by file: an office that never touches the network sends, is returned, fixes, resends and
is finalised, with Dinsos working through `usulkan-server import-file` and `return-file` only."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest

from app import i18n
from app.clock import utcnow
from app.domain import workflow
from app.server import review
from app.server.cli import main as server_main
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Item
from app.services import attachments, citizen, outbox, proposals, sync, sync_run
from app.services.return_import import import_return_file
from app.storage.models import Office
from app.sync.return_file import RETURN_SUFFIX
from tests.fakes.by_file import link_by_file, staff_member
from tests.fakes.sync_world import PDF, queue_ready

BLURRY = ("foto_buram", "Foto rumah buram, mohon foto ulang dari depan")


@pytest.fixture
def no_network(monkeypatch):
    """The office side may open no connection at all (Dinsos runs in this process, on its own files)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the office tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class Dinsos:
    """The Dinsos desk: its server folder, opened for a step and closed again, like a person at a PC."""

    def __init__(self, folder):
        self.folder = folder
        self.settings = Settings(data_dir=folder, public_url="")

    @contextmanager
    def desk(self):
        ctx = open_server(self.settings)
        try:
            yield ctx
        finally:
            ctx.close()

    def cli(self, *args: str) -> int:
        return server_main([args[0], "--data-dir", str(self.folder), *args[1:]])

    def item_state(self, item_id: str) -> str:
        with self.desk() as ctx, ctx.reading() as session:
            return session.get(Item, item_id).state


def shown(office, tracking: str):
    """What the counter shows a citizen who brings the tracking code: the state's words and Dinsos's reasons."""
    (status,) = citizen.find_for_citizen(office, tracking)
    label = i18n._(workflow.STATE_LABELS[workflow.State(status.state)])
    return status, label


def carry(office, dinsos: Dinsos, stick, office_id: str) -> None:
    """Batches onto the stick, imported at Dinsos; then Dinsos's return file back into the office."""
    assert dinsos.cli("import-file", str(stick)) == 0
    back = stick / "back"
    back.mkdir(exist_ok=True)
    for old in back.glob(f"*{RETURN_SUFFIX}"):
        old.unlink()
    assert dinsos.cli("return-file", "--office", office_id, "--out", str(back)) == 0
    (path,) = back.glob(f"*{RETURN_SUFFIX}")
    return import_return_file(office, path, now=utcnow())


def test_returned_fixed_resent_and_finalised_entirely_by_files(tmp_path, lurah, office, no_network):
    dinsos = Dinsos(tmp_path / "dinsos")
    stick = tmp_path / "usb"
    with dinsos.desk() as ctx:
        office_id = link_by_file(ctx, lurah, stick)
        vera, kepala = staff_member(ctx, "vera", "verifier"), staff_member(ctx, "kartika", "kepala")
    with office.reading() as session:
        assert session.get(Office, office.office_id).server_url is None

    # 1. The operator queues a proposal and saves the batch on the stick; Dinsos imports it.
    (first,) = queue_ready(office, 31)
    assert len(sync.export_ready(office, stick)) == 1
    with office.reading() as session:
        from app.storage.models import Proposal

        tracking = session.get(Proposal, first).tracking_code
    status, label = shown(office, tracking)
    assert status.state == "queued"
    result = carry(office, dinsos, stick, office_id)
    assert len(result.delivered) == 1 and result.decisions == 0
    status, label = shown(office, tracking)
    assert status.state == "received" and label == "Diterima Dinas Sosial", label
    assert dinsos.item_state(first) == "received"

    # 2. The verifier returns it with a reason; the return file tells the office why.
    with dinsos.desk() as ctx:
        review.decide(ctx, vera, first, "return", [review.Reason(*BLURRY)])
    result = carry(office, dinsos, stick, office_id)
    assert result.decisions == 1 and not result.delivered and result.returned == 1
    status, label = shown(office, tracking)
    assert status.state == "returned" and label.startswith("Dikembalikan")
    assert status.returned_reasons == (BLURRY[1],)
    with office.reading() as session:
        assert session.get(Proposal, first).assigned_to == office.operator_id  # in the operator's own list

    # 3. The operator fixes it (a new version with a new photo, through the muskel again) and resends by file.
    fixed = proposals.new_version(office, first).id
    attachments.attach_to_proposal(office, fixed, kind="house_photo", filename="rumah.jpg", data=_jpeg())
    proposals.apply_action(office, fixed, workflow.Action.SEND_TO_MUSKEL)
    minutes = attachments.attach_to_proposal(office, fixed, kind="muskel_minutes", filename="ba.pdf", data=PDF)
    proposals.apply_action(office, fixed, workflow.Action.RECORD_MUSKEL_DECISION,
                           data={"decision": "eligible", "minutes_attachment_id": minutes.id})
    outbox.queue_proposal(office, fixed)
    for old in stick.glob("*.usulkan-batch"):
        old.unlink()
    assert len(sync.export_ready(office, stick)) == 1
    status, label = shown(office, tracking)
    assert status.proposal_id == fixed and status.state == "queued"
    result = carry(office, dinsos, stick, office_id)
    assert len(result.delivered) == 1
    status, label = shown(office, tracking)
    assert status.proposal_id == fixed and status.state == "received" and status.returned_reasons == ()
    assert dinsos.item_state(fixed) == "received" and dinsos.item_state(first) == "superseded"

    # 4. The verifier verifies; a Kepala OPD, another person, finalises; the return file says so.
    with dinsos.desk() as ctx:
        review.decide(ctx, vera, fixed, "verify")
    result = carry(office, dinsos, stick, office_id)
    assert result.decisions == 1
    assert shown(office, tracking)[0].state == "verified"
    with dinsos.desk() as ctx:
        review.decide(ctx, kepala, fixed, "finalise")
    result = carry(office, dinsos, stick, office_id)
    assert result.decisions == 1
    status, label = shown(office, tracking)
    assert status.state == "finalised" and label == i18n._(workflow.STATE_LABELS[workflow.State.FINALISED])
    assert dinsos.item_state(fixed) == "finalised"

    # Nothing waits, nothing is left to send, and an old return file brought again changes nothing.
    state = sync_run.sync_state(office)
    assert state.items_waiting == 0 and state.to_send == 0 and state.server_url is None
    again = carry(office, dinsos, stick, office_id)
    assert again.nothing_new and shown(office, tracking)[0].state == "finalised"


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 160)).save(out, "JPEG")
    return out.getvalue()
