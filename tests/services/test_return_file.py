"""Dinsos's return file: receipts and decisions reach an office that works by USB stick, checked like HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.server import review
from app.server.models import Office as ServerOffice
from app.server.return_file import build_return_file
from app.services import sync_run
from app.services.citizen import find_for_citizen
from app.services.return_import import import_return_file
from app.storage.models import AuditEntry, Proposal
from app.storage.sync_models import OutboxBatch, StatusRecord, SyncLink
from app.sync import keys
from app.sync.canonical import b64url_decode, b64url_encode, canonical_bytes, parse_canonical
from app.sync.return_file import (
    MAX_RETURN_FILE_BYTES,
    ReturnBundle,
    ReturnFileInvalid,
    feed_token_digest,
    issue_return,
    open_return,
    seal_return,
)
from app.sync.status import StatusPage
from tests.fakes.by_file import carry_batches, carry_return_file, file_only_server, link_by_file, staff_member
from tests.fakes.sync_world import queue_ready

BLURRY = review.Reason("foto_buram", "Foto rumah buram, mohon foto ulang")


@pytest.fixture
def server(tmp_path):
    ctx = file_only_server(tmp_path / "dinsos")
    yield ctx
    ctx.close()


@pytest.fixture
def world(server, lurah, office, tmp_path):
    """A file-only office with two proposals at Dinsos (receipts not yet back), one returned with a reason."""
    stick = tmp_path / "usb"
    office_id = link_by_file(server, lurah, stick)
    first, second = queue_ready(office, 1, 2)
    carry_batches(server, office, stick)
    verifier = staff_member(server, "vera", "verifier")
    review.decide(server, verifier, first, "return", [BLURRY])
    return {"office_id": office_id, "stick": stick, "returned": first, "other": second}


def snapshot(ctx) -> dict:
    """Everything a return file may change at the office."""
    with ctx.reading() as session:
        return {
            "states": dict(session.execute(select(Proposal.id, Proposal.state)).all()),
            "batches": dict(session.execute(select(OutboxBatch.batch_id, OutboxBatch.state)).all()),
            "cursor": session.get(SyncLink, 1).status_cursor,
            "statuses": session.scalar(select(func.count()).select_from(StatusRecord)),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def state_of(ctx, proposal_id: str) -> str:
    with ctx.reading() as session:
        return session.get(Proposal, proposal_id).state


def test_receipts_and_decisions_arrive_and_an_old_file_brought_again_changes_nothing(server, office, world):
    result = carry_return_file(server, office, world["stick"])
    assert len(result.delivered) == 1 and result.decisions == 1 and result.cursor == 1
    assert state_of(office, world["returned"]) == "returned" and state_of(office, world["other"]) == "received"
    with office.reading() as session:
        code = session.get(Proposal, world["returned"]).tracking_code
        assert session.get(StatusRecord, 1).state == "returned"
    shown = find_for_citizen(office, code)[0]
    assert shown.state == "returned" and shown.returned_reasons == (BLURRY.text,)
    assert sync_run.sync_state(office).items_waiting == 0

    before = snapshot(office)
    again = carry_return_file(server, office, world["stick"])
    assert again.nothing_new and snapshot(office) == before
    # A file made before anything was decided, brought late, changes nothing either.
    old = sorted(world["stick"].glob("*.usulkan-return"))[0]
    assert import_return_file(office, old, now=utcnow()).nothing_new and snapshot(office) == before


def test_a_file_made_from_a_later_cursor_than_the_office_has_is_refused(server, office, world):
    made = build_return_file(server, world["office_id"], after=1)
    path = world["stick"] / made.name
    path.write_bytes(made.data)
    before = snapshot(office)
    with pytest.raises(ReturnFileInvalid) as refused:
        import_return_file(office, path, now=utcnow())
    assert refused.value.reason == "gap" and "belum" in refused.value.message().lower()
    assert snapshot(office) == before


def _token_digest(server, office_id: str) -> str:
    with server.reading() as session:
        return session.get(ServerOffice, office_id).feed_token_hash


def _refused(office, path, reason: str) -> str:
    before = snapshot(office)
    with pytest.raises(ReturnFileInvalid) as refused:
        import_return_file(office, path, now=utcnow())
    assert refused.value.reason == reason
    assert snapshot(office) == before, "a refused return file changed something"
    return refused.value.message()


def test_another_office_s_file_is_refused_and_cannot_be_relabelled(server, office, world, tmp_path):
    from app.server.provisioning import register_office

    other = register_office(server, name="Kelurahan Lain", village_code="35.75.03.1009").office_id
    with server.transaction() as session:  # bound with its own feed token, as its own office would
        session.get(ServerOffice, other).feed_token_hash = feed_token_digest("t" * 43)
    review_free = build_return_file(server, other)
    theirs = tmp_path / "theirs.usulkan-return"
    theirs.write_bytes(review_free.data)
    message = _refused(office, theirs, "wrong_office")
    assert message.startswith("Berkas balasan ini untuk kelurahan lain")

    relabelled = json.loads(review_free.data)
    relabelled["office_id"] = world["office_id"]
    theirs.write_bytes(canonical_bytes(relabelled))
    assert "rusak" in _refused(office, theirs, "damaged")


def test_a_tampered_cut_or_foreign_signed_file_is_refused_and_nothing_changes(server, office, world, tmp_path):
    made = build_return_file(server, world["office_id"])
    path = tmp_path / "x.usulkan-return"
    doc = json.loads(made.data)
    sealed = bytearray(b64url_decode(doc["sealed"]))
    sealed[len(sealed) // 2] ^= 1
    path.write_bytes(canonical_bytes({**doc, "sealed": bytes(sealed)}))
    _refused(office, path, "damaged")

    path.write_bytes(made.data[: len(made.data) // 2])
    _refused(office, path, "bad_format")

    # Signed by a key that is not the Dinsos server key this office pinned, sealed for this office.
    genuine = open_return(made.data, _office_token(office), office_id=world["office_id"],
                          server_public_key=server.keys.server.public_key_bytes)
    forged = issue_return(keys.generate_ed25519(), return_id=genuine.return_id, office_id=genuine.office_id,
                          issued_at=genuine.issued_at, receipts=genuine.receipts, pages=genuine.pages)
    digest = _token_digest(server, world["office_id"])
    path.write_bytes(seal_return(forged, digest))
    assert "tidak ditandatangani" in _refused(office, path, "bad_signature")

    # No signature at all.
    unsigned = _seal_plain(genuine.body(), digest, world["office_id"])
    path.write_bytes(unsigned)
    _refused(office, path, "bad_format")

    # The genuine file still works afterwards.
    path.write_bytes(made.data)
    assert import_return_file(office, path, now=utcnow()).decisions == 1


def test_a_huge_file_is_refused_without_reading_it_whole(office, world, tmp_path):
    path = tmp_path / "big.usulkan-return"
    with open(path, "wb") as fh:
        fh.truncate(MAX_RETURN_FILE_BYTES + 1)
    _refused(office, path, "too_large")


def _office_token(ctx) -> str:
    with ctx.reading() as session:
        return session.get(SyncLink, 1).feed_token


def _seal_plain(body: dict, digest: str, office_id: str) -> bytes:
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from app.sync.return_file import _header, file_key

    nonce = os.urandom(12)
    header = _header(office_id)
    sealed = AESGCM(file_key(digest, office_id)).encrypt(nonce, canonical_bytes(body), canonical_bytes(header))
    return canonical_bytes({**header, "nonce": nonce, "sealed": sealed})


def test_the_format_round_trips_and_refuses_pages_that_skip(server, world):
    made = build_return_file(server, world["office_id"])
    with server.reading() as session:
        digest = session.get(ServerOffice, world["office_id"]).feed_token_hash
    assert digest and b64url_encode  # the server stores only the token's digest, and that suffices
    doc = json.loads(made.data)
    assert set(doc) == {"format", "format_version", "office_id", "nonce", "sealed"}
    assert doc["format"] == "usulkan-return-file" and b"Foto rumah" not in made.data  # encrypted
    page = StatusPage.from_dict(parse_canonical(review.status_page(server, world["office_id"], 0), where="p"))
    body = {"format": "usulkan-return", "format_version": 1, "return_id": "2b0b9a3c-5d8e-4f1a-9c7b-6e5d4c3b2a19",
            "office_id": world["office_id"], "issued_at": "2026-01-01T00:00:00Z", "receipts": [],
            "pages": [page.to_dict(), page.to_dict()], "server_key_id": "x" * 16, "signature": b"\0" * 64}
    with pytest.raises(ReturnFileInvalid) as refused:
        ReturnBundle.from_dict(parse_canonical(canonical_bytes(body), where="r"))
    assert refused.value.reason == "bad_format"
