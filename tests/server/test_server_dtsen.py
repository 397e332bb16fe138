"""DTSEN on the server: a CSV extract stored, published as a snapshot then deltas, served to the office (both backends)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server import dtsen
from app.server.app import create_app
from app.server.cli import main
from app.server.models import AuditEntry, DtsenFamily, DtsenRelease
from app.sync.canonical import b64url_decode
from app.sync.dtsen import DtsenRefused, open_package

HEADER = "dtsen_id,no_kk,desil,programmes,nik,name\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


KK1, KK2, KK3 = "3575031009000001", "3575031009000002", "3575031009000003"
ROWS = [f"D-1,{KK1},2,PKH;BPNT,3575031009000101,Siti Aminah",
        f"D-1,{KK1},2,PKH;BPNT,3575031009000102,Budi Santoso",
        f"D-2,{KK2},6,,3575031009000201,Wati"]


def _open(ctx, kel, data, version=0, previous=None):
    return open_package(data, kel.feed_token, office_id=kel.office_id, server_public_key=ctx.keys.server_public,
                        current_version=version, current_manifest_hash=previous)


def test_import_then_snapshot_then_delta(ctx, kelurahan, database_url):
    assert dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS)) == 2
    with ctx.reading() as session:
        stored = session.scalars(select(DtsenFamily).where(DtsenFamily.office_id == kelurahan.office_id)
                                 .order_by(DtsenFamily.no_kk)).all()
        assert [json.loads(r.record)["desil"] for r in stored] == [2, 6]
        assert json.loads(stored[0].record)["programmes"] == ["BPNT", "PKH"]
    first = dtsen.publish(ctx, kelurahan.office_id)
    assert (first.version, first.kind, first.families) == (1, "snapshot", 2)
    release = _open(ctx, kelurahan, first.data)
    assert [m.name for m in release.families[0].members] == ["Siti Aminah", "Budi Santoso"]
    # KK2's desil moves, KK1 leaves, KK3 arrives.
    dtsen.import_extract(ctx, kelurahan.office_id,
                         _csv(f"D-2,{KK2},3,PBI-JK,3575031009000201,Wati", f"D-3,{KK3},1,,3575031009000301,Ani"))
    second = dtsen.publish(ctx, kelurahan.office_id)
    assert (second.version, second.kind, second.families, second.removed) == (2, "delta", 2, 1)
    delta = _open(ctx, kelurahan, second.data, 1, release.manifest.digest)
    assert delta.removed == (KK1,) and {f.no_kk: f.desil for f in delta.families} == {KK2: 3, KK3: 1}
    with pytest.raises(dtsen.NothingToPublish):
        dtsen.publish(ctx, kelurahan.office_id)
    with ctx.reading() as session:
        assert session.scalars(select(DtsenRelease.version).where(
            DtsenRelease.office_id == kelurahan.office_id)).all() == [1, 2]
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("dtsen_published") == 2 and actions.count("dtsen_imported") == 2


@pytest.mark.parametrize(("rows", "column"), [
    ([f"D-1,{KK1},11,,3575031009000101,Siti"], "desil"),
    (["D-1,123,2,,3575031009000101,Siti"], "no_kk"),
    ([f"D-1,{KK1},2,KIS,3575031009000101,Siti"], "programmes"),
    ([f"D-1,{KK1},2,,3575031009000101,Siti", f"D-1,{KK1},3,,3575031009000102,Budi"], "dtsen_id/desil/programmes"),
    ([f"D-1,{KK1},2,,3575031009000101,Siti", f"D-2,{KK2},3,,3575031009000101,Budi"], "nik"),
])
def test_a_bad_extract_names_the_line_and_stores_nothing(ctx, kelurahan, database_url, rows, column):
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS))
    with pytest.raises(dtsen.ExtractInvalid) as err:
        dtsen.import_extract(ctx, kelurahan.office_id, _csv(*rows))
    assert err.value.params["column"] == column
    with ctx.reading() as session:
        assert len(session.scalars(select(DtsenFamily)).all()) == 2  # the earlier extract is kept whole


def test_the_feed_serves_the_chain_to_the_feed_token_only(ctx, kelurahan, database_url):
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS))
    dtsen.publish(ctx, kelurahan.office_id)
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS[:2]))
    dtsen.publish(ctx, kelurahan.office_id)
    client = TestClient(create_app(context=ctx))
    url = f"/v1/offices/{kelurahan.office_id}/dtsen"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    auth = {"Authorization": f"Bearer {kelurahan.feed_token}"}
    answer = client.get(url, headers=auth).json()
    assert answer["latest_version"] == 2 and len(answer["packages"]) == 2
    snap = _open(ctx, kelurahan, b64url_decode(answer["packages"][0]))
    delta = _open(ctx, kelurahan, b64url_decode(answer["packages"][1]), 1, snap.manifest.digest)
    assert delta.removed == (KK2,)
    after = client.get(url + "?after=1", headers=auth).json()
    assert len(after["packages"]) == 1
    assert client.get(url + "?after=2", headers=auth).json()["packages"] == []
    # Sealed to this office's token: another office's token opens nothing.
    with pytest.raises(DtsenRefused):
        open_package(b64url_decode(answer["packages"][0]), "another-token", office_id=kelurahan.office_id,
                     server_public_key=ctx.keys.server_public, current_version=0, current_manifest_hash=None)


def test_the_cli_imports_and_publishes(ctx, kelurahan, settings, tmp_path, capsys, database_url):
    csv_file = tmp_path / "extract.csv"
    csv_file.write_bytes(_csv(*ROWS))
    common = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    assert main(["dtsen", "import", *common, "--office", kelurahan.office_id, str(csv_file)]) == 0
    assert json.loads(capsys.readouterr().out)["families"] == 2
    assert main(["dtsen", "publish", *common, "--office", kelurahan.office_id, "--out", str(tmp_path / "usb")]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["kind"] == "snapshot"
    data = (tmp_path / "usb" / f"dtsen-{kelurahan.office_id}-v000001-snapshot.usulkan-dtsen").read_bytes()
    assert _open(ctx, kelurahan, data).version == 1
    csv_file.write_bytes(b"wrong,header\n1,2\n")
    assert main(["dtsen", "import", *common, "--office", kelurahan.office_id, str(csv_file)]) == 1


def test_a_forced_snapshot_lets_a_behind_office_skip_the_deltas_before_it(ctx, kelurahan, database_url):
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS))
    first = _open(ctx, kelurahan, dtsen.publish(ctx, kelurahan.office_id).data)
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS[:2]))
    dtsen.publish(ctx, kelurahan.office_id)  # v2, a delta the office never gets
    assert dtsen.publish(ctx, kelurahan.office_id, snapshot=True).kind == "snapshot"  # v3
    dtsen.import_extract(ctx, kelurahan.office_id, _csv(*ROWS))
    dtsen.publish(ctx, kelurahan.office_id)  # v4, a delta on v3
    feed = dtsen.packages_after(ctx, kelurahan.office_id, 1)
    assert feed["latest_version"] == 4 and len(feed["packages"]) == 2
    v3 = _open(ctx, kelurahan, b64url_decode(feed["packages"][0]), 1, first.manifest.digest)
    assert v3.version == 3 and v3.manifest.kind == "snapshot" and len(v3.families) == 1
    v4 = _open(ctx, kelurahan, b64url_decode(feed["packages"][1]), 3, v3.manifest.digest)
    assert v4.manifest.kind == "delta" and [f.no_kk for f in v4.families] == [KK2]
