"""The `usulkan-server` commands: register an office, add staff, import a USB file, export."""

from __future__ import annotations

import json

from app.server.cli import main
from app.server.config import Settings
from app.server.context import open_server
from app.server.provisioning import bind_office, sign_bind_request
from app.sync import keys
from server_world import NOW, Kelurahan, nik


def test_register_import_and_export(tmp_path, database_url, capsys):
    common = ["--data-dir", str(tmp_path / "srv"), "--database-url", database_url]
    assert main(["register-office", *common, "--name", "Kelurahan Bugul Kidul", "--village", "35.75.03.1009"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (tmp_path / "pw").write_text("rahasia-dinsos-123\n")
    assert main(["add-staff", *common, "--username", "adi", "--role", "admin", "--password-file",
                 str(tmp_path / "pw")]) == 0

    ctx = open_server(Settings(data_dir=tmp_path / "srv", database_url=database_url))
    authority, operator = keys.generate_ed25519(), keys.generate_ed25519()
    bound = bind_office(ctx, doc["office_id"], sign_bind_request(
        keys.as_signer(authority), office_id=doc["office_id"], enrolment_code=doc["enrolment_code"],
        authority_public_key=keys.public_bytes(authority.public_key()), signed_at=NOW))
    kel = Kelurahan(ctx, doc["office_id"], authority, operator, None, bound.feed_token)
    kel.cert = kel.certify(operator)
    sealed, _, _ = kel.batch(kel.items([nik(1)]))
    ctx.close()
    (tmp_path / "batch.usulkan").write_bytes(sealed)
    (tmp_path / "cut.usulkan").write_bytes(sealed[:100])

    assert main(["import-file", *common, str(tmp_path / "batch.usulkan")]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["import-file", *common, str(tmp_path / "cut.usulkan")]) == 1
    assert "truncated" in capsys.readouterr().err
    assert main(["export", *common, "--format", "csv", "--out", str(tmp_path / "bnba.csv")]) == 0
    assert (tmp_path / "bnba.csv").read_text(encoding="utf-8-sig").startswith("NIK,No. KK,Nama")
