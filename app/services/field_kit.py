"""The field laptop: a kit of the field person's own keys, and a small office of theirs built from it.

Only the field person's keys and certificate travel (sealed under their passphrase with
Argon2id + AES-256-GCM), never the office's households: on the laptop the kit becomes an office
folder of its own (vault and SQLCipher database like any office) in which that person alone can
sign in, open the assignments sealed to them and sign results. Households arrive there only in
assignment files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import UsulkanError
from app.i18n import N_
from app.services import field_laptop, office
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.storage import migrate, sealed
from app.storage.engine import make_engine
from app.storage.field_models import FieldBoxKey
from app.storage.kdf import KdfParams, derive, new_salt
from app.storage.models import Office, Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SigningKey, SyncLink
from app.storage.vault import Vault
from app.sync import field as files
from app.sync import keys
from app.sync.canonical import Fields, canonical_bytes, parse_canonical
from app.sync.certificates import OperatorCertificate
from app.sync.errors import FormatInvalid, NotCanonical

KIT_FORMAT = "usulkan-field-kit"
MAX_KIT_BYTES = 64 * 1024


class KitRefused(UsulkanError):
    template = N_("The field kit does not open with this passphrase, or it is damaged.")
    hint = N_("Type the passphrase the kit was saved with; if it still fails, save the kit again at the office.")


def export_kit(ctx: OfficeContext, passphrase: str, *, kdf: KdfParams | None = None) -> bytes:
    """The signed-in field person's keys and certificate for their laptop, sealed under ``passphrase``."""
    field_laptop._require_field(ctx)
    office.check_passphrase(passphrase, name=ctx.operator_name, office_name=ctx.office_name)
    field_laptop.ensure_box_key(ctx)
    with ctx.reading() as session:
        signer = office_keys.signer_in(ctx, session)
        cert = office_keys.certificate_in(ctx, session)
        box = field_laptop._my_box(ctx, session)
        statement = session.scalars(select(FieldBoxKey.statement).where(FieldBoxKey.person_id == ctx.operator_id)
                                    .order_by(FieldBoxKey.id.desc())).first()
        link = session.get(SyncLink, 1)
        row = session.get(Office, ctx.office_id)
        from app.services.field import authority_public

        inner = canonical_bytes({
            "office": {"id": ctx.office_id, "name": row.name, "village_code": row.village_code,
                       "regency_code": row.regency_code, "server_office_id": link.server_office_id,
                       "root_public_key": link.root_public_key, "authority": authority_public(session)},
            "person": {"id": ctx.operator_id, "name": ctx.operator_name},
            "signing_key": keys.private_bytes(signer._key),
            "box_key": keys.private_bytes(box), "box_statement": statement,
            "certificate": cert.to_dict(),
        })
    params = office._kdf(kdf)
    salt, nonce = new_salt(), os.urandom(12)
    header = {"format": KIT_FORMAT, "version": 1, "person_id": ctx.operator_id, "kdf": params.to_json(),
              "salt": salt, "nonce": nonce}
    key = derive(passphrase.encode("utf-8"), salt, params, 32)
    sealed_bytes = AESGCM(key).encrypt(nonce, inner, canonical_bytes(header))
    return canonical_bytes({**header, "sealed": sealed_bytes})


def _open_kit(data: bytes, passphrase: str) -> dict:
    if len(data) > MAX_KIT_BYTES:
        raise KitRefused()
    try:
        f = Fields(parse_canonical(data, where="kit"), "kit")
        f.constant("format", KIT_FORMAT)
        f.constant("version", 1)
        person_id = f.uuid("person_id")
        kdf_json = f.object("kdf")
        params = KdfParams.from_json(kdf_json)
        salt, nonce, ciphertext = f.raw("salt"), f.raw("nonce", length=12), f.raw("sealed")
        f.done()
        header = {"format": KIT_FORMAT, "version": 1, "person_id": person_id, "kdf": kdf_json, "salt": salt,
                  "nonce": nonce}
        key = derive(passphrase.encode("utf-8"), salt, params, 32)
        inner = parse_canonical(AESGCM(key).decrypt(nonce, ciphertext, canonical_bytes(header)), where="kit")
    except (FormatInvalid, NotCanonical, InvalidTag, ValueError, TypeError) as err:
        raise KitRefused() from err
    return inner


