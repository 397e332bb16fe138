"""Every sync error has an Indonesian message with its values, and a str() without them."""

from __future__ import annotations

import pytest

from app import i18n
from app.sync import errors

PARAMS = {
    "field": "batch.items[3].payload_hash",
    "index": 4,
    "sequence": 918273,
    "expected": 918270,
    "limit": "payload_bytes_limit_x",
}


def every_error() -> list[errors.SyncError]:
    out: list[errors.SyncError] = []
    for name in dir(errors):
        cls = getattr(errors, name)
        if not (isinstance(cls, type) and issubclass(cls, errors.SyncError)) or cls.__name__.startswith("_"):
            continue
        if issubclass(cls, errors._Reasoned):
            out += [cls(reason, **PARAMS) for reason in cls.messages]
        elif cls.template != errors.SyncError.template:
            out.append(cls(**PARAMS))
    return out


@pytest.mark.parametrize("error", every_error(), ids=lambda e: f"{type(e).__name__}-{e.reason}")
def test_message_is_indonesian_and_str_carries_no_values(error):
    shown = error.message()
    i18n.set_language("en")
    english = error.message()
    i18n.set_language("id")
    assert shown != english, "no Indonesian translation"
    assert "{" not in shown
    for value in PARAMS.values():
        assert str(value) not in str(error)
    assert error.reason in str(error) or type(error).__name__ in str(error)


def test_reason_codes_are_the_documented_ones():
    assert set(errors.BatchRejected.messages) == {
        "bad_format", "unsupported_version", "too_large", "payload_hash_mismatch", "items_hash_mismatch",
        "bad_certificate", "expired", "not_yet_valid", "future_dated", "revoked", "bad_signature",
        "countersignature_missing", "bad_countersignature", "replay", "rollback", "gap", "prev_hash_mismatch",
        "bad_authority_rotation",  # issue #10: the hand-over of key migration 0008
    }


def test_gap_message_names_both_sequences():
    shown = errors.BatchRejected("gap", sequence=5, expected=3).message()
    assert "5" in shown and "3" in shown
