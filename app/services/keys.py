"""Signing keys: the Lurah's authority key and certified operator keys, each sealed to its owner's keyslot.

The database holds public keys, certificates and sealed blobs only (app/storage/sealed.py). A
private key opens in memory only with the keyslot key of the session of its owner
(``OfficeContext.slot_key``): an operator who can open the office cannot sign as another person
or as the Lurah, whatever rows they read or write. See docs/trust-model.md.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage import sealed
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SealedKey, SigningKey, SyncLink
from app.sync import keys
from app.sync.certificates import OperatorCertificate, issue_certificate


class LurahOnly(UsulkanError):
    template = N_("Only the Lurah can do this.")
    hint = N_("Ask the Lurah to sign in and do it.")


class NotCertified(UsulkanError):
    template = N_("This operator has no valid certificate from the Lurah.")
    hint = N_("Ask the Lurah to certify this operator, then try again.")


class NotProvisioned(UsulkanError):
    template = N_("This office is not yet linked to the Dinsos server.")
    hint = N_("Import the provisioning document from Dinsos first.")


def require_lurah(ctx: OfficeContext) -> None:
    if ctx.operator_role != "lurah":
        raise LurahOnly()


def now_seconds(ctx: OfficeContext):
    # Signed records hold whole seconds; a sub-second time would be refused, not truncated.
    return ctx.clock().replace(microsecond=0)


class KeyNotAvailable(UsulkanError):
    template = N_("The signing key of the person signed in cannot be opened in this session.")
    hint = N_("Sign out and sign in again with your own passphrase. If it keeps happening, "
              "ask the Lurah to enrol you again (your key may have been damaged).")


class AuthorityKeyMissing(UsulkanError):
    template = N_("This office has no authority key of the Lurah yet.")
    hint = N_("The Lurah signs in once with their own passphrase; Usulkan then makes the key.")


def _active_key(session: Session, owner: str) -> SigningKey | None:
    return session.scalars(
        select(SigningKey).where(SigningKey.owner == owner, SigningKey.active.is_(True)).order_by(SigningKey.id.desc())
    ).first()


SlotRef = sealed.SlotKey | tuple[str, bytes]


def seal_in(session: Session, office_id: str, *, owner: str, purpose: str, secret: bytes, public: bytes,
            slot_id: str, slot_public: bytes, now, tagger: sealed.SlotKey | None = None) -> None:
    """Store ``secret`` sealed to one keyslot (nothing in clear reaches the database).

    ``tagger``, the slot's own key when the caller holds it, tags the blob as the owner's; an
    untagged blob is used only after its owner adopted it (``adopt_seals``).
    """
    blob = sealed.seal(secret, slot_public, office_id=office_id, owner=owner, purpose=purpose,
                       slot_id=slot_id, public=public)
    tag = None
    if tagger is not None and tagger.slot_id == slot_id:
        tag = tagger.tag(blob, office_id=office_id, owner=owner, purpose=purpose, public=public)
    session.add(SealedKey(owner=owner, purpose=purpose, public_key=public, slot_id=slot_id, blob=blob, tag=tag,
                          created_at=now))


def _open_row(ctx: OfficeContext, row: SealedKey) -> bytes | None:
    slot = ctx.slot_key
    context = dict(office_id=ctx.office_id, owner=row.owner, purpose=row.purpose, public=row.public_key)
    if slot is None or row.slot_id != slot.slot_id or not slot.tag_ok(row.tag, row.blob, **context):
        return None  # planted, copied or not (yet) adopted by the slot's owner
    try:
        return slot.open(row.blob, **context)
    except sealed.SealBroken:
        return None


def open_in(ctx: OfficeContext, session: Session, *, owner: str, purpose: str, public: bytes) -> bytes:
    """The secret sealed to the keyslot of the person signed in, or KeyNotAvailable."""
    slot = ctx.slot_key
    if slot is None:
        raise KeyNotAvailable()
    rows = session.scalars(select(SealedKey).where(
        SealedKey.owner == owner, SealedKey.purpose == purpose, SealedKey.public_key == public,
        SealedKey.slot_id == slot.slot_id,
    ).order_by(SealedKey.id.desc())).all()
    for row in rows:
        secret = _open_row(ctx, row)
        if secret is not None:
            return secret
    raise KeyNotAvailable()


def _signer_from(ctx: OfficeContext, session: Session, row: SigningKey, purpose: str) -> keys.Ed25519Signer:
    slot = ctx.slot_key
    cache_key = (slot.slot_id if slot else None, row.owner, purpose, row.public_key)
    cached = ctx.opened_keys.get(cache_key)
    if cached is not None and slot is not None:
        return cached
    raw = open_in(ctx, session, owner=row.owner, purpose=purpose, public=row.public_key)
    try:
        signer = keys.Ed25519Signer.from_bytes(raw)
    except ValueError as exc:
        raise KeyNotAvailable() from exc
    # HPKE base mode does not say who sealed: anyone may seal a key of their own to my slot.
    if signer.public_key_bytes != row.public_key:
        raise KeyNotAvailable()
    ctx.opened_keys[cache_key] = signer
    return signer


def _usable_key(ctx: OfficeContext, session: Session, owner: str, purpose: str) -> SigningKey | None:
    """The newest active key of ``owner`` that this session's slot holds a tagged seal of.

    Anyone with the data key can add a ``signing_key`` row and seal a key of their own to a
    slot's (public) key; without the owner's tag it is passed over, so a planted "authority
    key" never becomes the one the Lurah signs or binds with.
    """
    for row in session.scalars(select(SigningKey).where(SigningKey.owner == owner, SigningKey.active.is_(True))
                               .order_by(SigningKey.id.desc())):
        try:
            _signer_from(ctx, session, row, purpose)
        except KeyNotAvailable:
            continue
        return row
    return None


def new_key_in(session: Session, office_id: str, *, owner: str, role: str, slots: list[SlotRef], now) -> SigningKey:
    """A fresh Ed25519 key: its public half in ``signing_key``, its private half sealed to each of ``slots``.

    ``slots`` are slot keys the caller made or opened itself (tagged), or, in migration 0008
    only, (slot id, public key) pairs from vault.json (untagged until the owner adopts them).
    """
    private = keys.generate_ed25519()
    raw = keys.private_bytes(private)
    row = SigningKey(owner=owner, role=role, public_key=keys.public_bytes(private.public_key()),
                     active=True, created_at=now)
    session.add(row)
    purpose = sealed.AUTHORITY if owner == AUTHORITY_OWNER else sealed.SIGNING
    for slot in slots:
        slot_id, slot_public = (slot.slot_id, slot.public_key) if isinstance(slot, sealed.SlotKey) else slot
        seal_in(session, office_id, owner=owner, purpose=purpose, secret=raw, public=row.public_key,
                slot_id=slot_id, slot_public=slot_public, now=now,
                tagger=slot if isinstance(slot, sealed.SlotKey) else None)
    session.flush()
    return row


def vouch_in(session: Session, office_id: str, lurah_slot: sealed.SlotKey | tuple[str, bytes], *, owner: str,
             public: bytes, now) -> None:
    """The Lurah's own record that ``public`` is the key she enrolled for ``owner`` (a tag, no secret).

    ``certify_operator`` certifies only a key so vouched for: a key row an operator adds for
    someone else is never certified. From migration 0008 (no Lurah present) the row is untagged
    and the Lurah's next sign-in adopts it.
    """
    slot_id = lurah_slot.slot_id if isinstance(lurah_slot, sealed.SlotKey) else lurah_slot[0]
    tag = None
    if isinstance(lurah_slot, sealed.SlotKey):
        tag = lurah_slot.tag(b"", office_id=office_id, owner=owner, purpose=sealed.VOUCHED, public=public)
    session.add(SealedKey(owner=owner, purpose=sealed.VOUCHED, public_key=public, slot_id=slot_id, blob=b"",
                          tag=tag, created_at=now))


def _vouched_key(ctx: OfficeContext, session: Session, owner: str) -> SigningKey | None:
    slot = ctx.slot_key
    if slot is None:
        return None
    for row in session.scalars(select(SigningKey).where(SigningKey.owner == owner, SigningKey.active.is_(True))
                               .order_by(SigningKey.id.desc())):
        for mark in session.scalars(select(SealedKey).where(
                SealedKey.owner == owner, SealedKey.purpose == sealed.VOUCHED, SealedKey.public_key == row.public_key,
                SealedKey.slot_id == slot.slot_id)):
            if slot.tag_ok(mark.tag, b"", office_id=ctx.office_id, owner=owner, purpose=sealed.VOUCHED,
                           public=row.public_key):
                return row
    return None


def adopt_seals(ctx: OfficeContext) -> int:
    """At sign-in: tag the blobs migration 0008 sealed to this slot, if the owner has none tagged yet.

    Migration 0008 runs in whoever's session opens the office first and cannot tag for anyone
    else. The owner's first session after it takes over those blobs; from then on an untagged
    blob (planted later) is never used. Returns how many were adopted.
    """
    slot = ctx.slot_key
    if slot is None:
        return 0
    adopted = 0
    with ctx.transaction() as session:
        rows = session.scalars(select(SealedKey).where(SealedKey.slot_id == slot.slot_id)).all()
        tagged = {(r.owner, r.purpose) for r in rows if r.tag is not None}
        for row in rows:
            if row.tag is not None or (row.owner, row.purpose) in tagged:
                continue
            context = dict(office_id=ctx.office_id, owner=row.owner, purpose=row.purpose, public=row.public_key)
            if row.purpose == sealed.VOUCHED:
                active = session.scalars(select(SigningKey.id).where(
                    SigningKey.owner == row.owner, SigningKey.active.is_(True),
                    SigningKey.public_key == row.public_key)).first()
                if active is not None:
                    row.tag = slot.tag(row.blob, **context)
                    adopted += 1
                continue
            try:
                secret = slot.open(row.blob, **context)
            except sealed.SealBroken:
                continue
            if row.purpose != sealed.TOTP and keys.public_bytes(
                    keys.ed25519_private_from_bytes(secret).public_key()) != row.public_key:
                continue
            row.tag = slot.tag(row.blob, **context)
            adopted += 1
        if adopted:
            ctx.audit(session, "key.adopt_sealed", "operator", ctx.operator_id, count=adopted)
    return adopted


def person_signer_in(ctx: OfficeContext, session: Session) -> keys.Signer:
    """The signed-in person's own Ed25519 key (the one the Lurah certifies for batches), opened
    with their slot: it signs that person's audit entries. Made on first use for a person who has none."""
    if _active_key(session, ctx.operator_id) is None:
        if ctx.slot_key is None:
            raise KeyNotAvailable()
        new_key_in(session, ctx.office_id, owner=ctx.operator_id, role=(ctx.operator_role or "operator")[:20],
                   slots=[ctx.slot_key], now=now_seconds(ctx))
    row = _usable_key(ctx, session, ctx.operator_id, sealed.SIGNING)
    if row is None and ctx.operator_role == "lurah":
        # A recovery-code session acts as the Lurah: her own key is sealed to her slot only, her
        # authority key also to the recovery slot, so that is what signs (audit_keys names it hers).
        authority = _usable_key(ctx, session, AUTHORITY_OWNER, sealed.AUTHORITY)
        if authority is not None:
            return _signer_from(ctx, session, authority, sealed.AUTHORITY)
    if row is None:
        raise KeyNotAvailable()
    return _signer_from(ctx, session, row, sealed.SIGNING)


