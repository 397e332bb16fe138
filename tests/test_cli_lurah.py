"""`usulkan lurah ...` run as real processes, with `usulkan-server` on the Dinsos side: rotate, a new recovery
code, a re-bind by file while the old Lurah is gone, removing her kept slot, the authenticator code asked."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.services import keys as office_keys
from app.services import lurah, totp
from app.services.office import OperatorInactive, find_operator, open_office, open_office_with_recovery
from app.storage.vault import UnknownOperator, WrongRecoveryCode
from tests import factories
from tests.fakes.cli import run, server

PASS, LURAH, NEW = "sandi operator cli", "sandi lurah cli", "ibu lurah baru menjaga kunci kelurahan"


@pytest.fixture
def linked_office(tmp_path):
    """An office linked to a file-only Dinsos, all by the command line."""
    folder, srv = tmp_path / "office", tmp_path / "dinsos"
    for name, value in (("op.txt", PASS), ("lurah.txt", LURAH), ("new.txt", NEW), ("wrong.txt", "bukan sandi ini")):
        (tmp_path / name).write_text(value + "\n")
    made = run("office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE,
               "--lurah", "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(tmp_path / "lurah.txt"),
               "--passphrase-file", str(tmp_path / "op.txt"), "--json", data_dir=folder)
    assert made.returncode == 0, made.stderr
    assert server("register-office", "--data-dir", str(srv), "--name", "Kelurahan Bugul Kidul", "--village",
                  factories.VILLAGE, "--file-only", "--out", str(tmp_path / "doc.json")).returncode == 0
    doc = json.loads((tmp_path / "doc.json").read_text())
    lurah_opts = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    assert run("office", "link", str(tmp_path / "doc.json"), "--fingerprint", doc["dinsos_root_fingerprint"],
               "--request-file", str(tmp_path), *lurah_opts, data_dir=folder).returncode == 0
    assert server("bind-file", "--data-dir", str(srv), str(tmp_path / f"usulkan-{doc['office_id']}.usulkan-bind-request"),
                  ).returncode == 0
    done = run("office", "link-answer", str(tmp_path / f"usulkan-{doc['office_id']}.usulkan-bind-answer"), *lurah_opts,
               data_dir=folder)
    assert done.returncode == 0, done.stderr
    return folder, srv, doc, json.loads(made.stdout)


def _authority(folder, name, passphrase):
    ctx = open_office(folder, find_operator(folder, name), passphrase)
    try:
        return office_keys.ensure_authority_key(ctx)
    finally:
        ctx.close()


def test_rotate_and_renew_the_recovery_code_from_the_command_line(linked_office, tmp_path):
    folder, _srv, _doc, made = linked_office
    lurah_opts = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    before = _authority(folder, "Bapak Lurah", LURAH)
    # No passphrase on the command line, ever.
    assert run("lurah", "rotate", "--passphrase", LURAH, data_dir=folder).returncode == 2
    # The operator opens the office, but a wrong Lurah passphrase approves nothing (in Indonesian).
    refused = run("lurah", "rotate", "--operator", "Ani", "--passphrase-file", str(tmp_path / "op.txt"),
                  "--lurah-passphrase-file", str(tmp_path / "wrong.txt"), data_dir=folder)
    assert refused.returncode == 1 and "kata sandi" in refused.stderr.lower()
    assert _authority(folder, "Bapak Lurah", LURAH) == before

    rotated = run("lurah", "rotate", *lurah_opts, "--json", data_dir=folder)
    assert rotated.returncode == 0, rotated.stderr
    rotation = json.loads(rotated.stdout)
    assert _authority(folder, "Bapak Lurah", LURAH) != before and rotation["recertified"] == [made["operator_id"]]
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, made["recovery_code"])  # the rotation renewed it too

    renewed = run("lurah", "renew-recovery", *lurah_opts, data_dir=folder)
    assert renewed.returncode == 0, renewed.stderr
    code = renewed.stdout.split("\n\n")[1].strip()
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, rotation["recovery_code"])
    recovered = open_office_with_recovery(folder, code)
    try:
        with recovered.reading() as session:
            office_keys.authority_signer(recovered, session)
    finally:
        recovered.close()


def test_renew_recovery_asks_the_authenticator_code_when_enrolled(linked_office, tmp_path):
    folder, _srv, _doc, made = linked_office
    ctx = open_office(folder, made["lurah_id"], LURAH)
    try:
        pending = totp.start_enrolment(ctx)
        lurah.enrol_totp(ctx, pending, totp.code_at(pending.secret, ctx.clock() - timedelta(seconds=30)),
                         factories.approve(ctx, "totp_enrol", passphrase=LURAH))
        now = ctx.clock()
    finally:
        ctx.close()
    lurah_opts = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    missing = run("lurah", "renew-recovery", *lurah_opts, stdin="", data_dir=folder)
    assert missing.returncode == 1 and "aplikasi autentikator" in missing.stderr.lower(), missing.stderr
    open_office_with_recovery(folder, made["recovery_code"]).close()  # nothing changed
    done = run("lurah", "renew-recovery", *lurah_opts, "--json", stdin=totp.code_at(pending.secret, now) + "\n",
               data_dir=folder)
    assert done.returncode == 0, done.stderr
    open_office_with_recovery(folder, json.loads(done.stdout)["recovery_code"]).close()


def test_rebind_by_file_then_remove_the_kept_slot(linked_office, tmp_path):
    folder, srv, doc, made = linked_office
    issued = server("rebind-code", "--data-dir", str(srv), "--office", doc["office_id"])
    assert issued.returncode == 0, issued.stderr
    (tmp_path / "code.txt").write_text(issued.stdout.strip() + "\n")
    operator = ["--operator", "Ani", "--passphrase-file", str(tmp_path / "op.txt"),
                "--code-file", str(tmp_path / "code.txt")]
    stick = tmp_path / "usb"
    stick.mkdir()
    asked = run("lurah", "rebind-request", "--out", str(stick), "--name", "Ibu Lurah Baru", *operator, data_dir=folder)
    assert asked.returncode == 0, asked.stderr
    request = stick / f"usulkan-{doc['office_id']}.usulkan-rebind-request"
    assert issued.stdout.strip().replace("-", "") not in request.read_text()
    assert server("rebind-file", "--data-dir", str(srv), str(request)).returncode == 0
    answer = stick / f"usulkan-{doc['office_id']}.usulkan-rebind-answer"

    (tmp_path / "bad.txt").write_text("AAAAA-BBBBB-CCCCC-DDDDD\n")
    wrong = run("lurah", "rebind-answer", str(answer), "--operator", "Ani", "--passphrase-file",
                str(tmp_path / "op.txt"), "--code-file", str(tmp_path / "bad.txt"), "--new-passphrase-file",
                str(tmp_path / "new.txt"), data_dir=folder)
    assert wrong.returncode == 1 and "kode" in wrong.stderr.lower()
    tampered = tmp_path / "tampered-answer"
    raw = bytearray(answer.read_bytes())
    raw[len(raw) // 2] ^= 1
    tampered.write_bytes(bytes(raw))
    forged = run("lurah", "rebind-answer", str(tampered), *operator, "--new-passphrase-file", str(tmp_path / "new.txt"),
                 data_dir=folder)
    assert forged.returncode == 1 and forged.stderr.startswith("Kesalahan:"), forged.stderr
    assert "Traceback" not in forged.stderr
    open_office(folder, made["lurah_id"], LURAH).close()  # a forged answer changed nothing
    # Another window has the office open: the old Lurah's slot is kept, for remove-old-slot.
    window = open_office(folder, made["operator_id"], PASS)
    try:
        done = run("lurah", "rebind-answer", str(answer), *operator, "--new-passphrase-file",
                   str(tmp_path / "new.txt"), "--json", data_dir=folder)
    finally:
        window.close()
    assert done.returncode == 0, done.stderr
    rebound = json.loads(done.stdout)
    assert rebound["recertified"] == [made["operator_id"]]
    with pytest.raises(OperatorInactive):
        open_office(folder, made["lurah_id"], LURAH)

    new_opts = ["--operator", "Ibu Lurah Baru", "--passphrase-file", str(tmp_path / "new.txt")]
    wrong_old = run("lurah", "remove-old-slot", "--old", "Ani", *new_opts, data_dir=folder)
    assert wrong_old.returncode == 1 and "Bapak Lurah" in wrong_old.stderr
    removed = run("lurah", "remove-old-slot", *new_opts, data_dir=folder)
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(UnknownOperator):
        open_office(folder, made["lurah_id"], LURAH)
    again = run("lurah", "remove-old-slot", *new_opts, data_dir=folder)
    assert again.returncode == 1 and "slot lama" in again.stderr.lower()
    assert _authority(folder, "Ibu Lurah Baru", NEW)
