"""A bind nobody can hijack: a man in the middle, a rewriting proxy, a forged answer, a file bind.

The office talks to the real Dinsos server (uvicorn on loopback) through a proxy that rewrites
what it can. Whatever it does, the office must not say "linked" unless Dinsos registered *its*
authority key, and the server must not register any key but the office's.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.server.config import Settings
from app.server.context import open_server
from app.server.models import AuditEntry, Office as ServerOffice
from app.server.provisioning import register_office
from app.services import keys as office_keys
from app.services import provisioning
from app.storage.models import AuditEntry as OfficeAuditEntry
from app.storage.sync_models import SyncLink
from app.sync import keys
from app.sync.canonical import b64url_decode, b64url_encode, canonical_bytes, parse_time
from app.sync.transport_http import HttpTransport, TransportError
from bench.fault_proxy import serve
from tests.fakes.bind_proxies import AnswerForger, RewritingProxy


class Hijacker:
    """The best a man in the middle can do with what passes by.

    A bind request in clear: steal the enrolment code, bind its own key with it, and tell the
    office "linked" with the office's own fingerprint. A sealed one: it cannot read the code, so it
    seals its own request with a guessed code to the public Dinsos key, and forges a "linked"
    answer signed by its own key, naming the office's key and request.
    """

    def __init__(self, dinsos_x25519_public: bytes):
        self.dinsos_x25519_public = dinsos_x25519_public
        self.key = keys.generate_ed25519()
        self.office_key: bytes | None = None
        self.office_request: bytes | None = None
        self.stolen_code: str | None = None

    def request(self, body: bytes) -> bytes:
        self.office_request = body
        doc = json.loads(body)
        mine = keys.public_bytes(self.key.public_key())
        if "enrolment_code" in doc:  # the request travels in clear
            self.stolen_code = doc["enrolment_code"]
            self.office_key = b64url_decode(doc["authority_public_key"])
            fields = {k: v for k, v in doc.items() if k != "signature"}
            fields["authority_public_key"] = b64url_encode(mine)
            signature = self.key.sign(canonical_bytes(fields))
            return canonical_bytes({**fields, "signature": b64url_encode(signature)})
        from app.sync.bind import make_bind_request

        return make_bind_request(keys.as_signer(self.key), office_id=doc["office_id"],
                                 enrolment_code="AAAAA-BBBBB-CCCCC-DDDDD", feed_token="x" * 43,
                                 signed_at=parse_time("2026-12-03T10:00:00Z"),
                                 dinsos_x25519_public=self.dinsos_x25519_public)

    def answer(self, status: int, body: bytes) -> tuple[int, bytes]:
        if self.stolen_code is not None:
            answer = json.loads(body) if status == 200 else {"office_id": None, "feed_token": "mine"}
            answer["authority_fingerprint"] = keys.fingerprint(self.office_key)
            return 200, json.dumps(answer).encode()
        from app.sync.bind import BindAnswer
        from app.sync.canonical import sha256_hex

        office_id = json.loads(self.office_request)["office_id"]
        # It cannot open the sealed request, but the office's key is public once anything is sent.
        forged = BindAnswer(office_id=office_id, authority_public_key=self.office_key or b"\0" * 32,
                            request_hash=sha256_hex(self.office_request), bound_at=parse_time("2026-12-03T10:00:00Z"),
                            server_key_id=keys.key_id(keys.public_bytes(self.key.public_key())), signature=b"")
        return 200, canonical_bytes({**forged.body(), "signature": self.key.sign(forged.signing_bytes())})


@pytest.fixture
def server(tmp_path):
    ctx = open_server(Settings(data_dir=tmp_path / "dinsos"))
    yield ctx
    ctx.close()


def _linked_at_office(ctx) -> bool:
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        return link is not None and (link.bound_at is not None or link.feed_token is not None)


def _server_office(server, office_id) -> ServerOffice:
    with server.reading() as session:
        return session.get(ServerOffice, office_id)


def _provision(server, lurah_ctx, port: int) -> dict:
    registered = register_office(server, name="Kelurahan Bugul Kidul", village_code="35.75.03.1009")
    doc = registered.document
    provisioning.import_provisioning(lurah_ctx, doc, root_fingerprint=doc["dinsos_root_fingerprint"])
    return doc


def test_bind_through_a_rewriting_proxy_fails_at_the_office_and_leaves_the_server_unbound(server, lurah):
    with serve(server, log_config=None) as port:
        doc = _provision(server, lurah, port)
        hijacker = Hijacker(keys.public_bytes(server.keys.x25519.public_key()))
        hijacker.office_key = office_keys.ensure_authority_key(lurah)
        with RewritingProxy(port, hijacker) as proxy:
            with pytest.raises((provisioning.BindAnswerInvalid, TransportError)):
                provisioning.bind(lurah, HttpTransport(proxy.url, timeout=(2, 10)))
            assert proxy.errors == []

        # The office does not say linked, and has no feed token to show for it.
        assert not _linked_at_office(lurah)
        assert hijacker.stolen_code is None, "the enrolment code crossed the proxy in clear"
        with lurah.reading() as session:
            assert "sync.bind_refused" in session.scalars(select(OfficeAuditEntry.action)).all()
        # Dinsos registered no key at all, and the one-time code still works for the real office.
        office = _server_office(server, doc["office_id"])
        assert office.authority_public_key is None and office.bound_at is None
        assert office.enrolment_code_hash is not None

        # The same request, sent again without the man in the middle, links the office to its own key.
        provisioning.bind(lurah, HttpTransport(f"http://127.0.0.1:{port}", timeout=(2, 10)))
    assert _linked_at_office(lurah)
    assert _server_office(server, doc["office_id"]).authority_public_key == office_keys.ensure_authority_key(lurah)


def _swap_authority(body: bytes) -> bytes:
    doc = json.loads(body)
    doc["authority_public_key"] = b64url_encode(b"\x01" * 32)
    return canonical_bytes(doc)


def _one_signature_character(body: bytes) -> bytes:
    """One character inside the signature changed (never the last: it carries only padding bits)."""
    at = len(body) - 12
    return body[:at] + (b"B" if body[at:at + 1] != b"B" else b"C") + body[at + 1:]


@pytest.mark.parametrize("mangle", [
    _swap_authority,
    _one_signature_character,
    lambda body: b'{"office_id":"x","feed_token":"t","authority_fingerprint":"ab"}',  # the old answer shape
])
def test_an_altered_answer_is_refused_and_resending_the_same_request_heals(server, lurah, mangle):
    with serve(server, log_config=None) as port:
        doc = _provision(server, lurah, port)
        with RewritingProxy(port, AnswerForger(mangle)) as proxy:
            with pytest.raises(provisioning.BindAnswerInvalid):
                provisioning.bind(lurah, HttpTransport(proxy.url, timeout=(2, 10)))
        assert not _linked_at_office(lurah)
        # Dinsos did bind, to the office's own key; the code is spent, but the same sealed request
        # gets the same signed answer, so the office completes the link.
        assert _server_office(server, doc["office_id"]).authority_public_key == office_keys.ensure_authority_key(lurah)
        provisioning.bind(lurah, HttpTransport(f"http://127.0.0.1:{port}", timeout=(2, 10)))
    assert _linked_at_office(lurah)


def test_bind_by_file_links_an_office_without_a_network(server, lurah, tmp_path, capsys):
    from app.server.cli import main
    from app.server.provisioning import office_for_feed_token

    server.settings = Settings(data_dir=server.settings.data_dir, public_url="")
    registered = register_office(server, name="Kelurahan Tanpa Jaringan", village_code="35.75.03.1009")
    doc = registered.document
    assert doc["server_url"] is None
    provisioning.import_provisioning(lurah, doc, root_fingerprint=doc["dinsos_root_fingerprint"])
    stick = tmp_path / "usb"
    stick.mkdir()
    request = provisioning.write_bind_request_file(lurah, stick)
    assert request.name == f"usulkan-{doc['office_id']}.usulkan-bind-request"
    assert (request.stat().st_mode & 0o777) == 0o600
    assert doc["enrolment_code"].encode() not in request.read_bytes()

    server.close()
    assert main(["bind-file", "--data-dir", str(server.settings.data_dir), str(request)]) == 0
    answer = stick / f"usulkan-{doc['office_id']}.usulkan-bind-answer"
    assert f"bound office {doc['office_id']}" in capsys.readouterr().out and answer.exists()

    # An answer someone edited on the stick is refused; the genuine one links the office.
    edited = tmp_path / "edited.usulkan-bind-answer"
    edited.write_bytes(_swap_authority(answer.read_bytes()))
    with pytest.raises(provisioning.BindAnswerInvalid):
        provisioning.import_bind_answer_file(lurah, edited)
    assert not _linked_at_office(lurah)
    provisioning.import_bind_answer_file(lurah, answer)
    assert _linked_at_office(lurah)

    again = open_server(Settings(data_dir=server.settings.data_dir))
    try:
        with lurah.reading() as session:
            token = session.get(SyncLink, 1).feed_token
        with again.reading() as session:
            assert office_for_feed_token(session, doc["office_id"], token) is not None
            office = session.get(ServerOffice, doc["office_id"])
            assert office.authority_public_key == office_keys.ensure_authority_key(lurah)
            assert "office_bound" in session.scalars(select(AuditEntry.action)).all()
    finally:
        again.close()
    # Importing the file a second time is harmless: the office is linked already.
    with pytest.raises(provisioning.AlreadyBound):
        provisioning.import_bind_answer_file(lurah, answer)


def test_the_server_refuses_a_bind_request_it_cannot_open(server, lurah):
    from app.server.provisioning import bind_office
    from app.sync.bind import BindError

    registered = register_office(server, name="K", village_code="35.75.03.1009")
    provisioning.import_provisioning(lurah, registered.document)
    office_id, sealed = provisioning.bind_request(lurah)
    doc = json.loads(sealed)
    flipped = bytearray(b64url_decode(doc["sealed"]))
    flipped[40] ^= 1
    for bad, reason in [
        (canonical_bytes({**doc, "sealed": bytes(flipped)}), "damaged"),
        (canonical_bytes({**doc, "recipient_key_id": "0" * 16}), "not_for_us"),
        (canonical_bytes({**doc, "office_id": "11111111-2222-4333-8444-555555555555"}), "wrong_office"),
        (b"{}", "bad_format"),
        (b" " * 20000, "too_large"),
    ]:
        with pytest.raises(BindError) as refused:
            bind_office(server, office_id, bad)
        assert refused.value.reason == reason
    assert _server_office(server, office_id).authority_public_key is None
