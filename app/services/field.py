"""Ground checks, office side: household records, assignment files out, results files in, field-by-field merge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import field_merge, workflow
from app.domain.errors import Term
from app.domain.socioeconomic import CATALOGUE, VARIABLES
from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.storage.field_models import (
    FieldAssignment,
    FieldBoxKey,
    FieldDecision,
    FieldMergeBase,
    FieldPhoto,
    FieldRemark,
    FieldResultRow,
    HouseholdRecord,
    HouseholdRecordVersion,
)
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SigningKey
from app.sync import field as files
from app.sync.field import MAX_FILE_BYTES as MAX_FILE_BYTES  # the import screen's read limit
from app.sync import keys
from app.sync.certificates import OperatorCertificate
from app.sync.errors import SyncError


class NoSuchHousehold(UsulkanError):
    template = N_("No household record with No. KK {kk}.")
    hint = N_("Enter the household's record first, then assign the ground check.")


class NotFieldStaff(UsulkanError):
    template = N_("This person is not enrolled as field staff, or has no key for assignments yet.")
    hint = N_("The Lurah enrols field staff; each signs in once so Usulkan makes their key.")


class ResultsNotOurs(UsulkanError):
    template = N_("This results file answers no assignment of this office.")
    hint = N_("Import results only from the field person the assignment was written for.")


class ResultsDoNotMatch(UsulkanError):
    template = N_("The results file names a household or a version that was not assigned (No. KK {kk}).")
    hint = N_("Nothing was changed. Ask the field person to check the assignment again.")


class DueDatePassed(UsulkanError):
    template = N_("The due date has already passed.")
    hint = N_("Choose today or a later day.")


class InvalidValue(UsulkanError):
    template = N_("“{value}” is not an allowed answer for {variable}.")


def _now(ctx: OfficeContext):
    return office_keys.now_seconds(ctx)


def _office_id(session: Session) -> str:
    return office_keys.server_office_id(session)


def authority_public(session: Session) -> bytes:
    row = session.scalars(select(SigningKey).where(SigningKey.owner == AUTHORITY_OWNER, SigningKey.active.is_(True))
                          .order_by(SigningKey.id.desc())).first()
    if row is None:
        raise office_keys.AuthorityKeyMissing()
    return row.public_key


def _office_work(ctx: OfficeContext) -> None:
    workflow.require_office_role(ctx.operator_role)


# ---------------------------------------------------------------- household records


@dataclass(frozen=True)
class HouseholdView:
    kk_number: str
    head_name: str
    address: str
    values: dict[str, str]
    version: int


def _view(row: HouseholdRecord) -> HouseholdView:
    return HouseholdView(row.kk_number, row.head_name, row.address, dict(row.values), row.version)


def _check_values(values: dict[str, str]) -> None:
    for code, value in values.items():
        variable = CATALOGUE.get(code)
        if variable is None or not variable.allows(value):
            raise InvalidValue(value=value, variable=Term(variable.label) if variable else code)


def _new_version(session: Session, row: HouseholdRecord, values: dict, source: str, who: str | None, now) -> None:
    row.values = dict(values)
    row.version += 1
    row.updated_at = now
    session.add(HouseholdRecordVersion(kk_number=row.kk_number, version=row.version, values=dict(values),
                                       source=source, made_by=who, made_at=now))


def record_household(ctx: OfficeContext, kk_number: str, *, head_name: str, address: str,
                     values: dict[str, str]) -> HouseholdView:
    """The office types (or corrects) a household's socio-economic record: a new version."""
    _office_work(ctx)
    _check_values(values)
    now = _now(ctx)
    with ctx.transaction() as session:
        row = session.get(HouseholdRecord, kk_number)
        if row is None:
            row = HouseholdRecord(kk_number=kk_number, head_name=head_name, address=address, values={}, version=0,
                                  updated_at=now)
            session.add(row)
            session.flush()
        row.head_name, row.address = head_name, address
        changed = {code for code, value in values.items() if row.values.get(code) != value}
        _new_version(session, row, {**row.values, **values}, "office", ctx.operator_id, now)
        _office_decides(ctx, session, kk_number, changed, now)
        ctx.audit(session, "household_record.edit", "household_record", kk_number, version=row.version)
        return _view(row)