def open_with_slot(session: Session, office_id: str, slot: sealed.SlotKey, row: SigningKey) -> bytes:
    """The private half of ``row`` as sealed to ``slot`` (a slot key the caller made or opened itself)."""
    purpose = sealed.AUTHORITY if row.owner == AUTHORITY_OWNER else sealed.SIGNING
    blob = session.scalars(select(SealedKey.blob).where(
        SealedKey.owner == row.owner, SealedKey.purpose == purpose, SealedKey.public_key == row.public_key,
        SealedKey.slot_id == slot.slot_id)).first()
    if blob is None:
        raise KeyNotAvailable()
    return slot.open(blob, office_id=office_id, owner=row.owner, purpose=purpose, public=row.public_key)


def audit_keys(session: Session) -> dict[str, tuple[str, bytes]]:
    """key id -> (owner, public key) of every key the office ever made: what audit signatures name."""
    lurahs = session.scalars(select(Operator.id).where(Operator.role == "lurah")).all()
    found = {}
    for row in session.scalars(select(SigningKey)):
        # The authority key signs the Lurah's entries in a recovery-code session.
        owners = lurahs if row.owner == AUTHORITY_OWNER else [row.owner]
        for owner in owners:
            found.setdefault(keys.key_id(row.public_key), (owner, row.public_key))
    return found