def set_up_laptop(folder: Path, data: bytes, passphrase: str, *, kdf: KdfParams | None = None) -> str:
    """Build the field person's own office folder on this laptop from their kit; their operator id."""
    inner = _open_kit(data, passphrase)
    try:
        o, person = Fields(inner["office"], "kit.office"), Fields(inner["person"], "kit.person")
        office_id, name = o.uuid("id"), o.text("name")
        village, regency = o.text("village_code"), o.text("regency_code")
        server_office_id, root, authority = o.uuid("server_office_id"), o.raw("root_public_key"), o.raw(
            "authority", length=32)
        person_id, person_name = person.uuid("id"), person.text("name")
        top = Fields(inner, "kit")
        top.object("office"), top.object("person")
        signing = keys.Ed25519Signer.from_bytes(top.raw("signing_key", length=32))
        box = keys.x25519_private_from_bytes(top.raw("box_key", length=32))
        statement = top.text("box_statement", max_len=2000)
        cert = OperatorCertificate.from_dict(top.object("certificate"))
        top.done()
        o.done()
        person.done()
    except (FormatInvalid, KeyError, ValueError) as err:
        raise KitRefused() from err
    if cert.public_key != signing.public_key_bytes or cert.operator_id != person_id or cert.role != "field_staff":
        raise KitRefused()
    folder = Path(folder)
    if (folder / "vault.json").exists():
        raise office.OfficeExists(folder=str(folder))
    params = office._kdf(kdf)
    staging = folder.with_name(folder.name + ".creating")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        vault, data_key = Vault.create(staging, office_id)
        slot = vault.add_operator_slot(data_key, person_id, person_name, passphrase, params)
        engine = make_engine(vault.database_path, data_key)
        try:
            migrate.upgrade(engine)
            _fill(engine, slot, locals())
        finally:
            engine.dispose()
        from app.services.restore import new_installation

        new_installation(staging)
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return person_id


def _fill(engine, slot: sealed.SlotKey, v: dict) -> None:
    now = utcnow().replace(microsecond=0)
    office_id, person_id = v["office_id"], v["person_id"]
    with Session(engine) as session, session.begin():
        session.add(Office(id=office_id, name=v["name"], village_code=v["village"], regency_code=v["regency"],
                           server_url=None, created_at=now))
        session.add(Operator(id=person_id, name=v["person_name"], role="field_staff", active=True, created_at=now))
        session.flush()
        signing: keys.Ed25519Signer = v["signing"]
        session.add(SigningKey(owner=person_id, role="field_staff", public_key=signing.public_key_bytes, active=True,
                               created_at=now))
        # The Lurah's authority key, public half only: what certificates are checked against here.
        session.add(SigningKey(owner=AUTHORITY_OWNER, role="lurah", public_key=v["authority"], active=True,
                               created_at=now))
        office_keys.seal_in(session, office_id, owner=person_id, purpose=sealed.SIGNING,
                            secret=keys.private_bytes(signing._key), public=signing.public_key_bytes,
                            slot_id=slot.slot_id, slot_public=slot.public_key, now=now, tagger=slot)
        box_public = keys.public_bytes(v["box"].public_key())
        office_keys.seal_in(session, office_id, owner=person_id, purpose=sealed.FIELD_BOX,
                            secret=keys.private_bytes(v["box"]), public=box_public, slot_id=slot.slot_id,
                            slot_public=slot.public_key, now=now, tagger=slot)
        if files.BoxKey.from_bytes(v["statement"].encode("utf-8")).public_key != box_public:
            raise KitRefused()
        session.add(FieldBoxKey(person_id=person_id, statement=v["statement"], created_at=now))
        cert: OperatorCertificate = v["cert"]
        session.add(Certificate(cert_id=cert.cert_id, operator_id=person_id, body=cert.to_bytes().decode("utf-8"),
                                valid_until=cert.valid_until.replace(tzinfo=None), issued_at=cert.issued_at
                                .replace(tzinfo=None)))
        session.add(SyncLink(id=1, server_office_id=v["server_office_id"], root_public_key=v["root"],
                             imported_at=now, status_cursor=0))
