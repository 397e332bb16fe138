"""The DTSEN reference package from Dinsos to one office: a signed manifest and payload files encrypted to it.

Layout in docs/batch-format.md ("DTSEN reference"). The manifest is signed by the server key the
office pinned at provisioning (certified by the Dinsos root); it names the office, a version that
only rises, the kind (a full snapshot or a delta on ``base_version``), the previous manifest's hash,
a soft expiry and the SHA-256 of every payload file. The payload files are AES-256-GCM under a key
only this office and Dinsos derive from the office's feed token (as the return file), each bound
to the manifest's hash, so a file cannot be moved from one package to another.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.i18n import N_
from app.sync.canonical import (
    Fields,
    SignedRecord,
    as_received,
    canonical_bytes,
    normalise_times,
    parse_canonical,
    sha256_hex,
)
from app.sync.errors import FormatInvalid, NotCanonical, _Reasoned
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
from app.sync.return_file import feed_token_digest, file_key

MANIFEST_FORMAT = "usulkan-dtsen-manifest"
PACKAGE_FORMAT = "usulkan-dtsen-package"
FAMILIES_FORMAT = "usulkan-dtsen-families"
REMOVED_FORMAT = "usulkan-dtsen-removed"
FORMAT_VERSION = 1
SUFFIX = ".usulkan-dtsen"
KINDS = ("snapshot", "delta")
PROGRAMMES = ("PKH", "BPNT", "PBI-JK")
FAMILIES_FILE, REMOVED_FILE = "families", "removed"
# A kelurahan holds a few thousand families; a city-sized district a few hundred thousand persons.
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
MAX_FAMILIES = 200_000
MAX_MEMBERS = 30
NONCE_BYTES = 12
_KDF_SALT = b"usulkan-dtsen/1"
DIGITS16 = re.compile(r"\d{16}")
DTSEN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


class DtsenRefused(_Reasoned):
    """A DTSEN package the office must not use: nothing in it is applied."""

    messages: ClassVar[dict[str, tuple[str, str | None]]] = {
        "too_large": (N_("The file is far too large to be a DTSEN package from Dinsos."),
                      N_("Choose the .usulkan-dtsen file Dinsos made for this kelurahan.")),
        "bad_format": (N_("The file is not a DTSEN package from Dinsos, or it is damaged."),
                       N_("Ask Dinsos to publish the DTSEN data again and copy it once more.")),
        "wrong_office": (N_("This DTSEN package is for another kelurahan."),
                         N_("Ask Dinsos for the DTSEN package of this kelurahan.")),
        "bad_signature": (N_("The DTSEN package is not signed by the Dinsos server key."),
                          N_("Do not use this file; tell Dinsos.")),
        "replay": (N_("This DTSEN version is already the one in this office."),
                   N_("Nothing to do: the office already has this data.")),
        "rollback": (N_("This DTSEN package is older than the data this office already has."),
                     N_("Use the newest DTSEN package from Dinsos; an old one would undo newer data.")),
        "gap": (N_("This DTSEN update builds on a version this office does not have."),
                N_("Import the DTSEN packages in order, or ask Dinsos for a full snapshot.")),
        "wrong_previous": (N_("This DTSEN update does not follow the package this office imported last."),
                           N_("Do not use this file; ask Dinsos for a full snapshot and tell them.")),
        "damaged": (N_("The DTSEN package is damaged or was changed after Dinsos made it."),
                    N_("Ask Dinsos to publish the DTSEN data again and copy it once more.")),
        "hash_mismatch": (N_("A file in the DTSEN package does not match what Dinsos signed."),
                          N_("Do not use this file; ask Dinsos to publish the DTSEN data again.")),
    }


@dataclass(frozen=True)
class Member:
    nik: str
    name: str


@dataclass(frozen=True)
class Family:
    """One family of the registry: No. KK, DTSEN ID, desil (1 poorest to 10), programmes, members."""

    no_kk: str
    dtsen_id: str
    desil: int
    programmes: tuple[str, ...]
    members: tuple[Member, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"no_kk": self.no_kk, "dtsen_id": self.dtsen_id, "desil": self.desil,
                "programmes": list(self.programmes),
                "members": [{"nik": m.nik, "name": m.name} for m in self.members]}

    @classmethod
    def from_dict(cls, obj: Any, where: str = "family") -> Family:
        """Every field checked as ``Fields`` would (no field missing or extra), written out for speed:
        a snapshot holds tens of thousands of families."""
        if type(obj) is not dict or obj.keys() != _FAMILY_KEYS:
            raise FormatInvalid(field=where)
        kk, dtsen_id, desil, programmes, members = (obj["no_kk"], obj["dtsen_id"], obj["desil"], obj["programmes"],
                                                    obj["members"])
        if not (type(kk) is str and DIGITS16.fullmatch(kk) and type(dtsen_id) is str and DTSEN_ID.fullmatch(dtsen_id)
                and type(desil) is int and 1 <= desil <= 10):
            raise FormatInvalid(field=where)
        if type(programmes) is not list or len(programmes) > len(PROGRAMMES):
            raise FormatInvalid(field=f"{where}.programmes")
        for programme in programmes:
            if programme not in PROGRAMMES:
                raise FormatInvalid(field=f"{where}.programmes")
        if len(set(programmes)) != len(programmes):
            raise FormatInvalid(field=f"{where}.programmes")
        if type(members) is not list or not 1 <= len(members) <= MAX_MEMBERS:
            raise FormatInvalid(field=f"{where}.members")
        people = []
        for m in members:
            if type(m) is not dict or m.keys() != _MEMBER_KEYS:
                raise FormatInvalid(field=f"{where}.members")
            nik, name = m["nik"], m["name"]
            if not (type(nik) is str and DIGITS16.fullmatch(nik) and type(name) is str and 0 < len(name) <= 120):
                raise FormatInvalid(field=f"{where}.members")
            people.append(Member(nik, name))
        if len({p.nik for p in people}) != len(people):
            raise FormatInvalid(field=f"{where}.members")
        return cls(kk, dtsen_id, desil, tuple(sorted(programmes)), tuple(people))


_FAMILY_KEYS = frozenset({"no_kk", "dtsen_id", "desil", "programmes", "members"})
_MEMBER_KEYS = frozenset({"nik", "name"})


@dataclass(frozen=True)
class FileEntry:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest(SignedRecord):
    office_id: str
    version: int
    kind: str
    base_version: int | None
    previous_manifest_hash: str | None
    issued_at: datetime
    expires_at: datetime
    families: int
    files: tuple[FileEntry, ...]
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at", "expires_at")
        object.__setattr__(self, "files", tuple(self.files))

    @property
    def digest(self) -> str:
        """The manifest's hash: what the next delta names as its previous manifest."""
        return sha256_hex(self.to_bytes())

    def body(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT, "format_version": FORMAT_VERSION, "office_id": self.office_id,
            "version": self.version, "kind": self.kind, "base_version": self.base_version,
            "previous_manifest_hash": self.previous_manifest_hash, "issued_at": self.issued_at,
            "expires_at": self.expires_at, "families": self.families,
            "files": [{"name": e.name, "sha256": e.sha256, "size": e.size} for e in self.files],
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> Manifest:
        f = Fields(obj, "dtsen_manifest")
        f.constant("format", MANIFEST_FORMAT)
        f.constant("format_version", FORMAT_VERSION)
        files = []
        for _, e in f.each("files", max_items=2, min_items=1):
            files.append(FileEntry(e.text("name", choices=(FAMILIES_FILE, REMOVED_FILE)), e.digest("sha256"),
                                   e.integer("size", maximum=MAX_PACKAGE_BYTES)))
            e.done()
        base = f._take("base_version")
        previous = f._take("previous_manifest_hash")
        manifest = cls(
            office_id=f.uuid("office_id"), version=f.integer("version", minimum=1), kind=f.text("kind", choices=KINDS),
            base_version=base, previous_manifest_hash=previous, issued_at=f.time("issued_at"),
            expires_at=f.time("expires_at"), families=f.integer("families", maximum=MAX_FAMILIES),
            files=tuple(files), server_key_id=f.text("server_key_id", pattern=KEY_ID),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        names = [e.name for e in files]
        if manifest.kind == "snapshot":
            ok = base is None and names == [FAMILIES_FILE]
        else:
            ok = (type(base) is int and 1 <= base < manifest.version and names == [FAMILIES_FILE, REMOVED_FILE]
                  and isinstance(previous, str))
        if previous is not None and not (isinstance(previous, str) and re.fullmatch(r"[0-9a-f]{64}", previous)):
            ok = False
        if not ok or manifest.expires_at < manifest.issued_at:
            raise FormatInvalid(field="dtsen_manifest")
        return manifest


@dataclass(frozen=True)
class Release:
    """A checked, decrypted package: apply it, and remember its version and manifest hash."""

    manifest: Manifest
    families: tuple[Family, ...]
    removed: tuple[str, ...]

    @property
    def version(self) -> int:
        return self.manifest.version

    def expired(self, now: datetime) -> bool:
        """Past its soft expiry: the office is warned that the data may be stale, never blocked.

        A naive ``now`` is the application's clock, which is UTC.
        """
        return (now if now.tzinfo else now.replace(tzinfo=UTC)) > self.manifest.expires_at


def _families_bytes(families: Sequence[Family]) -> bytes:
    ordered = sorted(families, key=lambda fam: fam.no_kk)
    return canonical_bytes({"format": FAMILIES_FORMAT, "families": [fam.to_dict() for fam in ordered]})


def _removed_bytes(removed: Sequence[str]) -> bytes:
    return canonical_bytes({"format": REMOVED_FORMAT, "no_kk": sorted(removed)})


def _aad(office_id: str, manifest_hash: str, name: str) -> bytes:
    return canonical_bytes({"format": PACKAGE_FORMAT, "office_id": office_id, "manifest": manifest_hash,
                            "name": name})


def _key(token_digest: str, office_id: str) -> bytes:
    return file_key(token_digest, office_id, salt=_KDF_SALT)


def issue_manifest(server: Signer | Ed25519PrivateKey, *, office_id: str, version: int, kind: str,
                   base_version: int | None, previous_manifest_hash: str | None, issued_at: datetime,
                   expires_at: datetime, families: int, files: Sequence[FileEntry]) -> Manifest:
    signer = as_signer(server)
    unsigned = Manifest(office_id, version, kind, base_version, previous_manifest_hash, issued_at, expires_at,
                        families, tuple(files), key_id(signer.public_key_bytes), b"")
    signature = signer.sign(unsigned.signing_bytes())
    return Manifest.from_dict(as_received({**unsigned.body(), "signature": signature}))


def payload_files(kind: str, families: Sequence[Family], removed: Sequence[str] = ()) -> dict[str, bytes]:
    """The plain payload files of a package (what the manifest hashes)."""
    files = {FAMILIES_FILE: _families_bytes(families)}
    if kind == "delta":
        files[REMOVED_FILE] = _removed_bytes(removed)
    return files


def file_entries(files: dict[str, bytes]) -> list[FileEntry]:
    return [FileEntry(name, sha256_hex(data), len(data)) for name, data in files.items()]


def seal_package(manifest: Manifest, files: dict[str, bytes], token_digest: str) -> bytes:
    """The package's bytes: the signed manifest in the clear, each payload file encrypted to the office."""
    key = AESGCM(_key(token_digest, manifest.office_id))
    sealed = []
    for entry in manifest.files:
        nonce = os.urandom(NONCE_BYTES)
        sealed.append({"name": entry.name, "nonce": nonce,
                       "sealed": key.encrypt(nonce, files[entry.name],
                                             _aad(manifest.office_id, manifest.digest, entry.name))})
    return canonical_bytes({"format": PACKAGE_FORMAT, "format_version": FORMAT_VERSION,
                            "office_id": manifest.office_id, "manifest": manifest.to_dict(), "files": sealed})


def package_name(office_id: str, version: int, kind: str) -> str:
    return f"dtsen-{office_id}-v{version:06d}-{kind}{SUFFIX}"


def read_package(data: bytes) -> tuple[Manifest, dict[str, tuple[bytes, bytes]]]:
    """The manifest (not yet verified) and each file's (nonce, ciphertext), after size and format checks."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise DtsenRefused("too_large")
    try:
        f = Fields(parse_canonical(data, where="dtsen_package"), "dtsen_package")
        f.constant("format", PACKAGE_FORMAT)
        f.constant("format_version", FORMAT_VERSION)
        office_id = f.uuid("office_id")
        manifest = Manifest.from_dict(f.object("manifest"))
        sealed = {}
        for _, e in f.each("files", max_items=2, min_items=1):
            sealed[e.text("name", choices=(FAMILIES_FILE, REMOVED_FILE))] = (e.raw("nonce", length=NONCE_BYTES),
                                                                             e.raw("sealed"))
            e.done()
        f.done()
    except (FormatInvalid, NotCanonical) as err:
        raise DtsenRefused("bad_format") from err
    if manifest.office_id != office_id:
        raise DtsenRefused("wrong_office")
    if sorted(sealed) != sorted(e.name for e in manifest.files):
        raise DtsenRefused("bad_format")
    return manifest, sealed


def check_manifest(manifest: Manifest, *, office_id: str, server_public_key: PublicKeyLike,
                   current_version: int, current_manifest_hash: str | None) -> None:
    """Raise DtsenRefused unless this manifest is Dinsos's, for this office, and the next step from here.

    A snapshot stands on its own (any version above the current one); a delta must start at the
    office's current version and name the manifest the office imported last.
    """
    raw = ed25519_public_raw(server_public_key)
    if manifest.server_key_id != key_id(raw) or not verify_ed25519(raw, manifest.signature,
                                                                   manifest.signing_bytes()):
        raise DtsenRefused("bad_signature")
    if manifest.office_id != office_id:
        raise DtsenRefused("wrong_office")
    if manifest.version == current_version:
        raise DtsenRefused("replay")
    if manifest.version < current_version:
        raise DtsenRefused("rollback")
    if manifest.kind == "delta":
        if manifest.base_version != current_version:
            raise DtsenRefused("gap")
        if manifest.previous_manifest_hash != current_manifest_hash:
            raise DtsenRefused("wrong_previous")


def _decoded(plain: bytes) -> Any:
    """A payload file's JSON. Its exact bytes are fixed by the SHA-256 in the signed manifest, so the
    canonical-form check of the other formats adds nothing here, and a snapshot is megabytes."""
    try:
        return json.loads(plain)
    except (ValueError, RecursionError) as err:
        raise FormatInvalid(field="dtsen_payload") from err


def _payload(plain: bytes, name: str) -> Any:
    try:
        f = Fields(_decoded(plain), f"dtsen_{name}")
        if name == FAMILIES_FILE:
            f.constant("format", FAMILIES_FORMAT)
            families = tuple(Family.from_dict(fam, f"dtsen_families.families[{i}]")
                             for i, fam in enumerate(f.array("families", max_items=MAX_FAMILIES)))
            f.done()
            if len({fam.no_kk for fam in families}) != len(families):
                raise FormatInvalid(field="dtsen_families.no_kk")
            niks = [m.nik for fam in families for m in fam.members]
            if len(set(niks)) != len(niks):  # one person in two families of the same version
                raise FormatInvalid(field="dtsen_families.members")
            return families
        f.constant("format", REMOVED_FORMAT)
        removed = f.array("no_kk", max_items=MAX_FAMILIES)
        f.done()
        if not all(isinstance(kk, str) and DIGITS16.fullmatch(kk) for kk in removed):
            raise FormatInvalid(field="dtsen_removed.no_kk")
        return tuple(removed)
    except (FormatInvalid, NotCanonical) as err:
        raise DtsenRefused("bad_format") from err


def open_package(data: bytes, feed_token: str, *, office_id: str, server_public_key: PublicKeyLike,
                 current_version: int, current_manifest_hash: str | None) -> Release:
    """Check and decrypt a package for ``office_id`` at ``current_version``; raise before anything is used."""
    manifest, sealed = read_package(data)
    if manifest.office_id != office_id:
        raise DtsenRefused("wrong_office")
    check_manifest(manifest, office_id=office_id, server_public_key=server_public_key,
                   current_version=current_version, current_manifest_hash=current_manifest_hash)
    key = AESGCM(_key(feed_token_digest(feed_token), office_id))
    payload: dict[str, Any] = {}
    for entry in manifest.files:
        nonce, ciphertext = sealed[entry.name]
        try:
            plain = key.decrypt(nonce, ciphertext, _aad(office_id, manifest.digest, entry.name))
        except InvalidTag as err:
            raise DtsenRefused("damaged") from err
        if len(plain) != entry.size or sha256_hex(plain) != entry.sha256:
            raise DtsenRefused("hash_mismatch")
        payload[entry.name] = _payload(plain, entry.name)
    families = payload[FAMILIES_FILE]
    if len(families) != manifest.families:
        raise DtsenRefused("hash_mismatch")
    return Release(manifest, families, payload.get(REMOVED_FILE, ()))
