"""The DTSEN reference in the office: packages from a real Dinsos server by file and over HTTP, what changed,
the lookup and the suggested route; every hostile package refused with nothing changed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.clock import utcnow
from app.server import dtsen as server_dtsen
from app.server.app import create_app
from app.services import dtsen
from app.storage.dtsen_models import DtsenFamily, DtsenMember, DtsenPreviousFamily, DtsenState
from app.storage.models import AuditEntry
from app.sync.canonical import canonical_bytes
from app.sync.dtsen import DtsenRefused
from tests.fakes.by_file import file_only_server, link_by_file

HEADER = "dtsen_id,no_kk,desil,programmes,nik,name\n"
KK1, KK2, KK3 = "3575031009000001", "3575031009000002", "3575031009000003"
NIK_BUDI = "3575031009000102"
FIRST = [f"D-1,{KK1},2,PKH;BPNT,3575031009000101,Siti Aminah", f"D-1,{KK1},2,PKH;BPNT,{NIK_BUDI},Budi Santoso",
         f"D-2,{KK2},6,,3575031009000201,Wati"]
SECOND = [f"D-2,{KK2},3,PBI-JK,3575031009000201,Wati", f"D-3,{KK3},1,,3575031009000301,Ani"]


def _csv(rows) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


@pytest.fixture
def server(tmp_path):
    ctx = file_only_server(tmp_path / "dinsos")
    yield ctx
    ctx.close()


@pytest.fixture
def linked(server, lurah, tmp_path):  # noqa: F811
    return link_by_file(server, lurah, tmp_path / "usb")


def _publish(server, office_id, rows, folder, **kwargs):
    server_dtsen.import_extract(server, office_id, _csv(rows))
    made = server_dtsen.publish(server, office_id, **kwargs)
    folder.mkdir(exist_ok=True)
    path = folder / made.name
    path.write_bytes(made.data)
    return path


def everything(ctx) -> dict:
    with ctx.reading() as session:
        state = session.get(DtsenState, 1)
        return {
            "state": None if state is None else (state.version, state.manifest_hash),
            "families": session.execute(select(DtsenFamily.no_kk, DtsenFamily.desil)).all(),
            "previous": session.execute(select(DtsenPreviousFamily.no_kk)).all(),
            "members": session.scalar(select(func.count()).select_from(DtsenMember)),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def test_snapshot_then_delta_by_file_lookup_changes_and_route(server, office, linked, tmp_path):
    stick = tmp_path / "usb"
    first = _publish(server, linked, FIRST, stick)
    report = dtsen.import_files(office, [first], now=utcnow())
    assert report.versions == [1] and not report.expired
    assert dtsen.changes(office) == []  # nothing to compare a first snapshot with
    by_nik = dtsen.lookup(office, NIK_BUDI)
    assert by_nik.no_kk == KK1 and by_nik.matched_by == "nik" and by_nik.desil == 2
    assert by_nik.programmes == ("BPNT", "PKH") and by_nik.dtsen_id == "D-1"
    assert dict(by_nik.members)[NIK_BUDI] == "Budi Santoso"
    assert dtsen.lookup(office, "3575 0310 0900 0002").desil == 6
    assert dtsen.lookup(office, "9999999999999999") is None and dtsen.lookup(office, "12") is None

    second = _publish(server, linked, SECOND, stick)
    assert dtsen.import_files(office, [second], now=utcnow()).versions == [2]
    seen = {(c.no_kk, c.change, c.old_desil, c.new_desil) for c in dtsen.changes(office)}
    assert seen == {(KK3, "new", None, 1), (KK1, "left", 2, None), (KK2, "desil", 6, 3)}
    assert dtsen.lookup(office, NIK_BUDI) is None  # the family left the registry
    assert dtsen.status(office).version == 2 and dtsen.status(office).families == 2

    assert dtsen.max_desil(office) == 4
    assert dtsen.route(dtsen.lookup(office, KK2), 4).kind.value == "baru"
    dtsen.set_max_desil(office, 2)
    advice = dtsen.route(dtsen.lookup(office, KK2), dtsen.max_desil(office))
    assert advice.kind.value == "pembaruan" and "Desil 3" in advice.text
    with pytest.raises(dtsen.ThresholdInvalid):
        dtsen.set_max_desil(office, 11)


def test_a_whole_stick_applies_in_order_and_skips_what_the_office_has(server, office, linked, tmp_path):
    stick = tmp_path / "usb"
    paths = [_publish(server, linked, FIRST, stick), _publish(server, linked, SECOND, stick)]
    assert dtsen.import_files(office, list(reversed(paths)), now=utcnow()).versions == [1, 2]
    again = dtsen.import_files(office, paths + [_publish(server, linked, FIRST, stick)], now=utcnow())
    assert again.versions == [3] and again.skipped == 2


@pytest.mark.parametrize("attack", ["replayed", "rolled_back", "gapped", "tampered", "wrong_office",
                                    "wrong_previous"])
def test_hostile_packages_are_refused_in_indonesian_and_change_nothing(server, office, linked, tmp_path, attack):
    stick, elsewhere = tmp_path / "usb", tmp_path / "other"
    v1 = _publish(server, linked, FIRST, stick)
    v2 = _publish(server, linked, SECOND, stick)
    dtsen.import_files(office, [v1, v2], now=utcnow())
    if attack == "replayed":
        bad, reason, words = v2, "replay", "sudah ada"
    elif attack == "rolled_back":
        bad, reason, words = v1, "rollback", "lebih lama"
    elif attack == "gapped":
        _publish(server, linked, FIRST, elsewhere)  # v3 never reaches the office
        bad, reason, words = _publish(server, linked, SECOND, elsewhere), "gap", "tidak dimiliki"
    elif attack == "tampered":
        obj = json.loads(_publish(server, linked, FIRST, elsewhere).read_bytes())
        obj["manifest"]["version"] = 9
        bad = tmp_path / "tampered.usulkan-dtsen"
        bad.write_bytes(canonical_bytes(obj))
        reason, words = "bad_signature", "tidak ditandatangani"
    elif attack == "wrong_office":
        from bench.server_world import enrol

        other = enrol(server, "b").office_id
        bad, reason, words = _publish(server, other, FIRST, elsewhere), "wrong_office", "kelurahan lain"
    else:
        # Dinsos's own key, the right chain position, but naming a manifest the office never had.
        from datetime import timedelta

        from app.sync.dtsen import file_entries, issue_manifest, payload_files, seal_package
        from app.sync.return_file import feed_token_digest
        from app.storage.sync_models import SyncLink

        files = payload_files("delta", [], [KK2])
        manifest = issue_manifest(server.keys.server, office_id=linked, version=3, kind="delta", base_version=2,
                                  previous_manifest_hash="e" * 64, issued_at=utcnow(),
                                  expires_at=utcnow() + timedelta(days=9), families=0, files=file_entries(files))
        with office.reading() as session:
            token = session.get(SyncLink, 1).feed_token
        bad = tmp_path / "forged.usulkan-dtsen"
        bad.write_bytes(seal_package(manifest, files, feed_token_digest(token)))
        reason, words = "wrong_previous", "tidak menyambung"
    before = everything(office)
    with pytest.raises(DtsenRefused) as err:
        dtsen.import_files(office, [bad], now=utcnow())
    assert err.value.reason == reason and words in err.value.message()
    assert everything(office) == before


class _Http:
    """The office's transport calls, answered by the real server app in-process."""

    def __init__(self, server):
        self.client = TestClient(create_app(context=server))

    def get_dtsen(self, office_id, after, token):
        return self.client.get(f"/v1/offices/{office_id}/dtsen", params={"after": after},
                               headers={"Authorization": f"Bearer {token}"}).json()


