"""Create, unlock and administer an office: its vault, database and the people who may open it."""

from __future__ import annotations

import functools
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain.regions import default_regions
from app.errors import UsulkanError
from app.i18n import N_
from app.services import passphrase as strength
from app.services.context import OfficeContext
from app.services.keys import new_key_in, open_with_slot, vouch_in
from app.storage import audit, migrate
from app.sync.keys import Ed25519Signer
from app.storage.engine import make_engine
from app.storage.models import Office, Operator
from app.storage.sealed import SlotKey
from app.storage.sync_models import AUTHORITY_OWNER
from app.storage.vault import KdfParams, UnknownOperator, Vault, calibrate_kdf
# The errors a screen tells apart when a passphrase does not open (re-exported for app/ui).
from app.storage.vault import UnlockThrottled as UnlockThrottled, WrongPassphrase as WrongPassphrase

MIN_PASSPHRASE = strength.MIN_LENGTH
ROLES = ("lurah", "operator", "field_staff")


log = logging.getLogger(__name__)

class OfficeError(UsulkanError):
    template = N_("The office could not be opened.")


class OfficeExists(OfficeError):
    template = N_("An office already exists in {folder}.")
    hint = N_("Open it, or choose another folder for a new office.")


class OfficeNotCreated(OfficeError):
    template = N_("The office could not be created in {folder}.")
    hint = N_("Check that the disk is not full and that you may write to the folder, then try again.")


class FolderNotEmpty(OfficeError):
    template = N_("The folder {folder} already holds other files.")
    hint = N_("Choose an empty folder, or a new one, for the office.")


class OfficeNotFound(OfficeError):
    template = N_("No office was found in {folder}.")
    hint = N_("Create the office first, or choose the folder that holds it.")


class OfficeIncomplete(OfficeError):
    template = N_("The office database in {folder} is incomplete.")
    hint = N_("Restore the office from a backup, or ask the Lurah to open it with the recovery code.")


class UnknownVillage(OfficeError):
    template = N_("The region code {code} is not a kelurahan or desa in the official list.")
    hint = N_("Pick the kelurahan from the list.")


class WeakPassphrase(OfficeError):
    template = N_("The passphrase must have at least {minimum} characters.")
    hint = N_("Use a few words that are easy to remember and hard to guess.")


class OperatorInactive(OfficeError):
    template = N_("{name} may no longer open this office.")
    hint = N_("Ask the Lurah to enrol the operator again.")


@dataclass(frozen=True)
class CreatedOffice:
    office_id: str
    lurah_id: str
    operator_id: str
    recovery_code: str


class PassphraseBlank(WeakPassphrase):
    template = N_("A passphrase of spaces only cannot protect the office.")
    hint = N_("Use three or four words that do not belong together, for example: {example}")


class PassphraseTooCommon(WeakPassphrase):
    template = N_("This passphrase is in the lists of the most common passwords; those are the first ones anyone tries.")
    hint = N_("Use three or four words that do not belong together, for example: {example}")


class PassphraseGuessable(WeakPassphrase):
    template = N_("This passphrase is too easy to guess (a name, a date, a word with a few digits, "
                  "or a keyboard pattern).")
    hint = N_("Use three or four words that do not belong together, for example: {example}")


def check_passphrase(passphrase: str, *, name: str | None = None, office_name: str | None = None) -> None:
    """Refuse short, blank, common and easily guessed passphrases (app/services/passphrase.py, zxcvbn)."""
    verdict = strength.assess(passphrase, user_inputs=[text for text in (name, office_name) if text])
    if verdict.ok:
        return
    if verdict.reason == "short":
        raise WeakPassphrase(minimum=MIN_PASSPHRASE)
    if verdict.reason == "blank":
        raise PassphraseBlank(minimum=MIN_PASSPHRASE, example=strength.suggestion())
    error = PassphraseTooCommon if verdict.reason == "common" else PassphraseGuessable
    raise error(minimum=MIN_PASSPHRASE, example=strength.suggestion())


@functools.cache
def _calibrated() -> KdfParams:
    """Calibrate Argon2id once per process (it takes most of a second)."""
    return calibrate_kdf()


def _kdf(kdf: KdfParams | None) -> KdfParams:
    return kdf if kdf is not None else _calibrated()


