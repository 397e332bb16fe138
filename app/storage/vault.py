"""The office's key vault (vault.json): who may open the database, and the re-key that shuts someone out.

Layout of an office folder::

    vault.json      format, office id, generation g, database name, keyslots, MAC
    office-<g>.db   the SQLCipher database under the current data key
    vault.lock      an advisory lock ordering Usulkan processes (empty)

The data key (32 random bytes) is sealed with HPKE to every slot's X25519 public key; each
slot's private key is wrapped under its owner's secret (app/storage/keyslot.py). A MAC keyed
from the data key covers who receives it, so nobody without the data key can slip in a slot
or swap a public key. See docs/trust-model.md, "Office database and keyslots".

Every read-modify-write of vault.json happens under ``vault.lock`` on a fresh read of the file,
and every write is atomic (temp file 0600, fsync, rename, fsync the folder).
"""

from __future__ import annotations

import base64
import hmac
import json
import math
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from hashlib import sha256
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.i18n import N_
from app import fsutil
from app.storage import engine, throttle
from app.storage.engine import StorageError
from app.storage.kdf import KdfParams, calibrate_kdf
from app.storage.keyslot import OPERATOR, RECOVERY, Keyslot, SlotDamaged, WrongSecret, new_slot_and_key
from app.storage.recovery_code import generate_recovery_code, normalise_recovery_code
from app.storage.sealed import SlotKey

__all__ = [
    "KdfParams",
    "calibrate_kdf",
    "Vault",
    "VaultError",
    "VaultMissing",
    "VaultDamaged",
    "DatabaseMissing",
    "DatabaseInUse",
    "WrongPassphrase",
    "WrongRecoveryCode",
    "UnlockThrottled",
    "UnknownOperator",
    "OperatorExists",
    "NoRecoverySlot",
    "LastKey",
]

VAULT_FILE = "vault.json"
LOCK_FILE = "vault.lock"
FORMAT, VERSION = "usulkan-vault", 1
_DATABASE_FILE = re.compile(r"office-(\d+)\.db(-wal|-shm|-journal)?")
_MAC_INFO = b"usulkan vault mac v1"
# How long a re-key waits for other connections to let go before it says "in use".
_EXCLUSIVE_WAIT_MS = 500


class VaultError(StorageError):
    template = N_("The key vault could not be used.")


class VaultMissing(VaultError):
    template = N_("No key vault (vault.json) was found in {folder}.")
    hint = N_("Choose the office folder, or restore it from a backup.")


class VaultDamaged(VaultError):
    template = N_("The key vault in {folder} is damaged or was altered.")
    hint = N_("Restore the office folder from a backup. Never edit vault.json by hand.")


class DatabaseMissing(VaultError):
    template = N_("The office database {name} is missing from {folder}.")
    hint = N_("Restore the office folder from a backup.")


class DatabaseInUse(VaultError):
    template = N_("The office database is still open elsewhere, so its key cannot be changed now.")
    hint = N_("Close the other Usulkan windows on this computer and try again.")


class WrongPassphrase(VaultError):
    template = N_("The passphrase is wrong.")
    hint = N_(
        "Check Caps Lock and the keyboard layout, then type it again."
        " After three wrong attempts you must wait a little longer before each new try."
    )


class WrongRecoveryCode(WrongPassphrase):
    template = N_("The recovery code is wrong.")
    hint = N_("Type the code exactly as printed on the Lurah's recovery sheet.")


