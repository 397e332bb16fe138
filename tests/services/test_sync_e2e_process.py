"""End to end with a real `usulkan-server` process: send, Dinsos returns one, the office fixes and resends,
Dinsos finalises, and the office (and the citizen at the counter) sees the final decision."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

pytest.importorskip("uvicorn")

from app.cli.demo_dinsos import free_port, spawn_server  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.domain import workflow  # noqa: E402
from app.server.auth import add_staff  # noqa: E402
from app.server.config import Settings  # noqa: E402
from app.server.context import open_server  # noqa: E402
from app.server.provisioning import register_office  # noqa: E402
from app.services import attachments, citizen, outbox, proposals, provisioning, sync_run  # noqa: E402
from app.storage.models import Proposal, ProposalTransition  # noqa: E402
from app.sync.transport_http import HttpTransport  # noqa: E402
from tests import factories
from tests.fakes.sync_world import PDF, queue_ready  # noqa: E402

VERIFIER, PASSWORD = "vera", "kata sandi verifikator dinsos"
KEPALA = "kirana"


@pytest.fixture
def dinsos_process(tmp_path):
    """A registered office's provisioning document and a verifier, then the server in its own process."""
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
    yield url, document
    handle.stop()
    assert handle.process.returncode is not None


class Verifier:
    """Dinsos staff working through the review API, as their console does."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        token = self.http.post(f"{url}/v1/review/login", json={"username": VERIFIER, "password": PASSWORD},
                               timeout=20).json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.kepala = requests.Session()
        token = self.kepala.post(f"{url}/v1/review/login", json={"username": KEPALA, "password": PASSWORD},
                                 timeout=20).json()["token"]
        self.kepala.headers["Authorization"] = f"Bearer {token}"

    def decide(self, item_id: str, action: str, reasons=()) -> None:
        http = self.kepala if action == "finalise" else self.http
        answer = http.post(f"{self.url}/v1/review/items/{item_id}/decisions",
                                json={"action": action, "reasons": [{"code": c, "text": t} for c, t in reasons]},
                                timeout=20)
        assert answer.status_code == 200, answer.text

    def state_of(self, item_id: str) -> str:
        return self.http.get(f"{self.url}/v1/review/items/{item_id}", timeout=20).json()["state"]


def _make_ready_again(ctx, proposal_id: str) -> None:
    proposals.apply_action(ctx, proposal_id, workflow.Action.SEND_TO_MUSKEL)
    doc = attachments.attach_to_proposal(ctx, proposal_id, kind="muskel_minutes", filename="ba.pdf", data=PDF)
    proposals.apply_action(ctx, proposal_id, workflow.Action.RECORD_MUSKEL_DECISION,
                           data={"decision": "eligible", "minutes_attachment_id": doc.id})


def test_the_whole_round_trip_against_a_server_process(dinsos_process, office, lurah):
    url, document = dinsos_process
    transport = HttpTransport(url, timeout=(2, 20))
    provisioning.link_office(lurah, document, transport, root_fingerprint=document["dinsos_root_fingerprint"], confirmation=factories.approve(lurah, "link"))

    returned_id, kept_id = queue_ready(office, 71, 72)
    first = sync_run.run_round(office, transport, now=utcnow())
    assert len(first.sent.delivered) == 1 and first.contact

    vera = Verifier(url)
    assert vera.state_of(returned_id) == "received"
    vera.decide(returned_id, "return", [("kk_tidak_terbaca", "Foto KK buram, mohon unggah ulang.")])
    vera.decide(kept_id, "verify")

    second = sync_run.run_round(office, transport, now=utcnow())
    assert second.statuses_applied == 2
    with office.reading() as session:
        back = session.get(Proposal, returned_id)
        assert back.state == "returned" and back.assigned_to == office.operator_id
        reason = session.scalars(select(ProposalTransition.reason).where(
            ProposalTransition.proposal_id == returned_id).order_by(ProposalTransition.id.desc())).first()
        assert "Foto KK buram" in reason
        tracking = back.tracking_code

    # The operator fixes it: a new version, through the muskel again, queued and sent.
    fixed = proposals.new_version(office, returned_id)
    _make_ready_again(office, fixed.id)
    outbox.queue_proposal(office, fixed.id)
    third = sync_run.run_round(office, transport, now=utcnow())
    assert len(third.sent.delivered) == 1
    assert vera.state_of(fixed.id) == "received" and vera.state_of(returned_id) == "superseded"

    vera.decide(fixed.id, "verify")
    vera.decide(fixed.id, "finalise")
    fourth = sync_run.run_round(office, transport, now=utcnow())
    assert fourth.statuses_applied == 2
    with office.reading() as session:
        assert session.get(Proposal, fixed.id).state == "finalised"
        assert session.get(Proposal, kept_id).state == "verified"
    # At the counter the citizen's tracking code now shows the final decision.
    (status,) = citizen.find_for_citizen(office, tracking)
    assert status.proposal_id == fixed.id and status.state == "finalised"
    assert sync_run.sync_state(office).items_waiting == 0