def _office_decides(ctx: OfficeContext, session: Session, kk: str, changed: set[str], now) -> None:
    """An office edit after results came in is the office's decision on those results for that field.

    So a later correction by the office does not bring back a conflict with results already
    merged; a result that arrives afterwards is compared with the new value as usual.
    """
    if not changed or session.scalars(select(FieldResultRow.id).where(FieldResultRow.kk_number == kk)).first() is None:
        return
    record, _, _, results, _ = _merge_inputs(session, kk)
    for code in sorted(changed):
        ids = sorted(r.result_id for r in field_merge.counted(results) if code in r.changed())
        if ids:
            session.add(FieldDecision(kk_number=kk, variable=code, results=ids, value=record.values.get(code),
                                      decided_by=ctx.operator_id, decided_at=now))
    session.flush()
    remerge_in(ctx, session, kk)


def get_household(ctx: OfficeContext, kk_number: str) -> HouseholdView:
    with ctx.reading() as session:
        row = session.get(HouseholdRecord, kk_number)
        if row is None:
            raise NoSuchHousehold(kk=kk_number)
        return _view(row)


def list_households(ctx: OfficeContext) -> list[HouseholdView]:
    with ctx.reading() as session:
        return [_view(r) for r in session.scalars(select(HouseholdRecord).order_by(HouseholdRecord.head_name))]


# ---------------------------------------------------------------- assignments out


@dataclass(frozen=True)
class FieldPerson:
    id: str
    name: str
    has_key: bool


def field_people(ctx: OfficeContext) -> list[FieldPerson]:
    with ctx.reading() as session:
        people = session.scalars(select(Operator).where(Operator.role == "field_staff", Operator.active.is_(True))
                                 .order_by(Operator.name)).all()
        with_key = set(session.scalars(select(FieldBoxKey.person_id)))
        return [FieldPerson(p.id, p.name, p.id in with_key) for p in people]


def _person_certificate(session: Session, person_id: str, now) -> OperatorCertificate | None:
    for row in session.scalars(select(Certificate).where(Certificate.operator_id == person_id,
                                                         Certificate.valid_until > now)
                               .order_by(Certificate.issued_at.desc())):
        return OperatorCertificate.from_bytes(row.body.encode("utf-8"))
    return None


def box_key_of(session: Session, person_id: str, now) -> bytes:
    """The field person's box key, checked against their field-staff certificate from the Lurah."""
    person = session.get(Operator, person_id)
    cert = _person_certificate(session, person_id, now)
    if person is None or not person.active or person.role != "field_staff" or cert is None:
        raise NotFieldStaff()
    authority = authority_public(session)
    for row in session.scalars(select(FieldBoxKey).where(FieldBoxKey.person_id == person_id)
                               .order_by(FieldBoxKey.id.desc())):
        try:
            box = files.BoxKey.from_bytes(row.statement.encode("utf-8"))
            if box.person_id != person_id:
                continue
            files.verify_box_key(box, cert, authority, at=box.issued_at)
        except SyncError:
            continue  # planted or stale: never sealed to
        return box.public_key
    raise NotFieldStaff()


