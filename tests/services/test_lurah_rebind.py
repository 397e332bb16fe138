"""A new Lurah without the old one: Dinsos's one-time code, against a real server on loopback.

Hostile first: a wrong code leaves server and office as they were; a rewriting proxy's answer is
refused at the office; then the real re-bind: the new Lurah signs in, the old one cannot, the
operators' next batch is accepted under the new key and the old key is refused after the boundary.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.server.batch_audit import verify_stored_batches
from app.server.rebind import issue_rebind_code
from app.services import keys as office_keys
from app.services import lurah, lurah_rebind, outbox, provisioning, sync
from app.services.office import OperatorInactive, open_office
from app.storage.lurah_models import LurahChange
from app.storage.models import Operator
from app.storage.vault import UnknownOperator
from app.sync.canonical import b64url_encode, canonical_bytes
from app.sync.transport_http import BatchRefused, HttpTransport
from tests.conftest import LURAH_PASS
from tests.fakes.bind_proxies import AnswerForger, RewritingProxy
from tests.fakes.rebind import link_and_send, server_state
from tests.fakes.sync_world import queue_ready

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def _lurahs(ctx):
    with ctx.reading() as session:
        return session.scalars(select(Operator.name).where(Operator.role == "lurah", Operator.active.is_(True))).all()


def test_a_wrong_code_is_refused_and_server_and_office_stay_as_they_were(server, chief, office, fast_kdf):
    server_ctx, url = server
    office_id, transport = link_and_send(server_ctx, url, chief, office)
    issue_rebind_code(server_ctx, office_id, actor="staff:admin")
    before = server_state(server_ctx, office_id)
    with pytest.raises(BatchRefused) as refused:
        lurah_rebind.rebind(office, transport, "AAAAA-BBBBB-CCCCC-DDDDD", "Ibu Lurah Baru", NEW_PASS, fast_kdf)
    assert refused.value.reason == "rebind_refused"
    assert server_state(server_ctx, office_id) == before
    assert _lurahs(office) == ["Bapak Lurah"]


def _swap_new_key(body: bytes) -> bytes:
    doc = json.loads(body)
    doc["new_authority_public_key"] = b64url_encode(b"\x02" * 32)
    return canonical_bytes(doc)


def test_a_rebind_through_a_rewriting_proxy_fails_at_the_office(server, chief, office, fast_kdf):
    server_ctx, url = server
    office_id, transport = link_and_send(server_ctx, url, chief, office)
    chief.close()  # the old Lurah is gone
    code, _ = issue_rebind_code(server_ctx, office_id, actor="staff:admin")
    port = int(url.rsplit(":", 1)[1])
    with RewritingProxy(port, AnswerForger(_swap_new_key)) as proxy:
        with pytest.raises(provisioning.BindAnswerInvalid):
            lurah_rebind.rebind(office, HttpTransport(proxy.url, timeout=(2, 10)), code, "Ibu Lurah Baru",
                                NEW_PASS, fast_kdf)
    assert _lurahs(office) == ["Bapak Lurah"]  # the office changed nothing on a forged answer
    # The same request without the man in the middle gets Dinsos's stored answer and completes.
    done = lurah_rebind.rebind(office, transport, code, "Ibu Lurah Baru", NEW_PASS, fast_kdf)
    assert _lurahs(office) == ["Ibu Lurah Baru"] and done.boundary == 1


def test_the_new_lurah_takes_office_and_the_operators_carry_on(server, chief, created_office, office, fast_kdf):
    server_ctx, url = server
    folder, created = created_office
    office_id, transport = link_and_send(server_ctx, url, chief, office)
    old_key = office_keys.ensure_authority_key(chief)
    chief.close()
    code, _ = issue_rebind_code(server_ctx, office_id, actor="staff:admin")

    done = lurah_rebind.rebind(office, transport, code, "Ibu Lurah Baru", NEW_PASS, fast_kdf)
    assert done.recertified == (office.operator_id,) and done.boundary == 1
    new_lurah = open_office(folder, done.new_lurah_id, NEW_PASS)
    try:
        assert new_lurah.operator_role == "lurah"
        new_key = office_keys.ensure_authority_key(new_lurah)
        assert new_key != old_key and server_state(server_ctx, office_id)[0] == new_key
        # She approves as the Lurah with her own passphrase; the old one's approves nothing.
        lurah.confirm(new_lurah, NEW_PASS, purpose=lurah.Purpose.ENROL)
        with pytest.raises(Exception):
            lurah.confirm(new_lurah, LURAH_PASS, purpose=lurah.Purpose.ENROL)
    finally:
        new_lurah.close()
    with pytest.raises((UnknownOperator, OperatorInactive)):
        open_office(folder, created.lurah_id, LURAH_PASS)
    # The operator's next batch, under the new certificate, is accepted by the real server.
    queue_ready(office, 72)
    outbox.build_batches(office)
    assert len(sync.send_pending(office, transport, now=utcnow()).delivered) == 1
    with office.reading() as session:
        change = session.scalars(select(LurahChange)).one()
        assert (change.kind, change.state, change.key_blob) == ("rebind", "done", None)
    audit = verify_stored_batches(server_ctx, office_id)
    assert audit.ok and audit.batches == 2


def test_rebind_by_file(server, chief, office, tmp_path, fast_kdf):
    from app.server.rebind import rebind_from_file
    from app import fsutil

    server_ctx, url = server
    office_id, _transport = link_and_send(server_ctx, url, chief, office)
    chief.close()
    code, _ = issue_rebind_code(server_ctx, office_id, actor="staff:admin")
    path = lurah_rebind.write_rebind_request_file(office, tmp_path, code, "Ibu Lurah Baru")
    assert code.replace("-", "").encode() not in path.read_bytes()  # the code never travels in clear
    _, answer = rebind_from_file(server_ctx, path.read_bytes())
    answer_path = tmp_path / "answer"
    fsutil.write_atomic(answer_path, answer)
    with pytest.raises(lurah_rebind.RebindCodeWrong):
        lurah_rebind.import_rebind_answer_file(office, answer_path, "AAAAA-BBBBB-CCCCC-DDDDD", NEW_PASS, fast_kdf)
    done = lurah_rebind.import_rebind_answer_file(office, answer_path, code, NEW_PASS, fast_kdf)
    assert _lurahs(office) == ["Ibu Lurah Baru"] and done.boundary == 1