class UnlockThrottled(VaultError):
    template = N_("Too many wrong attempts. Try again in {retry_after_seconds} seconds.")
    hint = N_("Each further wrong attempt doubles the wait, up to five minutes.")

    def __init__(self, retry_after_seconds: int):
        super().__init__(retry_after_seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class UnknownOperator(VaultError):
    template = N_("{operator} has no key to this office.")
    hint = N_("Choose a name from the list, or ask the Lurah to add the operator.")


class OperatorExists(VaultError):
    template = N_("{operator} already has a key to this office.")
    hint = N_("To set a new passphrase, use Change passphrase instead.")


class LastKey(VaultError):
    template = N_("This is the last key to the office, so it cannot be removed.")
    hint = N_("Add another operator or a recovery code first.")


class NoRecoverySlot(VaultError):
    template = N_("This office has no recovery code.")
    hint = N_("Ask the Lurah to open the office and make a recovery code.")


def _passphrase_secret(passphrase: str) -> bytes:
    # NFC: the same passphrase typed through different keyboards/IMEs gives the same bytes.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _recovery_secret(code: str) -> bytes:
    return normalise_recovery_code(code).encode("ascii")


def database_name(generation: int) -> str:
    return f"office-{generation}.db"


@dataclass(frozen=True)
class _State:
    """vault.json, parsed."""

    office_id: str
    generation: int
    slots: tuple[Keyslot, ...]
    mac: bytes = b""

    @property
    def database(self) -> str:
        return database_name(self.generation)

    def _authenticated(self) -> bytes:
        view = {
            "format": FORMAT,
            "version": VERSION,
            "office_id": self.office_id,
            "generation": self.generation,
            "database": self.database,
            "slots": sorted((slot.public_view() for slot in self.slots), key=lambda s: s["id"]),
        }
        return json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def _mac_with(self, data_key: bytes) -> bytes:
        mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MAC_INFO).derive(data_key)
        return hmac.new(mac_key, self._authenticated(), sha256).digest()

    def signed(self, data_key: bytes) -> _State:
        return replace(self, mac=self._mac_with(data_key))

    def mac_ok(self, data_key: bytes) -> bool:
        return hmac.compare_digest(self.mac, self._mac_with(data_key))

    def find(self, pick: Callable[[Keyslot], bool]) -> Keyslot | None:
        return next((slot for slot in self.slots if pick(slot)), None)

    def with_slot(self, slot: Keyslot) -> _State:
        return replace(self, slots=tuple(slot if s.id == slot.id else s for s in self.slots))

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "office_id": self.office_id,
            "generation": self.generation,
            "database": self.database,
            "slots": [slot.to_json() for slot in self.slots],
            "mac": base64.b64encode(self.mac).decode("ascii"),
        }
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> _State:
        """Parse and sanity-check vault.json; ValueError/KeyError/TypeError on anything odd."""
        document = json.loads(raw.decode("utf-8"))
        if document["format"] != FORMAT or document["version"] != VERSION:
            raise ValueError("not a vault this version understands")
        generation = document["generation"]
        if type(generation) is not int or generation < 1 or document["database"] != database_name(generation):
            raise ValueError("bad generation or database name")
        if not isinstance(document["office_id"], str):
            raise ValueError("bad office id")
        slots = tuple(Keyslot.from_json(item) for item in document["slots"])
        operators = [slot.operator_id for slot in slots if slot.kind == OPERATOR]
        if len({slot.id for slot in slots}) != len(slots) or len(set(operators)) != len(operators):
            raise ValueError("duplicate slot")
        if sum(slot.kind == RECOVERY for slot in slots) > 1:
            raise ValueError("more than one recovery slot")
        mac = base64.b64decode(document["mac"].encode("ascii"), validate=True)
        if len(mac) != 32:
            raise ValueError("bad mac")
        return cls(office_id=document["office_id"], generation=generation, slots=slots, mac=mac)