def authority_key_in(ctx: OfficeContext, session: Session) -> SigningKey:
    """The Lurah's authority key (public half) inside the caller's transaction.

    In a session that can open it (the Lurah's, the recovery code's): the newest active one its
    slot holds a tagged seal of. Elsewhere: the newest active row, for showing only.
    """
    row = _usable_key(ctx, session, AUTHORITY_OWNER, sealed.AUTHORITY) if ctx.slot_key is not None else None
    if row is None:
        row = _active_key(session, AUTHORITY_OWNER)  # authority_signer then says KeyNotAvailable
    if row is None:
        raise AuthorityKeyMissing()
    return row


def ensure_authority_key(ctx: OfficeContext) -> bytes:
    """The Lurah's authority Ed25519 public key (made when the office was created)."""
    require_lurah(ctx)
    with ctx.reading() as session:
        return authority_key_in(ctx, session).public_key


def authority_signer(ctx: OfficeContext, session: Session) -> keys.Signer:
    """The authority key, opened with the Lurah's own slot (or the recovery slot) of this session."""
    require_lurah(ctx)
    return _signer_from(ctx, session, authority_key_in(ctx, session), sealed.AUTHORITY)


def server_office_id(session: Session) -> str:
    """The office id the Dinsos server knows (from the provisioning document): batches carry it."""
    link = session.get(SyncLink, 1)
    if link is None:
        raise NotProvisioned()
    return link.server_office_id


