"""Field ground-check files: the assignment sealed to one field person, the results signed by them.

Pure formats (layout in docs/batch-format.md, "Field assignments and results"). Both files are a
clear canonical-JSON header plus an HPKE (X25519, HKDF-SHA256, AES-256-GCM) ciphertext whose
``info`` is the header: office, person, purpose and file id are bound, so a file opens only for
the person and purpose it names. Inside is a signed record: the assignment by the office
operator who assigned it (certified by the Lurah, role ``operator``), the results by the field
person's own key (certified by the Lurah, role ``field_staff``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)

from app.domain.socioeconomic import CATALOGUE
from app.i18n import N_
from app.sync.canonical import (
    Fields,
    as_received,
    b64url_decode,
    canonical_bytes,
    format_time,
    normalise_times,
    parse_canonical,
    sha256_hex,
)
from app.sync.certificates import OperatorCertificate, verify_certificate
from app.sync.envelope import SUITE
from app.sync.errors import CertificateError, FormatInvalid, NotCanonical, _Reasoned
from app.sync.keys import (
    KEY_BYTES,
    KEY_ID,
    SIGNATURE_BYTES,
    Signer,
    key_id,
    public_bytes,
    verify_ed25519,
)

FILE_FORMAT = "usulkan-field-file"
ASSIGNMENT_FORMAT = "usulkan-field-assignment"
RESULTS_FORMAT = "usulkan-field-results"
BOX_KEY_FORMAT = "usulkan-field-box-key"
VERSION = 1
ASSIGNMENT, RESULTS = "assignment", "results"
PHOTO_KINDS = ("front", "inside", "kk")
REMARK_KINDS = ("rejection", "question")
MAX_HOUSEHOLDS = 500
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 512 * 1024 * 1024  # checked before parsing; photos are downscaled before they travel
MAX_NOTE = 4000
_KK = re.compile(r"\d{16}")
_COORD = re.compile(r"-?\d{1,3}\.\d{1,8}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldFileRefused(_Reasoned):
    """A field file that must not be used; nothing is changed by it."""

    messages: ClassVar[dict[str, tuple[str, str | None]]] = {
        "damaged": (N_("The field file is damaged or is not a Usulkan field file."),
                    N_("Ask for the file again; copy it whole.")),
        "too_large": (N_("The field file is too large."), None),
        "not_for_you": (N_("This assignment file is meant for another person or another office."),
                        N_("Only the field person it was written for can open it, with their own key.")),
        "wrong_purpose": (N_("This is not the kind of field file expected here."),
                          N_("Open assignment files on the field laptop and results files in the office.")),
        "wrong_office": (N_("This field file belongs to another office."), None),
        "not_certified": (N_("The field file is not signed by a person the Lurah certified for this work."),
                          N_("Field results must be signed by enrolled field staff, assignments by an operator.")),
        "bad_signature": (N_("The field file's signature does not match its content: it was changed."),
                          N_("Ask the field person to write the results file again.")),
        "bad_photo": (N_("A photo in the results file does not match its fingerprint."), None),
        "bad_value": (N_("The results file holds a value that is not a DTSEN answer ({field})."), None),
    }


def _refuse(reason: str, **params: Any) -> FieldFileRefused:
    return FieldFileRefused(reason, **params)


# ---------------------------------------------------------------- the sealed frame


def _header(purpose: str, office_id: str, person_id: str, file_id: str, recipient: bytes) -> dict[str, Any]:
    return {"format": FILE_FORMAT, "version": VERSION, "purpose": purpose, "office_id": office_id,
            "person_id": person_id, "file_id": file_id, "recipient_key_id": key_id(recipient)}


def _seal(payload: bytes, recipient: bytes, **header: str) -> bytes:
    head = _header(recipient=recipient, **header)
    sealed = SUITE.encrypt(payload, X25519PublicKey.from_public_bytes(recipient), info=canonical_bytes(head))
    return canonical_bytes({**head, "sealed": sealed})


@dataclass(frozen=True)
class FileHeader:
    purpose: str
    office_id: str
    person_id: str
    file_id: str
    recipient_key_id: str


def read_header(data: bytes) -> FileHeader:
    """The clear header of a field file (who and what it is for), nothing decrypted."""
    header, _ = _frame(data)
    return header


def _frame(data: bytes) -> tuple[FileHeader, bytes]:
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("too_large")
    try:
        f = Fields(parse_canonical(data, where="field_file"), "field_file")
        f.constant("format", FILE_FORMAT)
        f.constant("version", VERSION)
        header = FileHeader(f.text("purpose", choices=(ASSIGNMENT, RESULTS)), f.uuid("office_id"),
                            f.uuid("person_id"), f.uuid("file_id"), f.text("recipient_key_id", pattern=KEY_ID))
        sealed = f.raw("sealed")
        f.done()
    except (FormatInvalid, NotCanonical) as err:
        raise _refuse("damaged") from err
    return header, sealed


def _open(data: bytes, private: X25519PrivateKey, *, purpose: str, office_id: str,
          person_id: str | None) -> tuple[FileHeader, bytes]:
    header, sealed = _frame(data)
    if header.purpose != purpose:
        raise _refuse("wrong_purpose")
    if header.office_id != office_id:
        raise _refuse("wrong_office" if purpose == RESULTS else "not_for_you")
    if person_id is not None and header.person_id != person_id:
        raise _refuse("not_for_you")
    recipient = public_bytes(private.public_key())
    if header.recipient_key_id != key_id(recipient):
        raise _refuse("not_for_you")
    info = canonical_bytes(_header(header.purpose, header.office_id, header.person_id, header.file_id, recipient))
    try:
        return header, SUITE.decrypt(sealed, private, info=info)
    except Exception as err:  # InvalidTag, or a malformed encapsulated key
        raise _refuse("damaged") from err


def _check_signer(cert: OperatorCertificate, authority: bytes, *, role: str, office_id: str,
                  person_id: str, at: datetime) -> None:
    if cert.role != role or cert.office_id != office_id or cert.operator_id != person_id:
        raise _refuse("not_certified")
    try:
        verify_certificate(cert, authority, at=at)
    except CertificateError as err:
        raise _refuse("not_certified") from err


def _signed(body: dict[str, Any], signer: Signer) -> dict[str, Any]:
    return as_received({**body, "signature": signer.sign(canonical_bytes(body))})


def _verify(obj: dict[str, Any], public: bytes) -> None:
    body = {k: v for k, v in obj.items() if k != "signature"}
    try:
        signature = b64url_decode(obj.get("signature", ""))
    except (ValueError, TypeError) as err:
        raise _refuse("bad_signature") from err
    if len(signature) != SIGNATURE_BYTES or not verify_ed25519(public, signature, canonical_bytes(body)):
        raise _refuse("bad_signature")


# ---------------------------------------------------------------- the field person's box key


@dataclass(frozen=True)
class BoxKey:
    """The field person's statement, signed by their certified key, of the X25519 key to seal to."""

    office_id: str
    person_id: str
    public_key: bytes
    issued_at: datetime
    signature: bytes = field(repr=False)

    def body(self) -> dict[str, Any]:
        return {"format": BOX_KEY_FORMAT, "office_id": self.office_id, "person_id": self.person_id,
                "public_key": self.public_key, "issued_at": self.issued_at}

    def to_bytes(self) -> bytes:
        return canonical_bytes({**self.body(), "signature": self.signature})

    @classmethod
    def from_bytes(cls, data: bytes) -> BoxKey:
        f = Fields(parse_canonical(data, where="box_key"), "box_key")
        f.constant("format", BOX_KEY_FORMAT)
        key = cls(f.uuid("office_id"), f.uuid("person_id"), f.raw("public_key", length=KEY_BYTES),
                  f.time("issued_at"), f.raw("signature", length=SIGNATURE_BYTES))
        f.done()
        return key