class Vault:
    """An office's vault.json and database file; every method re-reads the file under the lock."""

    def __init__(self, folder: Path, state: _State):
        self.folder = Path(folder)
        self._state = state

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: str | Path, office_id: str) -> tuple[Vault, bytes]:
        """A new vault with no slots yet and an empty database under a fresh data key."""
        folder = fsutil.secure_mkdir(folder)
        with fsutil.file_lock(folder / LOCK_FILE):
            # Never delete a database here: with a backup of its vault.json it may still open.
            existing = [p for p in folder.iterdir() if p.name == VAULT_FILE or _generation_of(p) is not None]
            if existing:
                raise FileExistsError(existing[0])
            data_key = secrets.token_bytes(engine.KEY_BYTES)
            state = _State(office_id=office_id, generation=1, slots=()).signed(data_key)
            # The database exists from the start, so a vault never points at nothing.
            engine.connect(folder / state.database, data_key).close()
            fsutil.fsync_file(folder / state.database)
            fsutil.write_atomic(folder / VAULT_FILE, state.to_bytes())
        return cls(folder, state), data_key

    @classmethod
    def load(cls, folder: str | Path) -> Vault:
        """Open the vault in ``folder`` and finish what a crash interrupted (orphan databases go)."""
        folder = Path(folder)
        if not (folder / VAULT_FILE).is_file():
            raise VaultMissing(folder=str(folder))
        with fsutil.file_lock(folder / LOCK_FILE):
            state = _read(folder)
            if not (folder / state.database).is_file():
                # Delete nothing: the vault may be an old copy, or altered to point elsewhere.
                raise DatabaseMissing(name=state.database, folder=str(folder))
            _remove_older_databases(folder, state.generation)
            for leftover in folder.glob(f".{VAULT_FILE}.*.tmp"):
                leftover.unlink(missing_ok=True)
        return cls(folder, state)

    @property
    def office_id(self) -> str:
        return self._state.office_id

    @property
    def generation(self) -> int:
        return self._state.generation

    @property
    def database_path(self) -> Path:
        return self.folder / self._state.database

    def operators(self) -> list[tuple[str, str]]:
        """(operator id, label) of every operator slot, in the order they were added (pending ones left out)."""
        return [(s.operator_id, s.label) for s in self._state.slots if s.kind == OPERATOR and not s.pending]

    def has_operator(self, operator_id: str) -> bool:
        return any(s.kind == OPERATOR and s.operator_id == operator_id and not s.pending for s in self._state.slots)

    def pending_slots(self) -> list[tuple[str, str]]:
        """(slot id, operator id) of slots an enrolment wrote but did not complete."""
        return [(s.id, s.operator_id) for s in self._state.slots if s.pending]

    def has_recovery(self) -> bool:
        return any(s.kind == RECOVERY for s in self._state.slots)

    def operator_slot(self, operator_id: str) -> tuple[str, bytes]:
        """(slot id, X25519 public key) of ``operator_id``'s slot, read afresh: what keys are sealed to."""
        with self._locked() as state:
            slot = state.find(lambda s: s.kind == OPERATOR and s.operator_id == operator_id)
            if slot is None:
                raise UnknownOperator(operator=operator_id)
            return slot.id, slot.public_key

    def recovery_slot(self) -> tuple[str, bytes]:
        """(slot id, X25519 public key) of the recovery slot: the Lurah's authority key is sealed to it too."""
        with self._locked() as state:
            slot = state.find(lambda s: s.kind == RECOVERY)
            if slot is None:
                raise NoRecoverySlot()
            return slot.id, slot.public_key

    # --- unlocking ------------------------------------------------------------------------

    def unlock_operator(self, operator_id: str, passphrase: str, *, now: float | None = None) -> bytes:
        """The data key, if ``passphrase`` opens ``operator_id``'s slot (slow on purpose)."""
        return self.unlock_operator_slot(operator_id, passphrase, now=now)[0]

    def unlock_recovery(self, code: str, *, now: float | None = None) -> bytes:
        """The data key from the Lurah's recovery code; a typo fails at once (InvalidRecoveryCode)."""
        return self.unlock_recovery_slot(code, now=now)[0]

    def unlock_operator_slot(self, operator_id: str, passphrase: str, *, now: float | None = None) -> tuple[bytes, SlotKey]:
        """(data key, the slot's private key for this session): what opens the person's sealed keys."""
        return self._unlock(
            lambda s: s.kind == OPERATOR and s.operator_id == operator_id and not s.pending,
            _passphrase_secret(passphrase),
            now,
            missing=lambda: UnknownOperator(operator=operator_id),
            wrong=WrongPassphrase,
        )

    def unlock_recovery_slot(self, code: str, *, now: float | None = None) -> tuple[bytes, SlotKey]:
        """(data key, the recovery slot's private key); a typo fails at once (InvalidRecoveryCode)."""
        secret = _recovery_secret(code)
        return self._unlock(lambda s: s.kind == RECOVERY, secret, now, missing=NoRecoverySlot, wrong=WrongRecoveryCode)

    def _unlock(self, pick, secret: bytes, now: float | None, *, missing, wrong) -> tuple[bytes, SlotKey]:
        now = time.time() if now is None else now
        with self._locked() as state:
            slot = state.find(pick)
            if slot is None:
                raise missing()
            private_key = self._open_slot(state, slot, secret, now, wrong)
            try:
                data_key = slot.open_data_key(private_key, state.office_id, state.generation)
            except SlotDamaged as exc:
                raise self._damaged() from exc
            # The slot opened, but HPKE does not say who sealed the key: only the MAC proves
            # that this data key, and not one an intruder sealed to the public key, is the office's.
            if not state.mac_ok(data_key):
                raise self._damaged()
            return data_key, SlotKey(slot.id, slot.kind, slot.operator_id, private_key)

    def _open_slot(self, state: _State, slot: Keyslot, secret: bytes, now: float, wrong):
        """Throttle, then try ``secret`` on ``slot``; counts failures, resets them on success."""
        if slot.last_failure is not None and slot.last_failure > now:
            # The clock went back: restart the wait from now rather than lock out for days.
            slot = replace(slot, last_failure=now)
            state = state.with_slot(slot)
            self._save(state)
        wait = throttle.retry_after(slot.failures, slot.last_failure, now)
        if wait > 0:
            raise UnlockThrottled(retry_after_seconds=math.ceil(wait))
        try:
            private_key = slot.open_private_key(secret, state.office_id)
        except WrongSecret:
            self._save(state.with_slot(replace(slot, failures=slot.failures + 1, last_failure=now)))
            raise wrong() from None
        except SlotDamaged as exc:
            raise self._damaged() from exc
        if slot.failures or slot.last_failure is not None:
            self._save(state.with_slot(replace(slot, failures=0, last_failure=None)))
        return private_key

    # --- changing who holds a key -----------------------------------------------------------

    def add_operator_slot(
        self, data_key: bytes, operator_id: str, label: str, passphrase: str, kdf: KdfParams
    ) -> SlotKey:
        """Give ``operator_id`` a slot opened by ``passphrase`` (``data_key`` proves the caller is in).

        Returns the key of the slot just made here, so the caller can seal (and tag) the person's
        signing key to a key it knows is theirs, not one read back from the file.
        """
        with self._locked() as state:
            self._check_key(state, data_key)
            if state.find(lambda s: s.kind == OPERATOR and s.operator_id == operator_id):
                raise OperatorExists(operator=label)
            slot, private = new_slot_and_key(OPERATOR, operator_id, label, _passphrase_secret(passphrase), kdf,
                                             state.office_id)
            slot = slot.sealed(data_key, state.office_id, state.generation)
            self._save(replace(state, slots=state.slots + (slot,)).signed(data_key))
            return SlotKey(slot.id, slot.kind, operator_id, private)

    def add_pending_operator_slot(
        self, data_key: bytes, operator_id: str, label: str, passphrase: str, kdf: KdfParams
    ) -> SlotKey:
        """Step 1 of an atomic enrolment: a slot with no data key sealed to it (it opens nothing).

        Returns its key (in memory only). ``complete_slot`` (after the database commit) is the
        commit point; ``discard_slot`` undoes it; ``Vault.pending_slots`` lists what a crash left.
        """
        with self._locked() as state:
            self._check_key(state, data_key)
            if state.find(lambda s: s.kind == OPERATOR and s.operator_id == operator_id):
                raise OperatorExists(operator=label)
            slot, private = new_slot_and_key(OPERATOR, operator_id, label, _passphrase_secret(passphrase), kdf,
                                             state.office_id)
            self._save(replace(state, slots=state.slots + (slot,)).signed(data_key))
            return SlotKey(slot.id, slot.kind, operator_id, private)

    def complete_slot(self, data_key: bytes, slot_id: str) -> None:
        """Seal the data key to a pending slot: from this rename on, its passphrase opens the office."""
        with self._locked() as state:
            self._check_key(state, data_key)
            slot = state.find(lambda s: s.id == slot_id)
            if slot is None or not slot.pending:
                raise self._damaged()
            self._save(state.with_slot(slot.sealed(data_key, state.office_id, state.generation)).signed(data_key))

    def discard_slot(self, data_key: bytes, slot_id: str) -> None:
        """Remove a pending slot (an enrolment that did not reach its commit point)."""
        with self._locked() as state:
            self._check_key(state, data_key)
            slot = state.find(lambda s: s.id == slot_id)
            if slot is None:
                return
            if not slot.pending:
                raise self._damaged()
            self._save(replace(state, slots=tuple(s for s in state.slots if s.id != slot_id)).signed(data_key))

    def set_recovery_slot(self, data_key: bytes, kdf: KdfParams) -> str:
        """A new recovery code replacing any earlier one; show it once, it is stored nowhere."""
        return self.set_recovery_slot_keyed(data_key, kdf)[0]

    def set_recovery_slot_keyed(self, data_key: bytes, kdf: KdfParams) -> tuple[str, SlotKey]:
        """``set_recovery_slot`` and the new slot's key, to seal the Lurah's authority key to it."""
        code = generate_recovery_code()
        with self._locked() as state:
            self._check_key(state, data_key)
            slot, private = new_slot_and_key(RECOVERY, None, "recovery", _recovery_secret(code), kdf, state.office_id)
            slot = slot.sealed(data_key, state.office_id, state.generation)
            slots = tuple(s for s in state.slots if s.kind != RECOVERY) + (slot,)
            self._save(replace(state, slots=slots).signed(data_key))
        return code, SlotKey(slot.id, slot.kind, None, private)

    def change_passphrase(
        self, operator_id: str, old: str, new: str, kdf: KdfParams, *, now: float | None = None
    ) -> None:
        """Re-wrap only this operator's private key under ``new``; the data key does not change.

        ``old`` is checked like an unlock (it counts towards throttling), so this is no way
        around it. Old copies of vault.json still open with ``old``: that is what a re-key is for.
        """
        now = time.time() if now is None else now
        with self._locked() as state:
            slot = state.find(lambda s: s.kind == OPERATOR and s.operator_id == operator_id)
            if slot is None:
                raise UnknownOperator(operator=operator_id)
            private_key = self._open_slot(state, slot, _passphrase_secret(old), now, WrongPassphrase)
            state = self._state  # _open_slot may have saved a reset throttle
            slot = state.find(lambda s: s.id == slot.id)
            self._save(state.with_slot(slot.rewrapped(private_key, _passphrase_secret(new), kdf, state.office_id)))

    def remove_operator_and_rekey(self, data_key: bytes, operator_id: str) -> bytes:
        """Delete ``operator_id``'s slot and move the database to a new data key; returns it.

        Every engine on the database must be disposed first (DatabaseInUse otherwise).
        """
        with self._locked() as state:
            if not state.find(lambda s: s.kind == OPERATOR and s.operator_id == operator_id):
                raise UnknownOperator(operator=operator_id)
            self._check_key(state, data_key)
            remaining = tuple(s for s in state.slots if not (s.kind == OPERATOR and s.operator_id == operator_id))
            if not remaining:
                # A new data key sealed to nobody would lock the office for good.
                raise LastKey()
            return self._rekey(state, data_key, remaining)

    def rekey(self, data_key: bytes) -> bytes:
        """Move the database to a new data key for the same slots; returns it (engines disposed first)."""
        with self._locked() as state:
            self._check_key(state, data_key)
            return self._rekey(state, data_key, state.slots)

    def _rekey(self, state: _State, data_key: bytes, slots: tuple[Keyslot, ...]) -> bytes:
        """Export under a new key to office-<g+1>.db, then one rename of vault.json commits it all.

        Before that rename a crash leaves generation g whole (the new file is an orphan that
        load() removes); after it, generation g+1 is whole and the old file is the orphan.
        """
        old_path = self.folder / state.database
        if not old_path.is_file():
            raise DatabaseMissing(name=state.database, folder=str(self.folder))
        new_state = replace(state, generation=state.generation + 1, slots=())
        new_path = self.folder / new_state.database
        fsutil.remove_files(engine.database_files(new_path))
        new_key = secrets.token_bytes(engine.KEY_BYTES)
        _export_alone(old_path, data_key, new_path, new_key)
        # A pending slot (an enrolment not committed) receives nothing: it is dropped here.
        sealed = tuple(s.sealed(new_key, state.office_id, new_state.generation) for s in slots if not s.pending)
        self._save(replace(new_state, slots=sealed).signed(new_key))  # the commit point
        if fsutil.remove_files(engine.database_files(old_path)):
            fsutil.fsync_dir(self.folder)
        return new_key

    # --- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[_State]:
        with fsutil.file_lock(self.folder / LOCK_FILE):
            self._state = _read(self.folder)
            yield self._state

    def _save(self, state: _State) -> None:
        fsutil.write_atomic(self.folder / VAULT_FILE, state.to_bytes())
        self._state = state

    def _check_key(self, state: _State, data_key: bytes) -> None:
        # Before sealing the data key to anyone, prove both that it is the office's key and that
        # nobody without it has added a slot or swapped a public key.
        if not state.mac_ok(data_key):
            raise self._damaged()

    def _damaged(self) -> VaultDamaged:
        return VaultDamaged(folder=str(self.folder))


