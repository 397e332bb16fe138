"""Linking an office without a network, by the command line only, as real processes on both sides."""

from __future__ import annotations

import json

from tests import factories
from tests.fakes.cli import LURAH, PASS, run, server


def test_link_by_file_from_the_command_line(tmp_path):
    from app.services.office import find_operator, open_office
    from app.storage.sync_models import SyncLink

    folder, srv = tmp_path / "office", tmp_path / "dinsos"
    (tmp_path / "op.txt").write_text(PASS + "\n")
    (tmp_path / "lurah.txt").write_text(LURAH + "\n")
    made = run("office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE,
               "--lurah", "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(tmp_path / "lurah.txt"),
               "--passphrase-file", str(tmp_path / "op.txt"), "--json", data_dir=folder)
    assert made.returncode == 0, made.stderr
    registered = server("register-office", "--data-dir", str(srv), "--name", "Kelurahan Bugul Kidul",
                        "--village", factories.VILLAGE, "--file-only", "--out", str(tmp_path / "doc.json"))
    assert registered.returncode == 0, registered.stderr
    doc = json.loads((tmp_path / "doc.json").read_text())
    assert doc["server_url"] is None and doc["signature"]

    lurah = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    stick = tmp_path / "usb"
    stick.mkdir()
    linked = run("office", "link", str(tmp_path / "doc.json"), "--fingerprint", doc["dinsos_root_fingerprint"],
                 "--request-file", str(stick), *lurah, data_dir=folder)
    assert linked.returncode == 0, linked.stderr
    request = stick / f"usulkan-{doc['office_id']}.usulkan-bind-request"
    assert str(request) in linked.stdout and doc["enrolment_code"] not in request.read_text()

    answered = server("bind-file", "--data-dir", str(srv), str(request))
    assert answered.returncode == 0, answered.stderr
    answer = stick / f"usulkan-{doc['office_id']}.usulkan-bind-answer"
    done = run("office", "link-answer", str(answer), *lurah, data_dir=folder)
    assert done.returncode == 0, done.stderr
    assert "terhubung" in done.stdout.lower() or "linked" in done.stdout.lower()

    ctx = open_office(folder, find_operator(folder, "Bapak Lurah"), LURAH)
    try:
        with ctx.reading() as session:
            link = session.get(SyncLink, 1)
            assert link.bound_at is not None and link.feed_token and link.enrolment_code is None
    finally:
        ctx.close()
    # The request file brought a second time gets the same signed answer, nothing new is bound.
    again = server("bind-file", "--data-dir", str(srv), str(request), "--out", str(tmp_path / "again"))
    assert again.returncode == 0 and (tmp_path / "again").read_bytes() == answer.read_bytes()
