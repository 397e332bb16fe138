"""Signed status updates from Dinsos, one per decision, and the signed page that delivers them in order."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync.canonical import Fields, SignedRecord, as_received, normalise_times, parse_canonical
from app.sync.errors import FormatInvalid, StatusRejected
from app.sync.keys import (
    KEY_ID,
    SIGNATURE_BYTES,
    PublicKeyLike,
    Signer,
    as_signer,
    ed25519_public_raw,
    key_id,
    verify_ed25519,
)

STATUS_FORMAT = "usulkan-status"
PAGE_FORMAT = "usulkan-status-page"
# The workflow states Dinsos reports; the office's own states (draft, queued ...) never travel back.
STATES = ("received", "verified", "returned", "finalised", "approved", "forwarded", "rejected")
MAX_REASONS = 50
MAX_UPDATES_PER_PAGE = 1000
CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
T = TypeVar("T")


@dataclass(frozen=True)
class StatusReason:
    """Why an item was returned or rejected: a stable code and Dinsos's own words."""

    code: str
    text: str


@dataclass(frozen=True)
class StatusUpdate(SignedRecord):
    feed_cursor: int
    office_id: str
    item_id: str
    tracking_code: str | None
    state: str
    reasons: tuple[StatusReason, ...]
    decided_by_role: str
    decided_at: datetime
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "decided_at")
        object.__setattr__(self, "reasons", tuple(self.reasons))

    def body(self) -> dict[str, Any]:
        return {
            "format": STATUS_FORMAT,
            "feed_cursor": self.feed_cursor,
            "office_id": self.office_id,
            "item_id": self.item_id,
            "tracking_code": self.tracking_code,
            "state": self.state,
            "reasons": [{"code": r.code, "text": r.text} for r in self.reasons],
            "decided_by_role": self.decided_by_role,
            "decided_at": self.decided_at,
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_dict(cls, obj: Any, *, where: str = "status") -> StatusUpdate:
        f = Fields(obj, where)
        f.constant("format", STATUS_FORMAT)
        reasons = []
        for _, r in f.each("reasons", max_items=MAX_REASONS):
            reasons.append(StatusReason(r.text("code", pattern=CODE), r.text("text", max_len=2000)))
            r.done()
        update = cls(
            feed_cursor=f.integer("feed_cursor", minimum=1),
            office_id=f.uuid("office_id"),
            item_id=f.uuid("item_id"),
            tracking_code=f.text("tracking_code", max_len=64, nullable=True),
            state=f.text("state", choices=STATES),
            reasons=tuple(reasons),
            decided_by_role=f.text("decided_by_role", pattern=CODE),
            decided_at=f.time("decided_at"),
            server_key_id=f.text("server_key_id", pattern=KEY_ID),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        return update

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusUpdate:
        return _rejecting(lambda: cls.from_dict(parse_canonical(data, where="status")))


@dataclass(frozen=True)
class StatusPage(SignedRecord):
    """Every update for one office with a cursor in (cursor_from, cursor_to]: none can be dropped unseen."""

    office_id: str
    cursor_from: int
    cursor_to: int
    updates: tuple[StatusUpdate, ...]
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "updates", tuple(self.updates))

    def body(self) -> dict[str, Any]:
        return {
            "format": PAGE_FORMAT,
            "office_id": self.office_id,
            "cursor_from": self.cursor_from,
            "cursor_to": self.cursor_to,
            "updates": [update.to_dict() for update in self.updates],
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> StatusPage:
        f = Fields(obj, "status_page")
        f.constant("format", PAGE_FORMAT)
        updates = tuple(
            StatusUpdate.from_dict(u, where=f"status_page.updates[{i}]")
            for i, u in enumerate(f.array("updates", max_items=MAX_UPDATES_PER_PAGE))
        )
        page = cls(
            office_id=f.uuid("office_id"),
            cursor_from=f.integer("cursor_from"),
            cursor_to=f.integer("cursor_to"),
            updates=updates,
            server_key_id=f.text("server_key_id", pattern=KEY_ID),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        cursors = [page.cursor_from, *(u.feed_cursor for u in updates)]
        # Strictly increasing and inside the range, so the page's order and extent are the server's.
        if any(a >= b for a, b in zip(cursors, cursors[1:])) or cursors[-1] > page.cursor_to:
            raise FormatInvalid(field="status_page.updates")
        return page

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusPage:
        return _rejecting(lambda: cls.from_dict(parse_canonical(data, where="status_page")))


def _rejecting(read: Callable[[], T]) -> T:
    try:
        return read()
    except FormatInvalid as err:
        raise StatusRejected("bad_format", **err.params) from err


def issue_status(
    server: Signer | Ed25519PrivateKey,
    *,
    feed_cursor: int,
    office_id: str,
    item_id: str,
    state: str,
    decided_by_role: str,
    decided_at: datetime,
    tracking_code: str | None = None,
    reasons: Sequence[StatusReason] = (),
) -> StatusUpdate:
    signer = as_signer(server)
    unsigned = StatusUpdate(
        feed_cursor, office_id, item_id, tracking_code, state, tuple(reasons), decided_by_role,
        decided_at, key_id(signer.public_key_bytes), b"",
    )
    signature = signer.sign(unsigned.signing_bytes())
    return _rejecting(lambda: StatusUpdate.from_dict(as_received({**unsigned.body(), "signature": signature})))


def issue_status_page(
    server: Signer | Ed25519PrivateKey,
    *,
    office_id: str,
    cursor_from: int,
    cursor_to: int,
    updates: Sequence[StatusUpdate],
) -> StatusPage:
    signer = as_signer(server)
    unsigned = StatusPage(office_id, cursor_from, cursor_to, tuple(updates), key_id(signer.public_key_bytes), b"")
    signature = signer.sign(unsigned.signing_bytes())
    return _rejecting(lambda: StatusPage.from_dict(as_received({**unsigned.body(), "signature": signature})))


def _check_signed(record: SignedRecord, raw_key: bytes) -> None:
    if record.server_key_id != key_id(raw_key) or not verify_ed25519(raw_key, record.signature, record.signing_bytes()):
        raise StatusRejected("bad_signature")


def verify_status(update: StatusUpdate, server_public_key: PublicKeyLike, *, office_id: str) -> None:
    """Raise StatusRejected unless the server key signed this update for this office."""
    _check_signed(update, ed25519_public_raw(server_public_key))
    if update.office_id != office_id:
        raise StatusRejected("wrong_office")


def verify_status_page(
    page: StatusPage, server_public_key: PublicKeyLike, *, office_id: str, after_cursor: int
) -> None:
    """Raise StatusRejected unless the page is signed, for this office, and continues from ``after_cursor``.

    Each update is checked on its own too, so it can be kept and shown later with its own proof.
    """
    raw = ed25519_public_raw(server_public_key)
    _check_signed(page, raw)
    if page.office_id != office_id:
        raise StatusRejected("wrong_office")
    # An old page replayed, or one that skips updates, does not start where the office stopped.
    if page.cursor_from != after_cursor:
        raise StatusRejected("cursor_mismatch")
    for update in page.updates:
        verify_status(update, raw, office_id=office_id)
