"""The handover record in the office: stored, signed, countersigned, acknowledged and checked again.

The format itself (canonical body, hash, countersignature statement) is app/sync/handover_record.py.
The leaver signs the canonical body with their certified operator key (when they have one and
hand over themselves); the Lurah countersigns the hash with the authority key; the successor
acknowledges on sign-in. ``verify_record`` re-checks the hash and both signatures.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services import handover, lurah
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.services.handover import HandoverReport
from app.services.handover_work import split_key
from app.storage.handover_models import HandoverRecord
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SigningKey
from app.sync import handover_record as record_format
from app.sync import keys
from app.sync.canonical import parse_time
from app.sync.certificates import OperatorCertificate
from app.sync.errors import FormatInvalid

class HandoverRecordUnknown(UsulkanError):
    template = N_("This handover report is not in the office database.")
    hint = N_("Open the list of handovers again and choose the report from there.")


class HandoverRecordTampered(UsulkanError):
    template = N_("The handover report was changed after it was made: its content no longer matches its fingerprint.")
    hint = N_("Do not rely on this report. Tell the Lurah; the audit log shows who changed what.")


class OperatorSignatureInvalid(UsulkanError):
    template = N_("The signature of the person handing over does not match the handover report.")
    hint = N_("Do not rely on this report. Tell the Lurah; the audit log shows who changed what.")


class LurahSignatureInvalid(UsulkanError):
    template = N_("The Lurah's countersignature does not match the handover report.")
    hint = N_("Do not rely on this report. Ask the Lurah to check it and countersign again if needed.")


class AlreadyCountersigned(UsulkanError):
    template = N_("The Lurah has already countersigned this handover report.")
    hint = N_("Nothing more to do: print the report again if you need a signed copy.")


class NotTheSuccessor(UsulkanError):
    template = N_("Only the person who takes over the work can acknowledge this handover.")
    hint = N_("Sign in as that person to acknowledge it.")


@dataclass(frozen=True)
class RecordLine:
    key: str
    type: str
    label: str
    to_operator: str | None
    to_name: str | None
    note: str | None


@dataclass(frozen=True)
class HandoverRecordView:
    """A stored record as the UI and the PDF show it, with the state of its signatures."""

    id: str
    office_name: str
    from_operator: str
    from_name: str
    by_operator: str | None
    by_name: str | None
    successor: str | None
    successor_name: str | None
    at: datetime
    items: tuple[RecordLine, ...]
    report_hash: str
    operator_signed: bool
    operator_key_fingerprint: str | None
    lurah_signed: bool
    lurah_signed_at: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None

    @property
    def short_hash(self) -> str:
        """The first 24 hex digits of the hash in groups of four, to compare by eye or read aloud."""
        return hash_groups(self.report_hash)


def hash_groups(digest: str, digits: int = 24) -> str:
    return " ".join(digest[i : i + 4] for i in range(0, digits, 4))


def main_successor(report: HandoverReport) -> str | None:
    """Who received most of the items (the pool does not count): the one who acknowledges."""
    counts = Counter(line.to_operator for line in report.items if line.to_operator)
    return counts.most_common(1)[0][0] if counts else None


def _operator_key(ctx: OfficeContext, session: Session, from_operator: str) -> tuple[OperatorCertificate, keys.Signer] | None:
    """The leaver's certificate and key, only if the leaver is the one acting: nobody signs with another's key."""
    if ctx.operator_id != from_operator:
        return None
    try:
        cert = office_keys.certificate_in(ctx, session)
        signer = office_keys.signer_in(ctx, session)
    except office_keys.NotCertified:
        return None
    if cert.public_key != signer.public_key_bytes:
        return None  # a key made after the certificate: not one the Lurah vouched for
    return cert, signer


def _person(session: Session, operator_id: str | None) -> record_format.Person | None:
    if operator_id is None:
        return None
    row = session.get(Operator, operator_id)
    return record_format.Person(operator_id, row.name if row is not None else "")


def _body_of(ctx: OfficeContext, session: Session, record_id: str, report: HandoverReport, successor: str | None,
            cert: OperatorCertificate | None) -> bytes:
    """The record's canonical body (app/sync/handover_record.py): what the leaver signs."""
    return record_format.record_bytes(
        record_id=record_id, office_id=ctx.office_id, office_name=ctx.office_name,
        from_person=_person(session, report.from_operator), by_person=_person(session, report.by_operator),
        successor=_person(session, successor), at=report.at,
        items=[record_format.RecordItem(line.key, split_key(line.key)[0], line.label, line.to_operator, line.to_name,
                                        line.note) for line in report.items],
        operator_key=None if cert is None else record_format.OperatorKey.of(cert),
    )


