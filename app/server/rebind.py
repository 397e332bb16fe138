"""A new Lurah without the old one: Dinsos's one-time re-bind code and the registration of the new key.

Dinsos checks the new Lurah in person and issues a code (``issue_rebind_code``, admin only, by
``usulkan-server rebind-code`` or the API). The office sends a re-bind request sealed like a
bind request (app/sync/rebind.py); ``rebind_office`` opens it, checks the code (constant time,
one use, an expiry), and registers the new authority key at the *boundary*: the office's last
accepted sequence. Batches up to it keep verifying against the old key (kept in
``office_former_authorities``); every later batch must chain to the new key, so the old key,
wherever it is now, signs nothing Dinsos accepts. A wrong, used or expired code changes nothing.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.server import audit
from app.server.context import ServerContext
from app.server.errors import EnrolmentRefused, OfficeNotBound, ServerError, UnknownOffice
from app.server.models import FormerAuthority, HeldBatch, Office
from app.server.provisioning import _hash, _normalise_code, new_enrolment_code, open_office_request
from app.sync.bind import BindError
from app.sync.keys import fingerprint
from app.sync.rebind import issue_rebind_answer, open_rebind_request, read_rebind_header

DEFAULT_VALID = timedelta(hours=72)
MAX_VALID = timedelta(days=14)


class RebindRefused(EnrolmentRefused):
    reason, http_status = "rebind_refused", 403
    template = N_("The re-bind code is wrong, expired or has already been used.")
    hint = N_("Ask Dinsos for a new re-bind code for this kelurahan.")


class RebindValidityInvalid(ServerError):
    reason, http_status = "bad_request", 400
    template = N_("A re-bind code must be valid for between one hour and fourteen days.")


def issue_rebind_code(ctx: ServerContext, office_id: str, *, actor: str,
                      valid_for: timedelta = DEFAULT_VALID) -> tuple[str, datetime]:
    """A new one-time code for ``office_id`` (any earlier unused one stops working); (code, expires at)."""
    if not timedelta(hours=1) <= valid_for <= MAX_VALID:
        raise RebindValidityInvalid()
    code = new_enrolment_code()
    now = ctx.now()
    with ctx.transaction() as session:
        office = session.execute(select(Office).where(Office.id == office_id).with_for_update()).scalar_one_or_none()
        if office is None:
            raise UnknownOffice()
        if office.authority_public_key is None:
            raise OfficeNotBound()  # a first link uses the enrolment code of the provisioning document
        office.rebind_code_hash = _hash(_normalise_code(code))
        office.rebind_expires_at = now + valid_for
        office.rebind_request_hash = office.rebind_answer = None
        audit.append(session, at=now, actor=actor, action="rebind_code_issued", subject=office_id,
                     detail={"expires_at": office.rebind_expires_at.isoformat()})
    return code, now + valid_for


def rebind_office(ctx: ServerContext, office_id: str, sealed: bytes) -> bytes:
    """Register the new authority key the sealed request names; the signed ``usulkan-rebind-answer`` bytes.

    The same request sent again (a lost answer, the file imported twice) gets the same stored
    answer; any other request after the code was used is refused like a wrong code.
    """
    opened = open_office_request(ctx, office_id, sealed, read_rebind_header, open_rebind_request)
    request = opened.request
    now = ctx.now()
    with ctx.transaction() as session:
        office = session.execute(select(Office).where(Office.id == office_id).with_for_update()).scalar_one_or_none()
        if office is None:
            raise UnknownOffice()
        if office.rebind_request_hash is not None and office.rebind_answer is not None:
            if hmac.compare_digest(office.rebind_request_hash, opened.request_hash):
                return office.rebind_answer.encode("utf-8")
        given = _hash(_normalise_code(request.enrolment_code))
        # Constant-time; a used (cleared), expired or wrong code all fail the same way.
        if (office.rebind_code_hash is None or not hmac.compare_digest(given, office.rebind_code_hash)
                or office.rebind_expires_at is None or now > office.rebind_expires_at):
            audit.append(session, at=now, actor=f"office:{office_id}", action="rebind_refused", subject=office_id,
                         detail={"request_hash": opened.request_hash})
            refused = True
        else:
            refused = False
        if not refused:
            old = office.authority_public_key
            if old is None:
                raise OfficeNotBound()
            if request.authority_public_key == old:
                raise BindError("bad_format")
            answer = issue_rebind_answer(ctx.keys.server, opened, old_authority_public_key=old,
                                         effective_after_sequence=office.last_sequence, rebound_at=now).to_bytes()
            replace_authority(session, office, request.authority_public_key, until_sequence=office.last_sequence,
                              how="rebind", now=now)
            office.feed_token_hash = _hash(request.feed_token)
            office.rebind_code_hash = office.rebind_expires_at = None
            office.rebind_request_hash, office.rebind_answer = opened.request_hash, answer.decode("utf-8")
            return answer
    raise RebindRefused()


def rebind_from_file(ctx: ServerContext, sealed: bytes) -> tuple[str, bytes]:
    """(office id, answer bytes) for a re-bind request file brought on a USB stick."""
    office_id = read_rebind_header(sealed)["office_id"]
    return office_id, rebind_office(ctx, office_id, sealed)


def replace_authority(session: Session, office: Office, new_key: bytes, *, until_sequence: int, how: str,
                      now: datetime) -> None:
    """From ``until_sequence`` on, the office's batches chain to ``new_key``; the old key is kept for the past.

    Batches held for a gap past the boundary were signed under the old key: they can never be
    accepted now, so they go (the office batches their items again).
    """
    old = office.authority_public_key
    session.add(FormerAuthority(office_id=office.id, public_key=old, until_sequence=until_sequence,
                                replaced_by=new_key, how=how, replaced_at=now))
    office.authority_public_key = new_key
    if how == "rebind":
        dropped = session.execute(delete(HeldBatch).where(HeldBatch.office_id == office.id,
                                                          HeldBatch.sequence > until_sequence)).rowcount
    else:
        dropped = 0
    audit.append(session, at=now, actor=f"office:{office.id}", action=f"authority_{how}", subject=office.id,
                 detail={"old": fingerprint(old), "new": fingerprint(new_key), "effective_after_sequence": until_sequence,
                         "held_dropped": dropped})


def authority_at(session: Session, office: Office, sequence: int) -> bytes:
    """The authority key batch ``sequence`` of ``office`` chains to (the current one after the last boundary)."""
    row = session.execute(
        select(FormerAuthority.public_key).where(FormerAuthority.office_id == office.id,
                                                 FormerAuthority.until_sequence >= sequence)
        .order_by(FormerAuthority.until_sequence, FormerAuthority.id).limit(1)
    ).scalar_one_or_none()
    return row if row is not None else office.authority_public_key
