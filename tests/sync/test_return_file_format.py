"""The return file format (docs/batch-format.md §15): a pinned vector, and what the reader refuses."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from app.sync.canonical import canonical_bytes
from app.sync.receipt import issue_receipt
from app.sync.return_file import (
    ReturnBundle,
    ReturnFileInvalid,
    feed_token_digest,
    issue_return,
    open_return,
    seal_return,
)
from app.sync.status import StatusReason, issue_status, issue_status_page
from sync_fixtures import NOW, ed25519

OFFICE = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
OTHER = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
BATCH = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
ITEM = "2c3d4e5f-6071-4b8c-9d0e-1f2a3b4c5d6e"
RETURN_ID = "3d4e5f60-7182-4c9d-8e1f-2a3b4c5d6e7f"
TOKEN = "feed-token-of-the-test-office-" + "x" * 20
NONCE = bytes(range(12))
# Pinned: a changed byte means the format changed. Bump format_version, never just repin.
VECTOR_SHA256 = "c71ff21c6bfef339a10ade52c4e1d39989e4441c894ba15c6190adbf528a6533"


def _bundle(server=None, office=OFFICE) -> ReturnBundle:
    server = server or ed25519("server")
    receipt = issue_receipt(server, batch_id=BATCH, office_id=office, sequence=1, batch_hash="a" * 64,
                            accepted_items=[ITEM], received_at=NOW)
    update = issue_status(server, feed_cursor=1, office_id=office, item_id=ITEM, state="returned",
                          decided_by_role="dinsos.verifier", decided_at=NOW, tracking_code="USL-ABCD-2345",
                          reasons=[StatusReason("foto_buram", "Foto rumah buram")])
    page = issue_status_page(server, office_id=office, cursor_from=0, cursor_to=1, updates=[update])
    return issue_return(server, return_id=RETURN_ID, office_id=office, issued_at=NOW, receipts=[receipt],
                        pages=[page])


def test_the_vector_is_stable_and_opens():
    data = seal_return(_bundle(), feed_token_digest(TOKEN), nonce=NONCE)
    assert hashlib.sha256(data).hexdigest() == VECTOR_SHA256
    assert seal_return(_bundle(), feed_token_digest(TOKEN), nonce=NONCE) == data  # deterministic given the nonce
    opened = open_return(data, TOKEN, office_id=OFFICE, server_public_key=ed25519("server").public_key())
    assert opened == _bundle() and opened.cursor_from == 0 and opened.cursor_to == 1
    assert b"Foto rumah" not in data and b"USL-ABCD" not in data


def test_the_reader_refuses_another_office_a_wrong_key_and_a_wrong_token():
    data = seal_return(_bundle(), feed_token_digest(TOKEN))
    server = ed25519("server").public_key()
    for kwargs, reason in (
        ({"feed_token": TOKEN, "office_id": OTHER, "server_public_key": server}, "wrong_office"),
        ({"feed_token": "another token", "office_id": OFFICE, "server_public_key": server}, "damaged"),
        ({"feed_token": TOKEN, "office_id": OFFICE, "server_public_key": ed25519("impostor").public_key()},
         "bad_signature"),
    ):
        with pytest.raises(ReturnFileInvalid) as refused:
            open_return(data, kwargs.pop("feed_token"), **kwargs)
        assert refused.value.reason == reason


def test_a_bundle_carrying_another_office_s_receipt_is_refused():
    mixed = _bundle()
    foreign = _bundle(office=OTHER).receipts[0]
    body = {**dataclasses.replace(mixed, receipts=(foreign,)).to_dict()}
    with pytest.raises(ReturnFileInvalid) as refused:
        ReturnBundle.from_dict(json.loads(canonical_bytes(body)))
    assert refused.value.reason == "wrong_office"


def test_unknown_fields_and_a_newer_version_are_refused():
    obj = json.loads(_bundle().to_bytes())
    for changed in ({**obj, "extra": 1}, {**obj, "format_version": 2}, {k: v for k, v in obj.items() if k != "signature"}):
        with pytest.raises(ReturnFileInvalid) as refused:
            ReturnBundle.from_dict(changed)
        assert refused.value.reason == "bad_format"
    header = json.loads(seal_return(_bundle(), feed_token_digest(TOKEN)))
    with pytest.raises(ReturnFileInvalid):
        open_return(canonical_bytes({**header, "format_version": 2}), TOKEN, office_id=OFFICE,
                    server_public_key=ed25519("server").public_key())
