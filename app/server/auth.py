"""Dinsos staff accounts: scrypt password hashes, roles, and bearer sessions kept hashed with an expiry."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import delete, select

from app.server import audit, throttle
from app.server.context import ServerContext
from app.server.errors import Forbidden, InvalidRole, LoginFailed, NotAuthenticated, UsernameTaken
from app.server.models import StaffSession, StaffUser
from app.sync.canonical import b64url_decode, b64url_encode

# verifier: the verifikator who verifies or returns; kepala: the Kepala OPD who finalises (never
# the person who verified, app/server/review.py); admin: accounts, offices, the reason catalogue.
ROLES = ("verifier", "kepala", "admin")
# scrypt N=2^15, r=8, p=1: ~32 MiB and ~0.1 s per login; staff log in a few times a day.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 10


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64url_encode(salt)}${b64url_encode(digest)}"


def check_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    computed = _scrypt(password, b64url_decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(computed, b64url_decode(digest))


# Checked against when the username is unknown, so the answer takes as long as for a real account.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden()


def add_staff(ctx: ServerContext, *, username: str, password: str, role: str, actor: str = "admin") -> Staff:
    if role not in ROLES:
        raise InvalidRole()
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    now = ctx.now()
    password_hash = hash_password(password)
    with ctx.transaction() as session:
        if session.execute(select(StaffUser.id).where(StaffUser.username == username)).first():
            raise UsernameTaken()
        user = StaffUser(username=username, password_hash=password_hash, role=role, created_at=now, disabled=False)
        session.add(user)
        session.flush()
        audit.append(session, at=now, actor=actor, action="staff_added", subject=username, detail={"role": role})
        return Staff(user.id, user.username, user.role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(ctx: ServerContext, username: str, password: str, *, address: str | None = None) -> str:
    """A new bearer token (shown once); the database keeps only its SHA-256.

    ``address`` is the client's (behind a proxy, what uvicorn's --forwarded-allow-ips trusts): the
    throttle counts failures per account and per address, and refuses before any password work.
    """
    with ctx.reading() as session:
        throttle.check(session, username, address, ctx.now())
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    ok = check_password(password, user.password_hash if user else _dummy_hash())
    failed = user is None or not ok or user.disabled
    now = ctx.now()
    token = secrets.token_urlsafe(32)
    with ctx.transaction() as session:
        if failed:
            throttle.record_failure(session, username, address, now)
            audit.append(session, at=now, actor="anonymous", action="login_failed", subject=None)
        else:
            throttle.clear_account(session, username)
            session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
            session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                                     expires_at=now + ctx.settings.session_ttl))
            audit.append(session, at=now, actor=f"staff:{user.username}", action="login", subject=None)
    if failed:
        raise LoginFailed()
    return token


def authenticate(ctx: ServerContext, token: str | None) -> Staff:
    if not token:
        raise NotAuthenticated()
    with ctx.reading() as session:
        row = session.execute(
            select(StaffUser, StaffSession.expires_at)
            .join(StaffSession, StaffSession.user_id == StaffUser.id)
            .where(StaffSession.token_hash == _token_hash(token))
        ).first()
    if row is None or row.expires_at <= ctx.now() or row[0].disabled:
        raise NotAuthenticated()
    user = row[0]
    return Staff(user.id, user.username, user.role)


def logout(ctx: ServerContext, token: str) -> None:
    with ctx.transaction() as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
