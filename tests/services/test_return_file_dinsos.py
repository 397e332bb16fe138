"""Dinsos makes an office's return file from the command line and from the console (staff + CSRF)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.clock import utcnow
from app.server import review
from app.server.cli import main as server_main
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import AuditEntry
from app.services.return_import import import_return_file
from app.sync.return_file import RETURN_SUFFIX
from tests.fakes.by_file import carry_batches, file_only_server, link_by_file, staff_member
from tests.fakes.sync_world import queue_ready
from tests.server.console_helpers import csrf, signed_in


@pytest.fixture
def world(tmp_path, lurah, office):
    server = file_only_server(tmp_path / "dinsos")
    stick = tmp_path / "usb"
    office_id = link_by_file(server, lurah, stick)
    (proposal,) = queue_ready(office, 1)
    carry_batches(server, office, stick)
    verifier = staff_member(server, "vera", "verifier")
    review.decide(server, verifier, proposal, "return", [review.Reason("foto_buram", "Foto rumah buram")])
    yield server, office_id, stick, proposal
    server.close()


def _state(office, proposal_id):
    from app.storage.models import Proposal

    with office.reading() as session:
        return session.get(Proposal, proposal_id).state


def test_the_command_line_writes_the_return_file_onto_the_stick(world, office, tmp_path, capsys):
    server, office_id, stick, proposal = world
    data_dir = server.settings.data_dir
    server.close()
    out = tmp_path / "stick2"
    out.mkdir()
    assert server_main(["return-file", "--data-dir", str(data_dir), "--office", office_id, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    (made,) = out.glob(f"*{RETURN_SUFFIX}")
    assert "1 receipt(s), 1 decision(s), cursor 0..1" in said and str(made) in said
    assert made.stat().st_mode & 0o777 == 0o600
    result = import_return_file(office, made, now=utcnow())
    assert result.decisions == 1 and _state(office, proposal) == "returned"

    # An unknown office is refused in words, nothing written.
    assert server_main(["return-file", "--data-dir", str(data_dir), "--office", "00000000-0000-4000-8000-000000000000",
                        "--out", str(tmp_path / "none")]) == 1
    assert "belum terdaftar" in capsys.readouterr().err and not (tmp_path / "none").exists()
    again = open_server(Settings(data_dir=data_dir, public_url=""))
    try:
        with again.reading() as session:
            assert "return_file_issued" in session.scalars(select(AuditEntry.action)).all()
    finally:
        again.close()


def test_the_console_makes_it_for_a_signed_in_person_only_through_the_form(world, office, tmp_path):
    server, office_id, stick, proposal = world
    client = signed_in(server, "vera")
    page = client.get("/console/offices")
    assert page.status_code == 200 and "Buat berkas balasan" in page.text and f"/console/offices/{office_id}/" in page.text

    forged = client.post(f"/console/offices/{office_id}/return-file", data={"csrf": "x" * 64, "after": "0"})
    assert forged.status_code == 403 and "content-disposition" not in forged.headers
    bad = client.post(f"/console/offices/{office_id}/return-file",
                      data={"csrf": csrf(client, "/console/offices"), "after": "-1"})
    assert bad.status_code == 400 and "bilangan bulat" in bad.text

    answer = client.post(f"/console/offices/{office_id}/return-file",
                         data={"csrf": csrf(client, "/console/offices"), "after": "0"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    name = re.search(r'filename="([^"]+)"', answer.headers["content-disposition"]).group(1)
    assert name.startswith(f"usulkan-{office_id}-") and name.endswith(RETURN_SUFFIX)
    path = tmp_path / name
    path.write_bytes(answer.content)
    assert import_return_file(office, path, now=utcnow()).decisions == 1
    assert _state(office, proposal) == "returned"

    # Signed out: no file, the sign-in page.
    anonymous = TestClient(client.app)
    refused = anonymous.post(f"/console/offices/{office_id}/return-file", data={"csrf": "x", "after": "0"},
                             follow_redirects=False)
    assert refused.status_code in (303, 401) and not refused.content.startswith(b'{"format"')