def _read(folder: Path) -> _State:
    try:
        raw = (folder / VAULT_FILE).read_bytes()
    except FileNotFoundError:
        raise VaultMissing(folder=str(folder)) from None
    try:
        return _State.from_bytes(raw)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise VaultDamaged(folder=str(folder)) from exc


def _generation_of(path: Path) -> int | None:
    match = _DATABASE_FILE.fullmatch(path.name)
    return int(match.group(1)) if match else None


def _remove_older_databases(folder: Path, generation: int) -> None:
    """Delete what a re-key that died after its commit point left: databases of older generations.

    Their key is the old one, which a removed operator may still hold, so they go at once.
    A newer generation is left alone: it is either a re-key that died before its commit
    point (sealed under a key nobody kept; the next re-key overwrites it) or, if vault.json
    was put back from an old copy, the real database, which must not be lost.
    """
    doomed = [path for path in folder.iterdir() if (g := _generation_of(path)) is not None and g < generation]
    if fsutil.remove_files(doomed):
        fsutil.fsync_dir(folder)


def _export_alone(old_path: Path, old_key: bytes, new_path: Path, new_key: bytes) -> None:
    """Export ``old_path`` under ``new_key``, refusing if any other connection has it open.

    Leaving WAL mode needs the only connection to the file, and it checkpoints the WAL (so
    even data a crashed process left there is in the copy). The old file is discarded after
    the commit point, so changing its journal mode costs nothing.
    """
    conn = engine.connect(old_path, old_key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_EXCLUSIVE_WAIT_MS}")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        except engine.driver().OperationalError as exc:  # "database is locked"
            raise DatabaseInUse() from exc
        if not mode or str(mode[0]).lower() != "delete":
            raise DatabaseInUse()
        fsutil.create_private(new_path)
        engine.export_on(conn, old_path.name, new_path, new_key)
    except BaseException:
        conn.close()
        fsutil.remove_files(engine.database_files(new_path))
        raise
    conn.close()
    fsutil.fsync_file(new_path)
    fsutil.fsync_dir(new_path.parent)


def vault_database(raw: bytes, data_key: bytes) -> str | None:
    """The database file name the vault document ``raw`` names, if its MAC holds under ``data_key``; else None.

    What a backup checks before it pairs a copy of vault.json with a copy of the database."""
    try:
        state = _State.from_bytes(raw)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None
    return state.database if state.mac_ok(data_key) else None