def write_assignment(ctx: OfficeContext, person_id: str, kk_numbers: list[str], due: date,
                     variables: tuple[str, ...] | None = None) -> bytes:
    """The assignment file for ``person_id``: sealed to their own key, signed by the operator signed in."""
    _office_work(ctx)
    if due < ctx.today():
        raise DueDatePassed()
    variables = tuple(variables or (v.code for v in VARIABLES))
    now = _now(ctx)
    with ctx.transaction() as session:
        recipient = box_key_of(session, person_id, now)
        signer, cert = office_keys.signer_in(ctx, session), office_keys.certificate_in(ctx, session)
        remarks = session.scalars(select(FieldRemark).where(FieldRemark.person_id == person_id,
                                                            FieldRemark.sent_in.is_(None))).all()
        assignment_id = str(uuid.uuid4())
        households = []
        for kk in dict.fromkeys(kk_numbers):
            row = session.get(HouseholdRecord, kk)
            if row is None:
                raise NoSuchHousehold(kk=kk)
            mine = [files.Remark(r.kind, r.text) for r in remarks if r.kk_number == kk]
            households.append(files.AssignedHousehold(kk, row.head_name, row.address, variables, row.version,
                                                      dict(row.values), tuple(mine)))
        for remark in remarks:
            if remark.kk_number in {h.kk_number for h in households}:
                remark.sent_in = assignment_id
        back = keys.generate_x25519()
        assignment = files.Assignment(assignment_id, _office_id(session), person_id, ctx.operator_id, now, due,
                                      keys.public_bytes(back.public_key()), tuple(households), cert)
        data = files.write_assignment(assignment, signer, recipient)
        session.add(FieldAssignment(id=assignment_id, person_id=person_id, assigned_by=ctx.operator_id, due_date=due,
                                    households={h.kk_number: h.base_version for h in households},
                                    variables=list(variables),
                                    return_private=keys.private_bytes(back), created_at=now))
        ctx.audit(session, "field.assign", "field_assignment", assignment_id, person_id=person_id,
                  households=len(households), due=due.isoformat())
        return data


def add_remark(ctx: OfficeContext, person_id: str, kk_number: str, kind: str, text: str) -> None:
    """A rejection or question on a result: it goes to the field person with their next assignment."""
    _office_work(ctx)
    if kind not in files.REMARK_KINDS or not text.strip():
        raise ValueError("remark kind or text")
    with ctx.transaction() as session:
        session.add(FieldRemark(person_id=person_id, kk_number=kk_number, kind=kind, text=text.strip()[:files.MAX_NOTE],
                                made_by=ctx.operator_id, made_at=_now(ctx)))
        ctx.audit(session, "field.remark", "household_record", kk_number, kind=kind)


# ---------------------------------------------------------------- results in


@dataclass(frozen=True)
class ImportReport:
    results_id: str
    person_name: str
    households: int
    already_imported: bool
    applied: int
    conflicts: int


def import_results(ctx: OfficeContext, data: bytes) -> ImportReport:
    """Check a results file whole, keep it, and merge it into the household records; twice changes nothing."""
    _office_work(ctx)
    header = files.results_header(data)
    with ctx.transaction() as session:
        office_id = _office_id(session)
        if header.office_id != office_id:
            raise files.FieldFileRefused("wrong_office")
        assignment = None
        for row in session.scalars(select(FieldAssignment).where(FieldAssignment.person_id == header.person_id)):
            back = keys.x25519_private_from_bytes(row.return_private)
            if keys.key_id(keys.public_bytes(back.public_key())) == header.recipient_key_id:
                assignment = row
                break
        if assignment is None:
            raise ResultsNotOurs()
        results = files.open_results(data, back, office_id=office_id, authority=authority_public(session))
        if results.assignment_id != assignment.id or results.person_id != assignment.person_id:
            raise ResultsNotOurs()
        known = _person_certificate(session, results.person_id, results.created_at)
        if known is None or known.public_key != results.certificate.public_key:
            # A certificate this office issued; a revoked person's newer files stop here too.
            raise files.FieldFileRefused("not_certified")
        person = session.get(Operator, results.person_id)
        if person is None or not person.active or person.role != "field_staff":
            raise files.FieldFileRefused("not_certified")  # revoked since, or never field staff
        if session.scalars(select(FieldResultRow.id).where(FieldResultRow.results_id == results.results_id)).first():
            return ImportReport(results.results_id, person.name, len(results.records), True, 0, 0)
        allowed = set(assignment.variables)
        for record in results.records:
            base = _base_values(session, record.kk_number, record.base_version)
            if assignment.households.get(record.kk_number) != record.base_version or base is None or \
                    any(base.get(code) != value and code not in allowed for code, value in record.values.items()):
                raise ResultsDoNotMatch(kk=record.kk_number)
        now = _now(ctx)
        applied = conflicts = 0
        for record in results.records:
            row = FieldResultRow(results_id=results.results_id, assignment_id=assignment.id,
                                 person_id=results.person_id, kk_number=record.kk_number,
                                 base_version=record.base_version, values=dict(record.values),
                                 latitude=record.latitude, longitude=record.longitude, notes=record.notes,
                                 checked_at=record.checked_at, imported_at=now)
            session.add(row)
            session.flush()
            for photo in record.photos:
                session.add(FieldPhoto(result_id=row.id, kind=photo.kind, sha256=photo.sha256, data=photo.data))
            outcome = remerge_in(ctx, session, record.kk_number)
            applied += len(outcome.applied)
            conflicts += len(outcome.conflicts)
        ctx.audit(session, "field.import", "field_assignment", assignment.id, results_id=results.results_id,
                  households=len(results.records), applied=applied, conflicts=conflicts)
        return ImportReport(results.results_id, person.name, len(results.records), False, applied, conflicts)