def create_office(
    folder: Path,
    *,
    name: str,
    village_code: str,
    lurah_name: str,
    lurah_passphrase: str,
    operator_name: str,
    operator_passphrase: str,
    kdf: KdfParams | None = None,
    server_url: str | None = None,
    published_passphrases: bool = False,
) -> CreatedOffice:
    """Make a new office folder; the recovery code in the result is shown once, never stored.

    Everything is built in a sibling folder and renamed into place at the end, so a crash
    half-way leaves no half-made office behind.
    """
    folder = Path(folder)
    if (folder / "vault.json").exists():
        raise OfficeExists(folder=str(folder))
    if folder.exists() and any(folder.iterdir()):
        raise FolderNotEmpty(folder=str(folder))
    regions = default_regions()
    village = regions.village(village_code)
    if village is None:
        raise UnknownVillage(code=village_code)
    if published_passphrases:
        # The demo office: its passphrases are printed in the README on purpose, so their
        # strength protects nothing; only the length rule still holds.
        for passphrase in (lurah_passphrase, operator_passphrase):
            if len(passphrase.strip()) < MIN_PASSPHRASE:
                raise WeakPassphrase(minimum=MIN_PASSPHRASE)
    else:
        check_passphrase(lurah_passphrase, name=lurah_name, office_name=name)
        check_passphrase(operator_passphrase, name=operator_name, office_name=name)
    server_url = check_server_url(server_url)
    params = _kdf(kdf)

    staging = folder.with_name(folder.name + ".creating")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    try:
        created = _fill_staging(
            staging, name=name, village=village, regions=regions, params=params,
            lurah_name=lurah_name, lurah_passphrase=lurah_passphrase,
            operator_name=operator_name, operator_passphrase=operator_passphrase, server_url=server_url,
        )
        from app.services.restore import new_installation  # restore builds on this module

        new_installation(staging)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OfficeNotCreated(folder=str(folder)) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return created


def _fill_staging(
    staging: Path, *, name, village, regions, params, lurah_name, lurah_passphrase, operator_name, operator_passphrase,
    server_url=None,
) -> CreatedOffice:
    """Keyslots, database and first records of a new office, in its staging folder."""
    office_id, lurah_id, operator_id = (str(uuid.uuid4()) for _ in range(3))
    vault, data_key = Vault.create(staging, office_id)
    lurah_slot = vault.add_operator_slot(data_key, lurah_id, lurah_name, lurah_passphrase, params)
    operator_slot = vault.add_operator_slot(data_key, operator_id, operator_name, operator_passphrase, params)
    recovery_code, recovery_slot = vault.set_recovery_slot_keyed(data_key, params)

    engine = make_engine(vault.database_path, data_key)
    try:
        migrate.upgrade(engine)
        now = utcnow()
        with Session(engine) as session, session.begin():
            session.add(
                Office(
                    id=office_id,
                    name=name,
                    village_code=village.code,
                    regency_code=regions.regency_of(village.code).code,
                    server_url=server_url,
                    created_at=now,
                )
            )
            session.add(Operator(id=lurah_id, name=lurah_name, role="lurah", active=True, created_at=now))
            session.add(
                Operator(id=operator_id, name=operator_name, role="operator", active=True, created_at=now)
            )
            session.flush()
            # Every key is made here, where the slots it is sealed to were made: the Lurah's
            # authority key for the Lurah's slot and the recovery slot, each person's own key
            # for their slot. Nothing private reaches the database in clear.
            made = {}
            for owner, role, slots in (
                (AUTHORITY_OWNER, "lurah", [lurah_slot, recovery_slot]),
                (lurah_id, "lurah", [lurah_slot]),
                (operator_id, "operator", [operator_slot]),
            ):
                key = made[owner] = new_key_in(session, office_id, owner=owner, role=role, slots=slots,
                                               now=now.replace(microsecond=0))
                if owner != AUTHORITY_OWNER:
                    vouch_in(session, office_id, lurah_slot, owner=owner, public=key.public_key,
                             now=now.replace(microsecond=0))
            # The Lurah's own key, opened with her slot (made just above), signs the first entry.
            lurah_signer = Ed25519Signer.from_bytes(open_with_slot(session, office_id, lurah_slot, made[lurah_id]))
            audit.append(
                session,
                signer=lurah_signer,
                at=now,
                operator_id=lurah_id,
                action="office.create",
                entity_type="office",
                entity_id=office_id,
                detail={"village_code": village.code},
            )
    finally:
        engine.dispose()
    return CreatedOffice(office_id, lurah_id, operator_id, recovery_code)