def certify_operator(ctx: OfficeContext, operator_id: str, role: str = "operator", valid_days: int = 365) -> OperatorCertificate:
    """The Lurah certifies an operator's signing key (made here if the operator has none)."""
    require_lurah(ctx)
    with ctx.transaction() as session:
        operator = session.get(Operator, operator_id)
        if operator is None or not operator.active:
            raise NotCertified()
        now = now_seconds(ctx)
        authority = authority_signer(ctx, session)
        key = _renewed_key(session, operator_id) or _vouched_key(ctx, session, operator_id)
        if key is None and ctx.slot_key is not None and ctx.slot_key.kind == "recovery":
            # The recovery slot cannot hold the Lurah's vouching (made in her own sessions).
            key = _active_key(session, operator_id)
        if key is None:
            # Keys are made where the person's slot is made (enrolment); none can be made here
            # for someone else, since their slot's public key would come from a file anyone can write.
            raise NotCertified()
        cert = issue_certificate(
            authority, cert_id=str(uuid.uuid4()), office_id=server_office_id(session),
            operator_id=operator_id, name=operator.name, role=role, public_key=key.public_key,
            valid_from=now, valid_until=now + timedelta(days=valid_days), issued_at=now,
        )
        session.add(Certificate(cert_id=cert.cert_id, operator_id=operator_id, body=cert.to_bytes().decode("utf-8"),
                                valid_until=now + timedelta(days=valid_days), issued_at=now))
        ctx.audit(session, "key.certify", "operator", operator_id, cert_id=cert.cert_id, role=role)
        return cert


def _renewed_key(session: Session, operator_id: str) -> SigningKey | None:
    """A renewal certifies the key of the person's newest certificate, not whatever row is newest."""
    newest = session.scalars(select(Certificate).where(Certificate.operator_id == operator_id)
                             .order_by(Certificate.issued_at.desc())).first()
    if newest is None:
        return None
    public = OperatorCertificate.from_bytes(newest.body.encode("utf-8")).public_key
    return session.scalars(select(SigningKey).where(SigningKey.owner == operator_id, SigningKey.active.is_(True),
                                                    SigningKey.public_key == public)).first()


def certificate_in(ctx: OfficeContext, session: Session) -> OperatorCertificate:
    """The acting operator's newest certificate that is still valid now."""
    row = session.scalars(
        select(Certificate)
        .where(Certificate.operator_id == ctx.operator_id, Certificate.valid_until > ctx.clock())
        .order_by(Certificate.issued_at.desc())
    ).first()
    if row is None:
        raise NotCertified()
    return OperatorCertificate.from_bytes(row.body.encode("utf-8"))


def signer_in(ctx: OfficeContext, session: Session) -> keys.Signer:
    """The signed-in person's own signing key, opened with their slot: nobody else's opens."""
    if _active_key(session, ctx.operator_id) is None:
        raise NotCertified()
    row = _usable_key(ctx, session, ctx.operator_id, sealed.SIGNING)
    if row is None:
        raise KeyNotAvailable()
    return _signer_from(ctx, session, row, sealed.SIGNING)


def current_certificate(ctx: OfficeContext) -> OperatorCertificate:
    with ctx.reading() as session:
        return certificate_in(ctx, session)


def operator_signer(ctx: OfficeContext) -> keys.Signer:
    with ctx.reading() as session:
        return signer_in(ctx, session)