def _base_values(session: Session, kk: str, version: int) -> dict | None:
    row = session.scalars(select(HouseholdRecordVersion).where(HouseholdRecordVersion.kk_number == kk,
                                                               HouseholdRecordVersion.version == version)).first()
    return None if row is None else dict(row.values)


def _merge_inputs(session: Session, kk: str):
    record = session.get(HouseholdRecord, kk)
    if record is None:
        raise NoSuchHousehold(kk=kk)
    office_line = dict(record.values)
    bases = {b.variable: b for b in session.scalars(select(FieldMergeBase).where(FieldMergeBase.kk_number == kk))}
    for code, base in bases.items():
        if record.values.get(code) == base.applied_value:
            office_line[code] = base.office_value  # the field's value, not the office's own
    results = [field_merge.FieldResult(f"{r.results_id}:{kk}", _base_values(session, kk, r.base_version) or {},
                                       dict(r.values), r.base_version)
               for r in session.scalars(select(FieldResultRow).where(FieldResultRow.kk_number == kk))]
    decisions = [field_merge.Decision(d.variable, tuple(d.results), d.value)
                 for d in session.scalars(select(FieldDecision).where(FieldDecision.kk_number == kk)
                                          .order_by(FieldDecision.id))]
    return record, office_line, bases, results, decisions


def remerge_in(ctx: OfficeContext, session: Session, kk: str) -> field_merge.Outcome:
    """Recompute the household from the office's own values and every result and decision it has."""
    record, office_line, bases, results, decisions = _merge_inputs(session, kk)
    outcome = field_merge.merge(office_line, results, decisions)
    for code in set(outcome.values) | set(bases):
        value, own = outcome.values.get(code), office_line.get(code)
        base = bases.get(code)
        if value != own:
            if base is None:
                session.add(FieldMergeBase(kk_number=kk, variable=code, office_value=own, applied_value=value))
            else:
                base.office_value, base.applied_value = own, value
        elif base is not None:
            session.delete(base)
    values = {k: v for k, v in outcome.values.items() if v is not None}
    if values != record.values:
        _new_version(session, record, values, "field", ctx.operator_id, _now(ctx))
    return outcome


# ---------------------------------------------------------------- conflicts


@dataclass(frozen=True)
class ConflictView:
    kk_number: str
    head_name: str
    variable: str
    office_value: str | None
    field_values: tuple[str, ...]
    results: tuple[str, ...]
    reason: str


def conflicts(ctx: OfficeContext) -> list[ConflictView]:
    """Every field waiting for the operator, household by household."""
    with ctx.reading() as session:
        kks = sorted(set(session.scalars(select(FieldResultRow.kk_number))))
        found = []
        for kk in kks:
            record, office_line, _, results, decisions = _merge_inputs(session, kk)
            for c in field_merge.merge(office_line, results, decisions).conflicts:
                found.append(ConflictView(kk, record.head_name, c.variable, c.office_value, c.field_values,
                                          c.results, c.reason))
        return found