def list_operators(folder: Path) -> list[tuple[str, str]]:
    """(operator id, name) of everyone holding a keyslot: what the sign-in screen offers."""
    return _load_vault(folder).operators()


def _load_vault(folder: Path) -> Vault:
    folder = Path(folder)
    if not (folder / "vault.json").exists():
        raise OfficeNotFound(folder=str(folder))
    return Vault.load(folder)


def _backup_then_migrate(folder: Path, vault: Vault, engine: Engine, key: bytes) -> None:
    """Bring the schema to head, after an encrypted copy of the old database (never in place)."""
    if not migrate.needs_upgrade(engine):
        return
    current = migrate.current_revision(engine)
    if current is not None:
        from app.services import backup  # backup builds on the context this module makes

        try:
            backup.write_office_backup(folder, key, reason=f"before-{current}")
        except (backup.BackupFolderMissing, backup.BackupFailed):
            if backup.configured_folder(folder) is None:
                raise  # the local folder itself failed: never migrate without a copy
            # The stick is not plugged in, or full: the migration still gets its copy, on this disk.
            backup.write_office_backup(folder, key, reason=f"before-{current}", dest=folder / backup.LOCAL_FOLDER)
    migrate.upgrade(engine, vault=vault)
    # Dropped columns (clear private keys before 0008) leave freed pages: overwrite them.
    migrate.vacuum(engine)


def _context(folder: Path, vault: Vault, key: bytes, operator_id: str | None, slot_key: SlotKey | None = None) -> OfficeContext:
    engine = make_engine(vault.database_path, key)
    try:
        _backup_then_migrate(folder, vault, engine, key)
        with Session(engine) as session:
            office = session.scalars(select(Office)).first()
            if office is None:
                raise OfficeIncomplete(folder=str(folder))
            if operator_id is None:
                operator = session.scalars(
                    select(Operator).where(Operator.role == "lurah", Operator.active.is_(True))
                ).first()
            else:
                operator = session.get(Operator, operator_id)
            if operator is None:
                raise OfficeIncomplete(folder=str(folder))
            if not operator.active:
                raise OperatorInactive(name=operator.name)
            ctx = OfficeContext(
                folder=folder,
                vault=vault,
                engine=engine,
                office_id=office.id,
                office_name=office.name,
                village_code=office.village_code,
                regency_code=office.regency_code,
                operator_id=operator.id,
                operator_name=operator.name,
                operator_role=operator.role,
                data_key=key,
                slot_key=slot_key,
            )
    except BaseException:
        engine.dispose()
        raise
    from app.services.keys import adopt_seals

    # Before the first audited step: the unlock entry is signed with this person's own key, which
    # migration 0008 may have sealed to this slot for them to adopt.
    adopt_seals(ctx)  # what migration 0008 sealed to this slot becomes this person's own
    with ctx.transaction() as session:
        ctx.audit(session, "office.unlock", "operator", ctx.operator_id)
    if vault.pending_slots():
        from app.services.operators import finish_enrolments  # operators imports this module

        finish_enrolments(ctx)
    if ctx.operator_role == "field_staff":
        from app.services import field_laptop  # builds on keys and this module

        try:
            field_laptop.ensure_box_key(ctx)  # the key the office seals this person's assignments to
        except Exception:  # not certified yet (office not linked): made at the next sign-in
            log.info("field key not made at this sign-in", exc_info=True)
    from app.services import outbox  # outbox needs the models at head and an unlocked person

    try:
        ctx.repaired_outbox_items = outbox.run_pending_repairs(ctx)
    except Exception:  # the repair rolled back whole; the office still opens and the next unlock retries
        log.exception("outbox repair failed; it is retried at the next unlock")
    return ctx


def open_office(folder: Path, operator_id: str, passphrase: str) -> OfficeContext:
    """Unlock with an operator's passphrase (slow on purpose: Argon2id)."""
    folder = Path(folder)
    vault = _load_vault(folder)
    key, slot_key = vault.unlock_operator_slot(operator_id, passphrase)
    return _context(folder, vault, key, operator_id, slot_key)