def test_over_the_network_only_what_is_newer_arrives(server, office, linked):
    transport = _Http(server)
    assert dtsen.pull(office, transport, now=utcnow()).versions == []
    server_dtsen.import_extract(server, linked, _csv(FIRST))
    server_dtsen.publish(server, linked)
    server_dtsen.import_extract(server, linked, _csv(SECOND))
    server_dtsen.publish(server, linked)
    assert dtsen.pull(office, transport, now=utcnow()).versions == [1, 2]
    assert dtsen.pull(office, transport, now=utcnow()).versions == []  # nothing newer: nothing changes
    assert dtsen.lookup(office, KK3).desil == 1


def test_a_huge_file_is_refused_before_it_is_read_whole(server, office, linked, tmp_path, monkeypatch):
    from app.services import dtsen as service
    from app.sync import dtsen as fmt

    monkeypatch.setattr(service, "MAX_PACKAGE_BYTES", 1024)
    monkeypatch.setattr(fmt, "MAX_PACKAGE_BYTES", 1024)
    huge = tmp_path / "huge.usulkan-dtsen"
    huge.write_bytes(b"{" + b" " * 4096)
    before = everything(office)
    with pytest.raises(DtsenRefused) as err:
        dtsen.import_files(office, [huge], now=utcnow())
    assert err.value.reason == "too_large" and "terlalu besar" in err.value.message()
    assert everything(office) == before


def test_a_long_chain_arrives_page_by_page(server, office, linked, monkeypatch):
    monkeypatch.setattr(server_dtsen, "FEED_PAGE", 2)
    transport = _Http(server)
    for n in range(5):
        rows = FIRST if n % 2 == 0 else SECOND
        server_dtsen.import_extract(server, linked, _csv(rows))
        server_dtsen.publish(server, linked)
    real = transport.get_dtsen
    answers = []

    def counted(office_id, after, token):
        answer = real(office_id, after, token)
        answers.append((after, len(answer["packages"]), answer["more"]))
        return answer

    transport.get_dtsen = counted
    assert dtsen.pull(office, transport, now=utcnow()).versions == [1, 2, 3, 4, 5]
    assert answers == [(0, 2, True), (2, 2, True), (4, 1, False)]