def issue_box_key(signer: Signer, *, office_id: str, person_id: str, public_key: bytes, issued_at: datetime) -> BoxKey:
    unsigned = BoxKey(office_id, person_id, public_key, issued_at.replace(microsecond=0), b"")
    return BoxKey(office_id, person_id, public_key, unsigned.issued_at, signer.sign(canonical_bytes(unsigned.body())))


def verify_box_key(box: BoxKey, cert: OperatorCertificate, authority: bytes, *, at: datetime) -> None:
    """Raise unless the box key is signed by ``cert``'s key and ``cert`` certifies a field person."""
    _check_signer(cert, authority, role="field_staff", office_id=box.office_id, person_id=box.person_id, at=at)
    if not verify_ed25519(cert.public_key, box.signature, canonical_bytes(box.body())):
        raise _refuse("bad_signature")


# ---------------------------------------------------------------- the assignment


@dataclass(frozen=True)
class Remark:
    kind: str  # rejection | question
    text: str


@dataclass(frozen=True)
class AssignedHousehold:
    kk_number: str
    head_name: str
    address: str
    variables: tuple[str, ...]
    base_version: int
    base_values: dict[str, str]
    remarks: tuple[Remark, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kk_number": self.kk_number, "head_name": self.head_name, "address": self.address,
                "variables": list(self.variables), "base_version": self.base_version,
                "base_values": dict(self.base_values),
                "remarks": [{"kind": r.kind, "text": r.text} for r in self.remarks]}