def record_in(ctx: OfficeContext, session: Session, report: HandoverReport, successor: str | None = None) -> HandoverRecord:
    """Store the signed record of ``report`` inside the caller's transaction."""
    successor = successor if successor is not None else main_successor(report)
    record_id = str(uuid.uuid4())
    key = _operator_key(ctx, session, report.from_operator)
    cert, signer = key if key is not None else (None, None)
    body = _body_of(ctx, session, record_id, report, successor, cert)
    row = HandoverRecord(
        id=record_id, from_operator=report.from_operator, successor=successor, body=body.decode("utf-8"),
        report_hash=record_format.report_hash(body),
        operator_public_key=signer.public_key_bytes if signer else None,
        operator_signature=signer.sign(body) if signer else None,
        created_at=ctx.clock(),
    )
    session.add(row)
    session.flush()
    ctx.audit(session, "handover.record", "handover_record", record_id, from_operator=report.from_operator,
              items=len(report.items), report_hash=row.report_hash, operator_signed=signer is not None)
    return row


def hand_over_and_record(
    ctx: OfficeContext, *, from_operator: str, assignments: dict[str, str | None], notes: dict[str, str],
    successor: str | None = None,
) -> tuple[HandoverReport, str]:
    """``handover.hand_over`` and its signed record in one transaction: (report, record id)."""
    if ctx.operator_id != from_operator and ctx.operator_role != "lurah":
        raise handover.HandoverNotAllowed()
    with ctx.transaction() as session:
        # The same steps hand_over() takes, so work moves only if its record is written too.
        report = handover.hand_over_in(ctx, session, from_operator, assignments, notes)
        return report, record_in(ctx, session, report, successor).id


def record_handover(ctx: OfficeContext, report: HandoverReport, successor: str | None = None) -> str:
    """The record of a handover already made (e.g. by move_all_open_work); returns its id."""
    with ctx.transaction() as session:
        return record_in(ctx, session, report, successor).id


def _row(session: Session, record_id: str) -> HandoverRecord:
    row = session.get(HandoverRecord, record_id)
    if row is None:
        raise HandoverRecordUnknown()
    return row


def countersign(ctx: OfficeContext, record_id: str, confirmation: lurah.LurahConfirmation) -> HandoverRecordView:
    """The Lurah countersigns the report's hash (and the leaver's signature) with the authority key.

    ``confirmation``: the Lurah's approval of endorsing this record (``Purpose.ENDORSE``,
    subject ``record_id``), typed just now, in whoever's session is open.
    """
    with ctx.reading() as session:
        row = _row(session, record_id)
        if row.lurah_signature is not None:
            raise AlreadyCountersigned()  # before the approval is spent on nothing
    lurah_ctx = lurah.require(ctx, confirmation, lurah.Purpose.ENDORSE, record_id)
    with lurah_ctx.transaction() as session:
        row = _row(session, record_id)
        if row.lurah_signature is not None:
            raise AlreadyCountersigned()
        # Never vouch for a report that no longer matches what the leaver signed.
        _check_body(session, row)
        _check_operator(session, row)
        signed_at = office_keys.now_seconds(lurah_ctx)
        authority = office_keys.authority_signer(lurah_ctx, session)
        row.lurah_signature = record_format.countersign(authority, record_id=row.id, digest=row.report_hash,
                                                        operator_signature=row.operator_signature, signed_at=signed_at)
        row.lurah_signed_at = signed_at.replace(tzinfo=None)
        lurah_ctx.audit(session, "handover.countersign", "handover_record", record_id, report_hash=row.report_hash,
                        key_id=keys.key_id(authority.public_key_bytes))
        session.flush()
        return _view(session, row)


def acknowledge(ctx: OfficeContext, record_id: str) -> HandoverRecordView:
    """The successor confirms, on signing in, that they have received the work and read the notes."""
    with ctx.transaction() as session:
        row = _row(session, record_id)
        if row.successor != ctx.operator_id:
            raise NotTheSuccessor()
        if row.acknowledged_at is None:
            _check_body(session, row)
            row.acknowledged_by, row.acknowledged_at = ctx.operator_id, ctx.clock()
            ctx.audit(session, "handover.acknowledge", "handover_record", record_id, report_hash=row.report_hash)
        session.flush()
        return _view(session, row)


def awaiting_acknowledgement(ctx: OfficeContext) -> list[HandoverRecordView]:
    """Handovers to the signed-in person they have not yet confirmed: what sign-in shows them."""
    with ctx.reading() as session:
        rows = session.scalars(
            select(HandoverRecord).where(HandoverRecord.successor == ctx.operator_id,
                                         HandoverRecord.acknowledged_at.is_(None))
            .order_by(HandoverRecord.created_at)
        ).all()
        return [_view(session, row) for row in rows]


def awaiting_countersignature(ctx: OfficeContext) -> list[HandoverRecordView]:
    with ctx.reading() as session:
        rows = session.scalars(
            select(HandoverRecord).where(HandoverRecord.lurah_signature.is_(None)).order_by(HandoverRecord.created_at)
        ).all()
        return [_view(session, row) for row in rows]


def _body(row: HandoverRecord) -> dict:
    try:
        return record_format.parse_record(row.body.encode("utf-8"))
    except FormatInvalid as err:
        raise HandoverRecordTampered() from err


