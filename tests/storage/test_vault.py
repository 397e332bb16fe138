"""The key vault: unlock by operator and by recovery code, slots, re-key, throttling, tampering."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import unicodedata

import pytest
from sqlalchemy import text

from app.errors import UsulkanError
from app.storage.engine import WrongKey, connect, make_engine
from app.storage.recovery_code import InvalidRecoveryCode, generate_recovery_code
from app.storage.vault import (
    DatabaseInUse,
    DatabaseMissing,
    LastKey,
    NoRecoverySlot,
    OperatorExists,
    UnknownOperator,
    UnlockThrottled,
    Vault,
    VaultDamaged,
    VaultMissing,
    WrongPassphrase,
    WrongRecoveryCode,
)

OFFICE = "5b0c2f6e-9d8a-4f0e-8a43-0f6d2c1b7e11"
ANI, BUDI = "op-ani", "op-budi"
ANI_PASS, BUDI_PASS = "sandi ani 123", "sandi budi 456"
NIK = "3571014708850003"
T0 = 1_800_000_000.0


@pytest.fixture
def office(tmp_path, fast_kdf):
    """A vault with Ani, Budi and a recovery slot, and a database holding one row."""
    folder = tmp_path / "office"
    vault, key = Vault.create(folder, OFFICE)
    vault.add_operator_slot(key, ANI, "Ani", ANI_PASS, fast_kdf)
    vault.add_operator_slot(key, BUDI, "Budi", BUDI_PASS, fast_kdf)
    code = vault.set_recovery_slot(key, fast_kdf)
    write_rows(vault.database_path, key, ["before"])
    return folder, key, code


def write_rows(path, key, values):
    engine = make_engine(path, key)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, nik TEXT, body TEXT)"))
            for value in values:
                conn.execute(text("INSERT INTO note (nik, body) VALUES (:nik, :body)"), {"nik": NIK, "body": value})
    finally:
        engine.dispose()


def read_rows(path, key):
    engine = make_engine(path, key)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT body FROM note ORDER BY id")).scalars().all()
    finally:
        engine.dispose()


def vault_json(folder):
    return json.loads((folder / "vault.json").read_text())


def save_json(folder, document):
    (folder / "vault.json").write_text(json.dumps(document))


def slot_of(document, operator_id):
    return next(s for s in document["slots"] if s["operator_id"] == operator_id)


def flip_b64(value: str, index: int = 5) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


# --- creating and opening -------------------------------------------------------------------


def test_layout_and_private_files(office):
    folder, key, _ = office
    vault = Vault.load(folder)
    assert vault.database_path == folder / "office-1.db" and vault.generation == 1
    assert vault.office_id == OFFICE
    names = {p.name for p in folder.iterdir()}
    assert {"vault.json", "office-1.db"} <= names and names <= {"vault.json", "office-1.db", "vault.lock"}
    if os.name != "nt":
        for name in ("vault.json", "office-1.db", "vault.lock"):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    document = vault_json(folder)
    assert document["database"] == "office-1.db" and document["generation"] == 1
    assert key.hex() not in (folder / "vault.json").read_text()
    assert ANI_PASS not in (folder / "vault.json").read_text()


def test_unlock_by_operator_and_by_recovery_code(office):
    folder, key, code = office
    vault = Vault.load(folder)
    assert vault.unlock_operator(ANI, ANI_PASS) == key
    assert vault.unlock_operator(BUDI, BUDI_PASS) == key
    # Typed from the printed sheet, in lower case with spaces instead of dashes.
    assert vault.unlock_recovery(code.lower().replace("-", " ")) == key
    assert read_rows(vault.database_path, key) == ["before"]


def test_operators_are_listed_in_the_order_they_were_added(office):
    folder, _, _ = office
    vault = Vault.load(folder)
    assert vault.operators() == [(ANI, "Ani"), (BUDI, "Budi")]
    assert vault.has_operator(ANI) and not vault.has_operator("op-nobody")
    assert vault.has_recovery()


def test_wrong_and_unknown(office):
    folder, _, code = office
    vault = Vault.load(folder)
    with pytest.raises(WrongPassphrase) as info:
        vault.unlock_operator(ANI, BUDI_PASS)
    assert info.value.message() != info.value.template  # Indonesian, with what to do next
    with pytest.raises(UnknownOperator):
        vault.unlock_operator("op-nobody", ANI_PASS)
    with pytest.raises(WrongRecoveryCode):
        vault.unlock_recovery(generate_recovery_code())
    assert isinstance(WrongRecoveryCode(), WrongPassphrase)


def test_a_recovery_code_typo_fails_at_once_and_costs_no_attempt(office):
    folder, key, code = office
    vault = Vault.load(folder)
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    for _ in range(5):
        with pytest.raises(InvalidRecoveryCode):
            vault.unlock_recovery(typo, now=T0)
    assert vault.unlock_recovery(code, now=T0) == key


def test_no_recovery_slot(tmp_path, fast_kdf):
    vault, key = Vault.create(tmp_path / "o", OFFICE)
    vault.add_operator_slot(key, ANI, "Ani", ANI_PASS, fast_kdf)
    with pytest.raises(NoRecoverySlot):
        vault.unlock_recovery(generate_recovery_code())


def test_a_passphrase_is_the_same_however_the_keyboard_composed_it(tmp_path, fast_kdf):
    vault, key = Vault.create(tmp_path / "o", OFFICE)
    vault.add_operator_slot(key, ANI, "Ani", unicodedata.normalize("NFC", "kopi tubruk é"), fast_kdf)
    assert vault.unlock_operator(ANI, unicodedata.normalize("NFD", "kopi tubruk é")) == key


def test_missing_vault_and_missing_database(tmp_path, office):
    with pytest.raises(VaultMissing) as info:
        Vault.load(tmp_path / "empty")
    assert "empty" in info.value.message()
    folder, _, _ = office
    (folder / "office-1.db").unlink()
    with pytest.raises(DatabaseMissing):
        Vault.load(folder)


def test_create_refuses_an_existing_vault_or_database(office, tmp_path):
    folder, _, _ = office
    with pytest.raises(FileExistsError):
        Vault.create(folder, OFFICE)
    (folder / "vault.json").unlink()  # lost; a backup of it could still open office-1.db
    with pytest.raises(FileExistsError):
        Vault.create(folder, OFFICE)
    assert (folder / "office-1.db").exists()


def test_load_removes_older_generations_and_keeps_newer_ones(office):
    folder, key, _ = office
    for junk in ("office-0.db", "office-0.db-wal", "office-0.db-shm", ".vault.json.abc.tmp"):
        (folder / junk).write_bytes(b"left by a crash after the commit point")
    # A newer generation is a re-key that died before its commit point, or the real database
    # of a vault.json that was put back from an old copy: never deleted on load.
    for newer in ("office-2.db", "office-2.db-journal"):
        (folder / newer).write_bytes(b"maybe precious")
    (folder / "notes.txt").write_text("not ours to delete")
    vault = Vault.load(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt", "office-1.db", "office-2.db", "office-2.db-journal", "vault.json", "vault.lock",
    ]
    assert read_rows(vault.database_path, key) == ["before"]


def test_a_vault_pointing_at_a_missing_database_deletes_nothing(office):
    folder, _, _ = office
    document = vault_json(folder)
    document.update(generation=2, database="office-2.db")
    save_json(folder, document)
    with pytest.raises(DatabaseMissing):
        Vault.load(folder)
    assert (folder / "office-1.db").exists()


def test_a_newer_leftover_is_replaced_by_the_next_rekey(office):
    folder, key, _ = office
    (folder / "office-2.db").write_bytes(b"a re-key that died before its commit point")
    (folder / "office-2.db-journal").write_bytes(b"x")
    vault = Vault.load(folder)
    new_key = vault.rekey(key)
    assert sorted(p.name for p in folder.iterdir()) == ["office-2.db", "vault.json", "vault.lock"]
    assert read_rows(vault.database_path, new_key) == ["before"]


# --- slots ---------------------------------------------------------------------------------


def test_add_a_slot(office, fast_kdf):
    folder, key, _ = office
    vault = Vault.load(folder)
    vault.add_operator_slot(key, "op-citra", "Citra", "sandi citra 789", fast_kdf)
    assert Vault.load(folder).unlock_operator("op-citra", "sandi citra 789") == key
    with pytest.raises(OperatorExists):
        vault.add_operator_slot(key, ANI, "Ani", "other", fast_kdf)


def test_adding_a_slot_needs_the_real_data_key(office, fast_kdf):
    folder, key, _ = office
    with pytest.raises(VaultDamaged):
        Vault.load(folder).add_operator_slot(bytes(32), "op-mallory", "Mallory", "x", fast_kdf)
    assert not Vault.load(folder).has_operator("op-mallory")


def test_change_passphrase(office, fast_kdf):
    folder, key, _ = office
    vault = Vault.load(folder)
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase(ANI, "not it", "new one", fast_kdf)
    vault.change_passphrase(ANI, ANI_PASS, "sandi baru ani", fast_kdf)
    vault = Vault.load(folder)
    with pytest.raises(WrongPassphrase):
        vault.unlock_operator(ANI, ANI_PASS)
    assert vault.unlock_operator(ANI, "sandi baru ani") == key
    assert vault.unlock_operator(BUDI, BUDI_PASS) == key  # the other slots are untouched
    assert vault.generation == 1  # the data key did not change


def test_a_new_recovery_code_replaces_the_old(office, fast_kdf):
    folder, key, old_code = office
    vault = Vault.load(folder)
    new_code = vault.set_recovery_slot(key, fast_kdf)
    assert new_code != old_code
    assert vault.unlock_recovery(new_code) == key
    with pytest.raises(WrongRecoveryCode):
        vault.unlock_recovery(old_code)
    assert sum(s["kind"] == "recovery" for s in vault_json(folder)["slots"]) == 1


# --- re-key ---------------------------------------------------------------------------------


def test_remove_and_rekey_shuts_out_the_removed_operator(office, tmp_path):
    folder, key, code = office
    vault = Vault.load(folder)
    old_copy = tmp_path / "old-copy"
    old_copy.mkdir()
    shutil.copy(folder / "vault.json", old_copy / "vault.json")  # Budi keeps a copy

    new_key = vault.remove_operator_and_rekey(key, BUDI)
    assert new_key != key and len(new_key) == 32
    assert vault.database_path == folder / "office-2.db"
    assert sorted(p.name for p in folder.iterdir()) == ["office-2.db", "vault.json", "vault.lock"]
    write_rows(vault.database_path, new_key, ["after"])

    reloaded = Vault.load(folder)
    with pytest.raises(UnknownOperator):
        reloaded.unlock_operator(BUDI, BUDI_PASS)
    assert reloaded.unlock_operator(ANI, ANI_PASS) == new_key
    assert reloaded.unlock_recovery(code) == new_key
    assert read_rows(reloaded.database_path, new_key) == ["before", "after"]

    # Budi's old copy still yields the old key, and the old key opens nothing written since.
    shutil.copy(folder / "office-2.db", old_copy / "office-1.db")
    stale_key = Vault.load(old_copy).unlock_operator(BUDI, BUDI_PASS)
    assert stale_key == key
    with pytest.raises(WrongKey):
        connect(folder / "office-2.db", stale_key)


def test_an_old_slot_pasted_into_the_new_vault_opens_nothing(office):
    folder, key, _ = office
    budi_slot = slot_of(vault_json(folder), BUDI)
    Vault.load(folder).remove_operator_and_rekey(key, BUDI)
    document = vault_json(folder)
    document["slots"].append(budi_slot)
    save_json(folder, document)
    with pytest.raises(VaultDamaged):
        Vault.load(folder).unlock_operator(BUDI, BUDI_PASS)


def test_rekey_keeps_every_slot(office):
    folder, key, code = office
    vault = Vault.load(folder)
    new_key = vault.rekey(key)
    assert new_key != key and vault.generation == 2
    assert vault.unlock_operator(BUDI, BUDI_PASS) == new_key
    assert vault.unlock_recovery(code) == new_key
    assert read_rows(vault.database_path, new_key) == ["before"]
    with pytest.raises(WrongKey):
        connect(vault.database_path, key)


def test_rekey_refuses_while_the_database_is_open(office):
    folder, key, _ = office
    vault = Vault.load(folder)
    engine = make_engine(vault.database_path, key)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1")).all()
        with pytest.raises(DatabaseInUse):
            vault.remove_operator_and_rekey(key, BUDI)
    engine.dispose()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("office-2")) == []
    assert Vault.load(folder).unlock_operator(BUDI, BUDI_PASS) == key  # nothing changed
    assert read_rows(vault.database_path, key) == ["before"]


def test_rekey_with_the_wrong_key_changes_nothing(office):
    folder, key, _ = office
    with pytest.raises(VaultDamaged):
        Vault.load(folder).rekey(bytes(32))
    assert Vault.load(folder).unlock_operator(ANI, ANI_PASS) == key


def test_the_last_key_cannot_be_removed(tmp_path, fast_kdf):
    vault, key = Vault.create(tmp_path / "o", OFFICE)
    vault.add_operator_slot(key, ANI, "Ani", ANI_PASS, fast_kdf)
    with pytest.raises(LastKey):
        vault.remove_operator_and_rekey(key, ANI)
    assert vault.unlock_operator(ANI, ANI_PASS) == key


def test_removing_an_unknown_operator(office):
    folder, key, _ = office
    with pytest.raises(UnknownOperator):
        Vault.load(folder).remove_operator_and_rekey(key, "op-nobody")


# --- throttling -----------------------------------------------------------------------------


def fail(vault, now, passphrase="salah"):
    with pytest.raises(WrongPassphrase):
        vault.unlock_operator(ANI, passphrase, now=now)


def throttled(vault, now, passphrase=ANI_PASS) -> int:
    with pytest.raises(UnlockThrottled) as info:
        vault.unlock_operator(ANI, passphrase, now=now)
    assert str(info.value.retry_after_seconds) in info.value.message()
    return info.value.retry_after_seconds


def test_three_free_attempts_then_the_wait_doubles(office):
    folder, key, _ = office
    vault = Vault.load(folder)
    for _ in range(3):
        fail(vault, T0)
    # Even the right passphrase is refused while throttled: a wait reveals nothing.
    assert throttled(vault, T0 + 0.1) == 1
    fail(vault, T0 + 1)  # 4th failure
    assert throttled(Vault.load(folder), T0 + 1.5) == 2  # the count is in vault.json
    fail(vault, T0 + 3)  # 5th: wait 4
    assert throttled(vault, T0 + 3) == 4
    assert vault.unlock_operator(ANI, ANI_PASS, now=T0 + 7) == key
    # Success resets: three free attempts again.
    for _ in range(3):
        fail(vault, T0 + 8)
    assert throttled(vault, T0 + 8) == 1


def test_the_wait_is_capped_at_five_minutes(office):
    folder, key, _ = office
    vault = Vault.load(folder)
    now = T0
    waits = []
    for failures in range(1, 15):
        fail(vault, now)
        if failures >= 3:
            waits.append(throttled(vault, now))
            now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert vault.unlock_operator(ANI, ANI_PASS, now=now) == key


def test_throttling_is_per_slot(office):
    folder, key, code = office
    vault = Vault.load(folder)
    for _ in range(3):
        fail(vault, T0)
    throttled(vault, T0)
    assert vault.unlock_operator(BUDI, BUDI_PASS, now=T0) == key
    assert vault.unlock_recovery(code, now=T0) == key


def test_the_recovery_code_is_throttled_too(office):
    folder, key, code = office
    vault = Vault.load(folder)
    for _ in range(3):
        with pytest.raises(WrongRecoveryCode):
            vault.unlock_recovery(generate_recovery_code(), now=T0)
    with pytest.raises(UnlockThrottled):
        vault.unlock_recovery(code, now=T0)
    assert vault.unlock_recovery(code, now=T0 + 1) == key


def test_change_passphrase_counts_as_an_attempt(office, fast_kdf):
    folder, _, _ = office
    vault = Vault.load(folder)
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            vault.change_passphrase(ANI, "salah", "baru", fast_kdf, now=T0)
    with pytest.raises(UnlockThrottled):
        vault.change_passphrase(ANI, ANI_PASS, "baru", fast_kdf, now=T0)


def test_a_clock_set_back_does_not_lock_the_office_out(office):
    folder, key, _ = office
    vault = Vault.load(folder)
    for _ in range(3):
        fail(vault, T0 + 86_400)  # failures recorded with a clock a day fast
    assert throttled(vault, T0) == 1  # clock corrected: wait one delay, not a day
    assert vault.unlock_operator(ANI, ANI_PASS, now=T0 + 1) == key


# --- damage and tampering -------------------------------------------------------------------


def test_a_flipped_bit_in_a_wrapped_private_key_is_damage_not_a_wrong_passphrase(office):
    folder, _, _ = office
    document = vault_json(folder)
    wrapped = slot_of(document, ANI)["wrapped_private_key"]
    wrapped["ciphertext"] = flip_b64(wrapped["ciphertext"])
    save_json(folder, document)
    with pytest.raises(VaultDamaged) as info:
        Vault.load(folder).unlock_operator(ANI, ANI_PASS)
    assert "vault.json" in info.value.message()


def test_a_flipped_byte_anywhere_in_the_file_is_a_clear_error(office):
    folder, key, _ = office
    raw = (folder / "vault.json").read_bytes()
    start = raw.index(b'"ciphertext"') + len(b'"ciphertext": "') + 10
    for position in (start, start + 20, 3, len(raw) // 2):
        damaged = bytearray(raw)
        damaged[position] ^= 0x04
        (folder / "vault.json").write_bytes(bytes(damaged))
        try:
            assert Vault.load(folder).unlock_operator(ANI, ANI_PASS) == key
        except UsulkanError as error:  # typed, with a message: never a traceback
            assert isinstance(error, VaultDamaged | WrongPassphrase)
            assert error.message()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: slot_of(d, ANI).update(sealed_data_key=flip_b64(slot_of(d, ANI)["sealed_data_key"], 40)),
        lambda d: slot_of(d, BUDI).update(public_key=slot_of(d, ANI)["public_key"]),
        lambda d: slot_of(d, BUDI).update(label="Lurah"),
        lambda d: slot_of(d, ANI).update(operator_id="op-lurah"),
        lambda d: d["slots"].append({**slot_of(d, BUDI), "id": "f" * 32, "operator_id": "op-mallory"}),
        lambda d: d.update(database="office-2.db"),
        lambda d: d.update(mac=base64.b64encode(bytes(32)).decode()),
    ],
    ids=["sealed-key", "swapped-public-key", "label", "renamed-operator", "added-slot", "generation", "mac"],
)
def test_tampering_is_detected_before_the_key_is_used(office, tamper):
    folder, _, _ = office
    document = vault_json(folder)
    tamper(document)
    save_json(folder, document)
    unlocking = "op-lurah" if "op-lurah" in json.dumps(document) else ANI
    with pytest.raises(VaultDamaged):
        Vault.load(folder).unlock_operator(unlocking, ANI_PASS)


def test_a_slot_swapped_in_for_an_intruder_cannot_capture_the_next_key(office, fast_kdf):
    # An intruder without the data key replaces Budi's public key with one of their own,
    # hoping the next re-key seals the new data key to it: the MAC stops the re-key.
    folder, key, _ = office
    document = vault_json(folder)
    slot_of(document, BUDI)["public_key"] = base64.b64encode(bytes(range(32))).decode()
    save_json(folder, document)
    with pytest.raises(VaultDamaged):
        Vault.load(folder).rekey(key)
    assert not (folder / "office-2.db").exists()


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": "usulkan-vault"}', b"\xff\xfe"])
def test_garbage_vault_json(office, content):
    folder, _, _ = office
    (folder / "vault.json").write_bytes(content)
    with pytest.raises(VaultDamaged):
        Vault.load(folder)


def test_absurd_kdf_parameters_are_refused_not_run(office):
    folder, _, _ = office
    document = vault_json(folder)
    slot_of(document, ANI)["kdf"]["memory_cost"] = 1 << 40
    save_json(folder, document)
    with pytest.raises(VaultDamaged):
        Vault.load(folder)