@dataclass(frozen=True)
class Assignment:
    assignment_id: str
    office_id: str
    person_id: str
    assigned_by: str
    issued_at: datetime
    due_date: date
    return_key: bytes  # X25519: what the results file is sealed to
    households: tuple[AssignedHousehold, ...]
    certificate: OperatorCertificate

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at")

    def body(self) -> dict[str, Any]:
        return {"format": ASSIGNMENT_FORMAT, "assignment_id": self.assignment_id, "office_id": self.office_id,
                "person_id": self.person_id, "assigned_by": self.assigned_by, "issued_at": self.issued_at,
                "due_date": self.due_date.isoformat(), "return_key": self.return_key,
                "households": [h.to_dict() for h in self.households],
                "certificate": self.certificate.to_dict()}


def _values(f: Fields, key: str, *, allowed: tuple[str, ...] | None = None) -> dict[str, str]:
    obj = f.object(key)
    for code, value in obj.items():
        variable = CATALOGUE.get(code)
        if variable is None or not variable.allows(value) or (allowed is not None and code not in allowed):
            raise _refuse("bad_value", field=f"{f.path(key)}.{code}")
    return dict(obj)


def _read_household(f: Fields) -> AssignedHousehold:
    variables = f.array("variables", max_items=len(CATALOGUE), min_items=1)
    if len(set(variables)) != len(variables) or any(v not in CATALOGUE for v in variables):
        raise FormatInvalid(field=f.path("variables"))
    household = AssignedHousehold(
        kk_number=f.text("kk_number", pattern=_KK), head_name=f.text("head_name"),
        address=f.text("address", max_len=500), variables=tuple(variables),
        base_version=f.integer("base_version"), base_values=_values(f, "base_values"),
        remarks=tuple(_read_remark(r) for _, r in f.each("remarks", max_items=50)))
    f.done()
    return household


def _read_remark(f: Fields) -> Remark:
    remark = Remark(f.text("kind", choices=REMARK_KINDS), f.text("text", max_len=MAX_NOTE))
    f.done()
    return remark


def write_assignment(assignment: Assignment, signer: Signer, recipient: bytes) -> bytes:
    """The assignment signed by the assigning operator and sealed to the field person's box key."""
    if signer.public_key_bytes != assignment.certificate.public_key:
        raise ValueError("the signer is not the key the certificate names")
    if len(assignment.households) > MAX_HOUSEHOLDS:
        raise ValueError("too many households for one assignment")
    payload = canonical_bytes(_signed(assignment.body(), signer))
    return _seal(payload, recipient, purpose=ASSIGNMENT, office_id=assignment.office_id,
                 person_id=assignment.person_id, file_id=assignment.assignment_id)


