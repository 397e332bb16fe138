"""Re-issue after sealing (revision 0008): the old keys stood in clear in every earlier copy.

Backups and the pre-migration copy of the database still hold every old private key, readable
by anyone with the data key. So sealing is not enough; every key is replaced:

* a new authority key (sealed to the Lurah's slot and the recovery slot) and a new signing key
  for each person (sealed to their slot); the old ones are set inactive;
* every certificate still valid is issued again, for the new key, by the new authority key;
* if the office is bound at Dinsos, the old authority key signs, at the *sequence boundary*
  (the last batch that is or may be at Dinsos), a revocation of each old certificate and the
  hand-over of authority to the new key (``AuthorityRotation``). They wait in
  ``pending_revocation`` and ride first in the next batch, which the new keys sign. Batches up
  to the boundary were signed by the old keys and stay valid; batches after it are signed by the
  new ones; nothing is lost or refused;
* batches Dinsos has never seen and the old keys signed past that boundary (an SPTJM batch
  still waiting for the Lurah, a refused one) are released: their items are batched again.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from app.sync import keys
from app.sync.certificates import OperatorCertificate, issue_authority_rotation, issue_certificate, issue_revocation

AUTHORITY_OWNER = "lurah-authority"
REASON = "Kunci diganti: kunci lama tersimpan tanpa segel di salinan lama (migrasi 0008)"
RELEASED_STATES = ("awaiting_countersignature", "rejected")

t = sa.table
c = sa.column
signing_key = t("signing_key", c("id"), c("owner"), c("active"))
certificate = t("certificate", c("cert_id"), c("operator_id"), c("body"), c("valid_until", sa.DateTime()),
                c("issued_at", sa.DateTime()))
operator = t("operator", c("id"), c("active"))
sync_link = t("sync_link", c("id"), c("server_office_id"), c("enrolment_code"))
outbox_batch = t("outbox_batch", c("batch_id"), c("sequence"), c("state"))
outbox_item = t("outbox_item", c("batch_id"), c("state"))
pending_revocation = t("pending_revocation", c("cert_id"), c("operator_id"), c("body"),
                       c("effective_after_sequence"), c("created_at", sa.DateTime()), c("batch_id"), c("delivered_at"))


def _release_unsent(conn) -> int:
    """Release batches from the first unsent one the old keys signed on; returns the boundary."""
    first = conn.execute(sa.select(sa.func.min(outbox_batch.c.sequence))
                         .where(outbox_batch.c.state.in_(RELEASED_STATES))).scalar()
    if first is not None:
        doomed = [row.batch_id for row in conn.execute(
            sa.select(outbox_batch.c.batch_id).where(outbox_batch.c.sequence >= first))]
        conn.execute(sa.update(outbox_item).where(outbox_item.c.batch_id.in_(doomed))
                     .values(state="pending", batch_id=None))
        conn.execute(sa.update(pending_revocation).where(pending_revocation.c.batch_id.in_(doomed))
                     .values(batch_id=None))
        conn.execute(sa.delete(outbox_batch).where(outbox_batch.c.batch_id.in_(doomed)))
    return conn.execute(sa.select(sa.func.max(outbox_batch.c.sequence))).scalar() or 0


def reissue(conn, office_id, old, slots, lurahs, now) -> None:
    """``old``: owner -> (private raw, public) of the keys sealed a moment ago, all to be replaced.

    ``lurahs``: ids of the active Lurah(s); the authority key is sealed to their slots.
    """
    from app.storage.migrations.sealing import new_key

    if not old:
        return
    link = conn.execute(sa.select(sync_link).where(sync_link.c.id == 1)).first()
    lurah_slots = [slot for lurah in lurahs for slot in slots.of(lurah)]
    conn.execute(sa.update(signing_key).where(signing_key.c.owner.in_(list(old))).values(active=False))

    new_public = {}
    new_authority = None
    for owner in old:
        if owner == AUTHORITY_OWNER:
            raw, public = new_key(conn, office_id, owner=owner, role="lurah", slots=lurah_slots + slots.recovery(),
                                  now=now)
            new_authority = keys.Ed25519Signer.from_bytes(raw)
        elif slots.of(owner):
            role = conn.execute(sa.text("SELECT role FROM operator WHERE id = :i"), {"i": owner}).scalar() or "operator"
            _raw, public = new_key(conn, office_id, owner=owner, role=role, slots=slots.of(owner), now=now,
                                   lurah_slots=lurah_slots)
        else:
            continue
        new_public[owner] = public
    if link is None or AUTHORITY_OWNER not in old or new_authority is None:
        return  # not linked: no certificate was ever issued, Dinsos knows no key of this office
    old_authority = keys.Ed25519Signer.from_bytes(old[AUTHORITY_OWNER][0])
    bound = link.enrolment_code is None
    boundary = _release_unsent(conn) if bound else 0

    certs = conn.execute(sa.select(certificate).join(operator, operator.c.id == certificate.c.operator_id)
                         .where(operator.c.active.is_(True))).all()
    renewed = set()
    for row in certs:
        cert = OperatorCertificate.from_bytes(row.body.encode("utf-8"))
        if bound:
            revocation = issue_revocation(old_authority, cert, effective_after_sequence=boundary, reason=REASON,
                                          issued_at=now)
            already = conn.execute(sa.select(pending_revocation.c.cert_id)
                                   .where(pending_revocation.c.cert_id == cert.cert_id)).first()
            if already is None:
                conn.execute(sa.insert(pending_revocation).values(
                    cert_id=cert.cert_id, operator_id=cert.operator_id, body=revocation.to_bytes().decode("utf-8"),
                    effective_after_sequence=boundary, created_at=now))
        if row.valid_until <= now or cert.operator_id in renewed or cert.operator_id not in new_public:
            continue
        newest = max((r for r in certs if r.operator_id == cert.operator_id), key=lambda r: r.issued_at)
        if newest.cert_id != row.cert_id:
            continue  # only the newest certificate of each person is renewed
        fresh = issue_certificate(
            new_authority, cert_id=str(uuid.uuid4()), office_id=cert.office_id, operator_id=cert.operator_id,
            name=cert.name, role=cert.role, public_key=new_public[cert.operator_id],
            valid_from=now, valid_until=max(cert.valid_until.replace(tzinfo=None), now + timedelta(days=1)),
            issued_at=now + timedelta(seconds=1),
        )
        conn.execute(sa.insert(certificate).values(
            cert_id=fresh.cert_id, operator_id=cert.operator_id, body=fresh.to_bytes().decode("utf-8"),
            valid_until=fresh.valid_until.replace(tzinfo=None), issued_at=(now + timedelta(seconds=1))))
        renewed.add(cert.operator_id)
    if bound:
        rotation = issue_authority_rotation(old_authority, office_id=link.server_office_id,
                                            new_public_key=new_authority.public_key_bytes,
                                            effective_after_sequence=boundary, reason=REASON, issued_at=now)
        conn.execute(sa.insert(pending_revocation).values(
            cert_id=rotation.rotation_id, operator_id=lurahs[0], body=rotation.to_bytes().decode("utf-8"),
            effective_after_sequence=boundary, created_at=now - timedelta(seconds=1)))
