"""The data step of revision 0008: clear private keys become sealed ones (and are then re-issued).

Plain SQL on the migration's connection (the ORM models describe the schema *after* 0008).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.storage import sealed
from app.sync import keys

AUTHORITY_OWNER = "lurah-authority"

signing_key = sa.table(
    "signing_key", sa.column("id"), sa.column("owner"), sa.column("role"), sa.column("public_key"),
    sa.column("private_key"), sa.column("active"), sa.column("created_at"),
)
sealed_key = sa.table(
    "sealed_key", sa.column("owner"), sa.column("purpose"), sa.column("public_key"), sa.column("slot_id"),
    sa.column("blob"), sa.column("created_at"),
)
operator = sa.table("operator", sa.column("id"), sa.column("role"), sa.column("active"))
office = sa.table("office", sa.column("id"))
lurah_totp = sa.table("lurah_totp", sa.column("operator_id"), sa.column("secret"))


class VaultNeeded(RuntimeError):
    """Revision 0008 met private keys but was given no vault to seal them to."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class _Slots:
    """The slots' public keys, read from vault.json (the only copy there is before this revision)."""

    def __init__(self, vault):
        self.vault = vault

    def of(self, operator_id: str) -> list[tuple[str, bytes]]:
        if self.vault is None or not self.vault.has_operator(operator_id):
            return []
        return [self.vault.operator_slot(operator_id)]

    def recovery(self) -> list[tuple[str, bytes]]:
        return [self.vault.recovery_slot()] if self.vault is not None and self.vault.has_recovery() else []


def _seal(conn, office_id, *, owner, purpose, secret, public, slots, now) -> None:
    for slot_id, slot_public in slots:
        blob = sealed.seal(secret, slot_public, office_id=office_id, owner=owner, purpose=purpose,
                           slot_id=slot_id, public=public)
        conn.execute(sa.insert(sealed_key).values(owner=owner, purpose=purpose, public_key=public,
                                                  slot_id=slot_id, blob=blob, created_at=now))


def vouch(conn, *, owner, public, lurah_slots, now) -> None:
    """Untagged "the Lurah enrolled this key" rows; the Lurah's next sign-in adopts them (keys.adopt_seals)."""
    for slot_id, _public in lurah_slots:
        conn.execute(sa.insert(sealed_key).values(owner=owner, purpose=sealed.VOUCHED, public_key=public,
                                                  slot_id=slot_id, blob=b"", created_at=now))


def new_key(conn, office_id, *, owner, role, slots, now, lurah_slots=()) -> tuple[bytes, bytes]:
    """A new active key row sealed to ``slots``; returns (private raw, public)."""
    private = keys.generate_ed25519()
    raw, public = keys.private_bytes(private), keys.public_bytes(private.public_key())
    conn.execute(sa.insert(signing_key).values(owner=owner, role=role, public_key=public, private_key=b"",
                                               active=True, created_at=now))
    purpose = sealed.AUTHORITY if owner == AUTHORITY_OWNER else sealed.SIGNING
    _seal(conn, office_id, owner=owner, purpose=purpose, secret=raw, public=public, slots=slots, now=now)
    if owner != AUTHORITY_OWNER:
        vouch(conn, owner=owner, public=public, lurah_slots=lurah_slots, now=now)
    return raw, public


def seal_clear_keys(conn, vault) -> None:
    office_id = conn.execute(sa.select(office.c.id)).scalar()
    clear = conn.execute(sa.select(signing_key.c.id).where(signing_key.c.private_key != b"")).first()
    totp = conn.execute(sa.select(lurah_totp.c.operator_id)).first()
    people = conn.execute(sa.select(operator.c.id).where(operator.c.active.is_(True))).first()
    if office_id is None or (clear is None and totp is None and people is None):
        return  # an empty database (a new office or a schema test): nothing to seal
    if vault is None:
        raise VaultNeeded("revision 0008 needs the office vault to seal the private keys")
    slots = _Slots(vault)
    now = _now()
    lurahs = [row.id for row in conn.execute(
        sa.select(operator.c.id).where(operator.c.role == "lurah", operator.c.active.is_(True)))]
    lurah_slots = [slot for lurah in lurahs for slot in slots.of(lurah)]

    # 1. Seal every key still in use to its owner's slot(s); inactive keys sign nothing any more.
    old = {}
    for row in conn.execute(sa.select(signing_key).where(signing_key.c.active.is_(True))).all():
        if not row.private_key:
            continue
        if row.owner == AUTHORITY_OWNER:
            targets, purpose = lurah_slots + slots.recovery(), sealed.AUTHORITY
        else:
            targets, purpose = slots.of(row.owner), sealed.SIGNING
        _seal(conn, office_id, owner=row.owner, purpose=purpose, secret=row.private_key, public=row.public_key,
              slots=targets, now=now)
        if row.owner != AUTHORITY_OWNER:
            vouch(conn, owner=row.owner, public=row.public_key, lurah_slots=lurah_slots, now=now)
        old[row.owner] = (row.private_key, row.public_key)

    # 2. Everyone who can sign in has a key from now on (offices older than the sync tables had none).
    if AUTHORITY_OWNER not in old and lurah_slots:
        new_key(conn, office_id, owner=AUTHORITY_OWNER, role="lurah", slots=lurah_slots + slots.recovery(), now=now)
    active = conn.execute(sa.select(operator.c.id, operator.c.role).where(operator.c.active.is_(True))).all()
    for person in active:
        if person.id not in old and slots.of(person.id):
            new_key(conn, office_id, owner=person.id, role=person.role, slots=slots.of(person.id), now=now,
                    lurah_slots=lurah_slots)

    # 3. The TOTP secret, to the Lurah's own slot only.
    for row in conn.execute(sa.select(lurah_totp)).all():
        _seal(conn, office_id, owner=row.operator_id, purpose=sealed.TOTP, secret=row.secret, public=b"",
              slots=slots.of(row.operator_id), now=now)

    from app.storage.migrations import reissue

    reissue.reissue(conn, office_id, old, slots, lurahs, now)