def open_office_with_recovery(folder: Path, recovery_code: str) -> OfficeContext:
    """The Lurah's way in when nobody else can open the office; acts as the Lurah."""
    folder = Path(folder)
    vault = _load_vault(folder)
    key, slot_key = vault.unlock_recovery_slot(recovery_code)
    return _context(folder, vault, key, None, slot_key)


def find_operator(folder: Path, name_or_id: str) -> str:
    """Resolve what an administrator typed (an id, or a name ignoring case) to an operator id."""
    wanted = name_or_id.strip().casefold()
    for operator_id, label in list_operators(folder):
        if operator_id == name_or_id or label.casefold() == wanted:
            return operator_id
    raise UnknownOperator(operator=name_or_id)


def add_operator(
    ctx: OfficeContext, *, name: str, role: str, passphrase: str, kdf: KdfParams | None = None
) -> str:
    """Give a new person a keyslot and an operator record (the Lurah's approval is issue #4)."""
    if role not in ROLES:
        raise ValueError(role)
    check_passphrase(passphrase, name=name, office_name=ctx.office_name)
    operator_id = str(uuid.uuid4())
    slot = ctx.vault.add_operator_slot(ctx.data_key, operator_id, name, passphrase, _kdf(kdf))
    with ctx.transaction() as session:
        session.add(Operator(id=operator_id, name=name, role=role, active=True, created_at=ctx.clock()))
        session.flush()
        key = new_key_in(session, ctx.office_id, owner=operator_id, role=role, slots=[slot],
                         now=ctx.clock().replace(microsecond=0))
        if ctx.operator_role == "lurah" and ctx.slot_key is not None:
            vouch_in(session, ctx.office_id, ctx.slot_key, owner=operator_id, public=key.public_key,
                     now=ctx.clock().replace(microsecond=0))
        ctx.audit(session, "operator.add", "operator", operator_id, role=role)
    return operator_id


def change_passphrase(ctx: OfficeContext, old: str, new: str, kdf: KdfParams | None = None) -> None:
    check_passphrase(new, name=ctx.operator_name, office_name=ctx.office_name)
    ctx.vault.change_passphrase(ctx.operator_id, old, new, _kdf(kdf))
    with ctx.transaction() as session:
        ctx.audit(session, "operator.passphrase_change", "operator", ctx.operator_id)


def remove_operator(ctx: OfficeContext, operator_id: str) -> None:
    """Take away a person's slot and re-key, so their old slot opens nothing written later."""
    with ctx.transaction() as session:
        operator = session.get(Operator, operator_id)
        if operator is None:
            raise UnknownOperator(operator=operator_id)
        operator.active = False
        operator.revoked_at = ctx.clock()
        ctx.audit(session, "operator.remove", "operator", operator_id)
    ctx.engine.dispose()
    new_key = ctx.vault.remove_operator_and_rekey(ctx.data_key, operator_id)
    ctx.data_key = new_key
    ctx.engine = make_engine(ctx.vault.database_path, new_key)
    ctx.rebind()
    from app.services import backup

    backup.after_rekey(ctx, "revocation")


class ServerAddressInvalid(OfficeError):
    template = N_("The Dinsos server address is not valid.")
    hint = N_("Type the address as Dinsos gave it, starting with https:// (http:// only for a server on this "
              "computer, 127.0.0.1). Leave it empty if the office sends by USB file.")


def check_server_url(text: str | None) -> str | None:
    """The address cleaned up, None when empty (an office that works by file); ServerAddressInvalid
    otherwise: https://, or http:// on loopback only (app.sync.bind.check_server_url, one rule)."""
    from app.sync.bind import ServerUrlInvalid
    from app.sync.bind import check_server_url as check

    try:
        return check(text)
    except ServerUrlInvalid as err:
        raise ServerAddressInvalid() from err


def server_url(ctx: OfficeContext) -> str | None:
    with ctx.reading() as session:
        office = session.get(Office, ctx.office_id)
        return office.server_url if office else None


def set_server_url(ctx: OfficeContext, text: str | None) -> str | None:
    """Where this office sends (e.g. Dinsos moved its server). Batches are sealed to Dinsos's key and
    receipts are checked against it, so a wrong address can neither read nor forge anything."""
    url = check_server_url(text)
    with ctx.transaction() as session:
        office = session.get(Office, ctx.office_id)
        before = office.server_url
        office.server_url = url
        ctx.audit(session, "office.server_url", "office", ctx.office_id, before=before, after=url)
    return url
