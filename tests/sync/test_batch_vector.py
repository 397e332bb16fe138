"""The fixed batch-v1 and envelope-v1 vectors: rebuilt byte for byte, checked independently, shown in the docs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.sync import keys
from app.sync.batch import PartlySignedBatch, batch_hash, verify_batch
from app.sync.canonical import b64url_decode, parse_time
from app.sync.envelope import open_envelope, read_header
from sync_vector import INPUTS, VECTORS, build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def vector():
    return json.loads((VECTORS / "batch-v1.json").read_text("utf-8"))


def test_the_stored_inputs_are_the_builder_inputs(vector):
    assert vector["inputs"] == INPUTS


def test_rebuilding_gives_the_same_bytes_and_signatures(vector):
    rebuilt = build(vector["inputs"])
    for key, expected in vector["expected"].items():
        assert rebuilt[key] == expected, key


def test_the_vector_checks_out_without_the_library(vector):
    """What a second implementation (the server, another language) would do with standard tools."""
    expected = vector["expected"]
    signed = expected["signed_batch"].encode("utf-8")
    obj = json.loads(signed)
    # Our keys are ASCII, where RFC 8785 ordering is plain sorting; no floats appear.
    assert json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == signed
    signatures = obj.pop("signatures")
    signing = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert signing == expected["signing_bytes"].encode("utf-8")
    assert hashlib.sha256(signing).hexdigest() == expected["signing_bytes_sha256"]

    operator = Ed25519PublicKey.from_public_bytes(b64url_decode(expected["operator_public_key"]))
    authority = Ed25519PublicKey.from_public_bytes(b64url_decode(expected["authority_public_key"]))
    operator.verify(b64url_decode(signatures["operator"]), signing)
    authority.verify(b64url_decode(signatures["lurah"]), signing)
    cert = obj["operator_certificate"]
    cert_signature = b64url_decode(cert.pop("signature"))
    authority.verify(cert_signature, json.dumps(cert, sort_keys=True, separators=(",", ":")).encode())
    for item, digest in zip(obj["items"], expected["payload_hashes"], strict=True):
        payload = json.dumps(item["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(payload.encode()).hexdigest() == digest == item["payload_hash"]
    headers = [{k: v for k, v in item.items() if k != "payload"} for item in obj["items"]]
    items_digest = hashlib.sha256(json.dumps(headers, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert items_digest == expected["items_hash"] == obj["items_hash"]
    assert hashlib.sha256(signed).hexdigest() == expected["batch_hash"]


def test_the_vector_verifies(vector):
    expected = vector["expected"]
    signed = expected["signed_batch"].encode("utf-8")
    verified = verify_batch(
        signed,
        authority_public_key=b64url_decode(expected["authority_public_key"]),
        now=parse_time(vector["inputs"]["batch"]["created_at"]),
        expected_sequence=2,
        expected_prev_hash=vector["inputs"]["batch"]["prev_batch_hash"],
    )
    assert verified.batch_hash == expected["batch_hash"] == batch_hash(PartlySignedBatch.from_bytes(signed))
    partly = PartlySignedBatch.from_bytes(expected["partly_signed_batch"].encode("utf-8"))
    assert partly.needs_countersignature and not partly.is_complete


def test_the_docs_show_the_same_vector(vector):
    docs = (ROOT / "docs" / "batch-format.md").read_text("utf-8")
    expected = vector["expected"]
    for key in ("signed_batch", "operator_signature", "lurah_signature", "batch_hash", "signing_bytes_sha256"):
        assert expected[key] in docs, f"docs/batch-format.md does not show the vector's {key}"


def test_the_envelope_vector_opens_to_the_signed_batch(vector):
    envelope = json.loads((VECTORS / "envelope-v1.json").read_text("utf-8"))
    recipient = keys.x25519_private_from_bytes(bytes.fromhex(envelope["dinsos_x25519_seed"]))
    sealed = bytes.fromhex(envelope["envelope_hex"])
    header = read_header(sealed)
    assert (header.batch_id, header.office_id) == (INPUTS["batch"]["batch_id"], INPUTS["batch"]["office_id"])
    assert open_envelope(sealed, recipient) == vector["expected"]["signed_batch"].encode("utf-8")