def open_assignment(data: bytes, private: X25519PrivateKey, *, office_id: str, person_id: str,
                    authority: bytes) -> Assignment:
    """The assignment, if it is for this person (their own box key) and signed by a certified operator."""
    header, plain = _open(data, private, purpose=ASSIGNMENT, office_id=office_id, person_id=person_id)
    try:
        obj = parse_canonical(plain, where="assignment")
        f = Fields(obj, "assignment")
        f.constant("format", ASSIGNMENT_FORMAT)
        cert = OperatorCertificate.from_dict(f.object("certificate"), where="assignment.certificate")
        due = f.text("due_date", pattern=_DATE)
        assignment = Assignment(
            assignment_id=f.uuid("assignment_id"), office_id=f.uuid("office_id"), person_id=f.uuid("person_id"),
            assigned_by=f.uuid("assigned_by"), issued_at=f.time("issued_at"), due_date=date.fromisoformat(due),
            return_key=f.raw("return_key", length=KEY_BYTES),
            households=tuple(_read_household(h) for _, h in f.each("households", max_items=MAX_HOUSEHOLDS,
                                                                    min_items=1)),
            certificate=cert)
        f.raw("signature", length=SIGNATURE_BYTES)
        f.done()
    except (FormatInvalid, NotCanonical, ValueError) as err:
        if isinstance(err, FieldFileRefused):
            raise
        raise _refuse("damaged") from err
    _accept(obj, header, (assignment.assignment_id, assignment.office_id, assignment.person_id), cert, authority,
            role="operator", office_id=office_id, signer=assignment.assigned_by, at=assignment.issued_at)
    return assignment


# ---------------------------------------------------------------- the results


@dataclass(frozen=True)
class Photo:
    kind: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


@dataclass(frozen=True)
class ResultRecord:
    kk_number: str
    base_version: int
    values: dict[str, str]
    checked_at: datetime
    photos: tuple[Photo, ...] = ()
    latitude: str | None = None
    longitude: str | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kk_number": self.kk_number, "base_version": self.base_version, "values": dict(self.values),
                "checked_at": format_time(self.checked_at),
                "photos": [{"kind": p.kind, "sha256": p.sha256, "size": len(p.data)} for p in self.photos],
                "latitude": self.latitude, "longitude": self.longitude, "notes": self.notes}


@dataclass(frozen=True)
class Results:
    results_id: str
    assignment_id: str
    office_id: str
    person_id: str
    created_at: datetime
    records: tuple[ResultRecord, ...]
    certificate: OperatorCertificate

    def __post_init__(self) -> None:
        normalise_times(self, "created_at")

    def body(self) -> dict[str, Any]:
        return {"format": RESULTS_FORMAT, "results_id": self.results_id, "assignment_id": self.assignment_id,
                "office_id": self.office_id, "person_id": self.person_id, "created_at": self.created_at,
                "records": [r.to_dict() for r in self.records], "certificate": self.certificate.to_dict()}


def check_coordinates(latitude: str | None, longitude: str | None) -> bool:
    if latitude is None and longitude is None:
        return True
    if latitude is None or longitude is None or not _COORD.fullmatch(latitude) or not _COORD.fullmatch(longitude):
        return False
    return -90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180


def write_results(results: Results, signer: Signer, return_key: bytes) -> bytes:
    """The results signed by the field person's own key and sealed to the assignment's return key."""
    if signer.public_key_bytes != results.certificate.public_key:
        raise ValueError("the signer is not the key the certificate names")
    for record in results.records:
        if not check_coordinates(record.latitude, record.longitude):
            raise ValueError("coordinates must be decimal degrees as text")
        if any(len(p.data) > MAX_PHOTO_BYTES or p.kind not in PHOTO_KINDS for p in record.photos):
            raise ValueError("photo too large or of an unknown kind")
    photos = {p.sha256: p.data for r in results.records for p in r.photos}
    payload = canonical_bytes({"results": _signed(results.body(), signer),
                               "photos": [{"sha256": h, "data": d} for h, d in sorted(photos.items())]})
    return _seal(payload, return_key, purpose=RESULTS, office_id=results.office_id,
                 person_id=results.person_id, file_id=results.results_id)