def _check_body(session: Session, row: HandoverRecord) -> dict:
    try:
        return record_format.check_record(row.body.encode("utf-8"), digest=row.report_hash, record_id=row.id,
                                          from_operator=row.from_operator, successor=row.successor)
    except FormatInvalid as err:
        raise HandoverRecordTampered() from err


def _authority_keys(session: Session) -> list[bytes]:
    # Every authority key the office ever had: a report outlives a key change.
    return list(session.scalars(select(SigningKey.public_key).where(SigningKey.owner == AUTHORITY_OWNER)
                                .order_by(SigningKey.id.desc())))


def _check_operator(session: Session, row: HandoverRecord) -> bool:
    """True if the leaver signed (and the signature holds), False if the record says it is unsigned."""
    body = _body(row)
    claimed = body.get("operator_key")
    if claimed is None:
        if row.operator_signature is not None or row.operator_public_key is not None:
            raise OperatorSignatureInvalid()
        return False
    if row.operator_signature is None or row.operator_public_key is None:
        raise OperatorSignatureInvalid()  # a signature promised by the body was taken away
    cert_row = session.get(Certificate, claimed.get("cert_id"))
    if cert_row is None or cert_row.operator_id != row.from_operator:
        raise OperatorSignatureInvalid()
    cert = OperatorCertificate.from_bytes(cert_row.body.encode("utf-8"))
    if not record_format.operator_signature_holds(row.body.encode("utf-8"), body, cert=cert,
                                                  public_key=row.operator_public_key,
                                                  signature=row.operator_signature,
                                                  authority_keys=_authority_keys(session)):
        raise OperatorSignatureInvalid()
    return True


def _check_lurah(session: Session, row: HandoverRecord) -> bool:
    if row.lurah_signature is None:
        if row.lurah_signed_at is not None:
            raise LurahSignatureInvalid()
        return False
    if row.lurah_signed_at is None:
        raise LurahSignatureInvalid()
    if not record_format.countersignature_holds(_authority_keys(session), row.lurah_signature, record_id=row.id,
                                                digest=row.report_hash, operator_signature=row.operator_signature,
                                                signed_at=row.lurah_signed_at):
        raise LurahSignatureInvalid()
    return True


def verify_record(ctx: OfficeContext, record_id: str) -> HandoverRecordView:
    """Check the hash and both signatures; raise a typed error on any mismatch, else the record's view."""
    with ctx.reading() as session:
        row = _row(session, record_id)
        _check_body(session, row)
        _check_operator(session, row)
        _check_lurah(session, row)
        return _view(session, row)


def record_view(ctx: OfficeContext, record_id: str) -> HandoverRecordView:
    """The record as stored, checked: a tampered record raises instead of being shown as valid."""
    return verify_record(ctx, record_id)


def records_of(ctx: OfficeContext, operator_id: str) -> list[str]:
    """Ids of the handover records of ``operator_id``'s work, newest first."""
    with ctx.reading() as session:
        return list(session.scalars(select(HandoverRecord.id).where(HandoverRecord.from_operator == operator_id)
                                    .order_by(HandoverRecord.created_at.desc())))


def _view(session: Session, row: HandoverRecord) -> HandoverRecordView:
    body = _body(row)

    def name(part: str) -> str | None:
        person = body.get(part)
        return person.get("name") if isinstance(person, dict) else None

    by = body.get("by") or {}
    items = tuple(
        RecordLine(item["key"], item["type"], item["label"], item["to"], item["to_name"], item["note"])
        for item in body.get("items", [])
    )
    return HandoverRecordView(
        id=row.id, office_name=body.get("office_name", ""), from_operator=row.from_operator,
        from_name=name("from") or "", by_operator=by.get("id"), by_name=name("by"), successor=row.successor,
        successor_name=name("successor"), at=parse_time(body["at"]), items=items, report_hash=row.report_hash,
        operator_signed=row.operator_signature is not None,
        operator_key_fingerprint=keys.fingerprint(row.operator_public_key) if row.operator_public_key else None,
        lurah_signed=row.lurah_signature is not None, lurah_signed_at=row.lurah_signed_at,
        acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at,
    )


def successors(ctx: OfficeContext, from_operator: str) -> list[tuple[str, str]]:
    """(id, name) of the active people who can take over ``from_operator``'s work, by name."""
    with ctx.reading() as session:
        rows = session.execute(
            select(Operator.id, Operator.name).where(Operator.active.is_(True), Operator.id != from_operator)
            .order_by(Operator.name)
        ).all()
        return [(row.id, row.name) for row in rows]


def lurah_of(ctx: OfficeContext) -> tuple[str, str] | None:
    """(id, name) of the office's active Lurah."""
    with ctx.reading() as session:
        row = session.execute(
            select(Operator.id, Operator.name).where(Operator.role == "lurah", Operator.active.is_(True))
        ).first()
        return (row.id, row.name) if row else None


def operator_name(ctx: OfficeContext, operator_id: str) -> str:
    with ctx.reading() as session:
        row = session.get(Operator, operator_id)
        return row.name if row is not None else ""
