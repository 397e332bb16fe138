"""Builds the batch-v1 test vector from its inputs; run as a script only when the format changes on purpose.

    .venv/bin/python tests/sync/sync_vector.py   # rewrites tests/sync/vectors/*.json

A change to the expected bytes is a format change: bump schema_version and update docs/batch-format.md.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

VECTORS = Path(__file__).resolve().parent / "vectors"

INPUTS = {
    "authority_seed": "01" * 32,
    "operator_seed": "02" * 32,
    "dinsos_x25519_seed": "03" * 32,
    "certificate": {
        "cert_id": "3f1c7a52-8e0b-4d2a-9c61-0b5e2f7d4a10",
        "office_id": "6b0f4c2e-1d3a-4e5b-8f70-9a1b2c3d4e5f",
        "operator_id": "a4d2e8f1-7b3c-4a5d-9e6f-1c2b3a4d5e6f",
        "name": "Ani Operator",
        "role": "operator",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00Z",
        "issued_at": "2026-01-01T00:00:00Z",
    },
    "batch": {
        "batch_id": "c9e1f0a2-5b4d-4c3e-8a7f-6e5d4c3b2a19",
        "office_id": "6b0f4c2e-1d3a-4e5b-8f70-9a1b2c3d4e5f",
        "sequence": 2,
        "prev_batch_hash": "5f1d0c2a4b3e6d7c8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
        "created_at": "2026-03-02T03:04:05Z",
    },
    "items": [
        {
            "item_id": "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a",
            "item_type": "proposal",
            "version": 1,
            "base_id": None,
            "route": "sptjm",
            "payload": {
                "kind": "baru",
                "programme": "pkh",
                "desil": 1,
                "household": {
                    "kk_number": "3575030101900001",
                    "address": "Jl. Kenari No. 5 \u2014 RT 001/RW 002",
                    "members": [{"nik": "3575034507890001", "name": "Siti Aminah", "relation": "kepala"}],
                },
            },
        },
        {
            "item_id": "1e2d3c4b-5a69-4788-9a6b-5c4d3e2f1a0b",
            "item_type": "proposal",
            "version": 2,
            "base_id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
            "route": "muskel",
            "payload": {"kind": "pembaruan", "variables": {"lantai": "tanah", "dinding": "bambu"}, "note": "caf\u00e9"},
        },
        {
            "item_id": "2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b",
            "item_type": "complaint",
            "version": 1,
            "base_id": None,
            "route": None,
            "payload": {"channel": "loket", "text": "Bantuan belum diterima sejak Januari."},
        },
    ],
}


def _time(text: str) -> datetime:
    from app.sync.canonical import parse_time

    return parse_time(text)


def build(inputs: dict) -> dict:
    """Every output of the vector, computed from ``inputs`` with the library under test."""
    from app.sync import keys
    from app.sync.batch import BatchItem, build_batch
    from app.sync.canonical import b64url_encode, sha256_hex
    from app.sync.certificates import issue_certificate

    authority = keys.ed25519_private_from_bytes(bytes.fromhex(inputs["authority_seed"]))
    operator = keys.ed25519_private_from_bytes(bytes.fromhex(inputs["operator_seed"]))
    c = inputs["certificate"]
    cert = issue_certificate(
        authority,
        **{k: c[k] for k in ("cert_id", "office_id", "operator_id", "name", "role")},
        public_key=keys.public_bytes(operator.public_key()),
        **{k: _time(c[k]) for k in ("valid_from", "valid_until", "issued_at")},
    )
    items = [
        BatchItem.create(**{k: item[k] for k in ("item_id", "item_type", "version", "base_id", "route", "payload")})
        for item in inputs["items"]
    ]
    b = inputs["batch"]
    unsigned = build_batch(
        office_id=b["office_id"],
        sequence=b["sequence"],
        prev_batch_hash=b["prev_batch_hash"],
        operator_certificate=cert,
        items=items,
        created_at=_time(b["created_at"]),
        batch_id=b["batch_id"],
    )
    partly = unsigned.sign_operator(operator)
    signed = partly.countersign(authority)
    return {
        "authority_public_key": b64url_encode(keys.public_bytes(authority.public_key())),
        "operator_public_key": b64url_encode(keys.public_bytes(operator.public_key())),
        "certificate_signing_bytes": cert.signing_bytes().decode("utf-8"),
        "certificate_signature": b64url_encode(cert.signature),
        "payload_hashes": [item.payload_hash for item in unsigned.items],
        "items_hash": unsigned.items_hash,
        "signing_bytes": unsigned.signing_bytes.decode("utf-8"),
        "signing_bytes_sha256": sha256_hex(unsigned.signing_bytes),
        "operator_signature": b64url_encode(signed.operator_signature),
        "lurah_signature": b64url_encode(signed.lurah_signature),
        "partly_signed_batch": partly.to_bytes().decode("utf-8"),
        "signed_batch": signed.to_bytes().decode("utf-8"),
        "batch_hash": sha256_hex(signed.to_bytes()),
    }


def _write() -> None:
    from app.sync import keys
    from app.sync.envelope import seal

    expected = build(INPUTS)
    batch_vector = {
        "description": "usulkan-batch schema_version 1: inputs, and the exact bytes and signatures they give. "
        "Text fields hold UTF-8 canonical JSON byte for byte.",
        "inputs": INPUTS,
        "expected": expected,
    }
    (VECTORS / "batch-v1.json").write_text(json.dumps(batch_vector, indent=2, ensure_ascii=False) + "\n", "utf-8")

    # HPKE encryption is randomised, so this vector is one sealing kept as a decryption test.
    recipient = keys.x25519_private_from_bytes(bytes.fromhex(INPUTS["dinsos_x25519_seed"]))
    sealed = seal(
        expected["signed_batch"].encode("utf-8"),
        recipient.public_key(),
        batch_id=INPUTS["batch"]["batch_id"],
        office_id=INPUTS["batch"]["office_id"],
    )
    envelope_vector = {
        "description": "USLKBAT1 envelope sealing batch-v1's signed_batch to the key from dinsos_x25519_seed.",
        "dinsos_x25519_seed": INPUTS["dinsos_x25519_seed"],
        "envelope_hex": sealed.hex(),
        "plaintext_sha256": expected["batch_hash"],
    }
    (VECTORS / "envelope-v1.json").write_text(json.dumps(envelope_vector, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    _write()