def results_header(data: bytes) -> FileHeader:
    header = read_header(data)
    if header.purpose != RESULTS:
        raise _refuse("wrong_purpose")
    return header


def _read_record(f: Fields, photos: dict[str, bytes]) -> ResultRecord:
    kept = []
    for _, p in f.each("photos", max_items=len(PHOTO_KINDS)):
        kind, digest, size = p.text("kind", choices=PHOTO_KINDS), p.digest("sha256"), p.integer("size",
                                                                                               maximum=MAX_PHOTO_BYTES)
        p.done()
        data = photos.get(digest)
        if data is None or len(data) != size or sha256_hex(data) != digest:
            raise _refuse("bad_photo")
        kept.append(Photo(kind, data))
    latitude, longitude = f.text("latitude", max_len=20, nullable=True), f.text("longitude", max_len=20, nullable=True)
    if not check_coordinates(latitude, longitude):
        raise FormatInvalid(field=f.path("latitude"))
    notes = f._take("notes")
    if not isinstance(notes, str) or len(notes) > MAX_NOTE:
        raise FormatInvalid(field=f.path("notes"))
    record = ResultRecord(kk_number=f.text("kk_number", pattern=_KK), base_version=f.integer("base_version"),
                          values=_values(f, "values"), checked_at=f.time("checked_at"), photos=tuple(kept),
                          latitude=latitude, longitude=longitude, notes=notes)
    f.done()
    return record


def open_results(data: bytes, return_private: X25519PrivateKey, *, office_id: str, authority: bytes) -> Results:
    """The results, if sealed to this return key, signed by the person's own certified field key, whole."""
    header, plain = _open(data, return_private, purpose=RESULTS, office_id=office_id, person_id=None)
    try:
        outer = Fields(parse_canonical(plain, where="results_file"), "results_file")
        photos = {}
        for _, p in outer.each("photos", max_items=MAX_HOUSEHOLDS * len(PHOTO_KINDS)):
            photos[p.digest("sha256")] = p.raw("data")
            p.done()
        obj = outer.object("results")
        outer.done()
        f = Fields(obj, "results")
        f.constant("format", RESULTS_FORMAT)
        cert = OperatorCertificate.from_dict(f.object("certificate"), where="results.certificate")
        results = Results(
            results_id=f.uuid("results_id"), assignment_id=f.uuid("assignment_id"), office_id=f.uuid("office_id"),
            person_id=f.uuid("person_id"), created_at=f.time("created_at"),
            records=tuple(_read_record(r, photos) for _, r in f.each("records", max_items=MAX_HOUSEHOLDS,
                                                                      min_items=1)),
            certificate=cert)
        f.raw("signature", length=SIGNATURE_BYTES)
        f.done()
    except (FormatInvalid, NotCanonical, ValueError) as err:
        if isinstance(err, FieldFileRefused):
            raise
        raise _refuse("damaged") from err
    _accept(obj, header, (results.results_id, results.office_id, results.person_id), cert, authority,
            role="field_staff", office_id=office_id, signer=results.person_id, at=results.created_at)
    return results


def _accept(obj, header, ids: tuple[str, str, str], cert, authority, *, role: str, office_id: str, signer: str,
            at) -> None:
    """The signed body names the file, office and person its clear header names, and a certified signer signed it."""
    if ids != (header.file_id, header.office_id, header.person_id):
        raise _refuse("damaged")
    _check_signer(cert, authority, role=role, office_id=office_id, person_id=signer, at=at)
    _verify(obj, cert.public_key)


def new_id() -> str:
    return str(uuid.uuid4())