def decide(ctx: OfficeContext, conflict: ConflictView, value: str | None) -> HouseholdView:
    """The operator's choice for one conflicting field: the office's value or one the field found."""
    _office_work(ctx)
    if value != conflict.office_value and value not in conflict.field_values:
        raise ValueError("a decision takes the office's value or a field value")
    with ctx.transaction() as session:
        session.add(FieldDecision(kk_number=conflict.kk_number, variable=conflict.variable,
                                  results=list(conflict.results), value=value, decided_by=ctx.operator_id,
                                  decided_at=_now(ctx)))
        session.flush()
        remerge_in(ctx, session, conflict.kk_number)
        ctx.audit(session, "field.decide", "household_record", conflict.kk_number, variable=conflict.variable,
                  took="office" if value == conflict.office_value else "field")
        return _view(session.get(HouseholdRecord, conflict.kk_number))


def take_in_ground_checks(ctx: OfficeContext) -> list[str]:
    """A household record for every proposal waiting for its ground check that has none yet.

    Its values are the DTSEN values the proposal names as they are registered (each change's old
    value), so the field person checks them against what they find. Returns the new No. KKs.
    """
    from app.domain.workflow import State
    from app.storage.models import Household, Proposal

    _office_work(ctx)
    now = _now(ctx)
    made = []
    with ctx.transaction() as session:
        rows = session.execute(select(Proposal, Household).join(Household, Household.proposal_id == Proposal.id)
                               .where(Proposal.state == State.GROUND_CHECK.value)).all()
        for proposal, household in rows:
            if household.kk_number in made or session.get(HouseholdRecord, household.kk_number) is not None:
                continue
            values = {c["variable"]: c["old"] for c in proposal.changes
                      if c["variable"] in CATALOGUE and CATALOGUE[c["variable"]].allows(c["old"])}
            head = household.members[0].name if household.members else household.kk_number
            address = f"{household.address} RT {household.rt}/RW {household.rw}"
            record = HouseholdRecord(kk_number=household.kk_number, head_name=head, address=address, values={},
                                     version=0, updated_at=now)
            session.add(record)
            session.flush()
            _new_version(session, record, values, "office", ctx.operator_id, now)
            ctx.audit(session, "household_record.from_proposal", "household_record", household.kk_number,
                      proposal_id=proposal.id)
            made.append(household.kk_number)
    return made


def remark_on_household(ctx: OfficeContext, kk_number: str, kind: str, text: str) -> str:
    """A question or rejection to the field person who last sent results for the household; their id."""
    with ctx.reading() as session:
        person = session.scalars(select(FieldResultRow.person_id).where(FieldResultRow.kk_number == kk_number)
                                 .order_by(FieldResultRow.id.desc())).first()
    if person is None:
        raise NoSuchHousehold(kk=kk_number)
    add_remark(ctx, person, kk_number, kind, text)
    return person


@dataclass(frozen=True)
class ResultDetail:
    person_name: str
    checked_at: object
    latitude: str | None
    longitude: str | None
    notes: str
    photos: tuple[tuple[str, bytes], ...]


def result_details(ctx: OfficeContext, kk_number: str) -> list[ResultDetail]:
    """What the field found at the household, newest first: notes, coordinates, photos."""
    with ctx.reading() as session:
        found = []
        for row in session.scalars(select(FieldResultRow).where(FieldResultRow.kk_number == kk_number)
                                   .order_by(FieldResultRow.id.desc())):
            person = session.get(Operator, row.person_id)
            photos = tuple((p.kind, p.data) for p in session.scalars(
                select(FieldPhoto).where(FieldPhoto.result_id == row.id).order_by(FieldPhoto.kind)))
            found.append(ResultDetail(person.name if person else "", row.checked_at, row.latitude, row.longitude,
                                      row.notes, photos))
        return found
