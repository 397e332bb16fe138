"""Argon2id: the cost that turns a passphrase into a key-encryption key, calibrated per machine."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

SALT_BYTES = 16
# RFC 9106 section 4: lanes 4 and three passes over the memory are its second recommended
# setting. The memory is what calibration moves: it is the cost a GPU attacker pays too.
LANES = 4
ITERATIONS = 3
MIN_MEMORY_KIB = 19 * 1024  # OWASP's floor for Argon2id
MAX_MEMORY_KIB = 512 * 1024  # office PCs with 4 GB of RAM must still unlock
MAX_ITERATIONS = 16
# Bounds a vault file may ask for: past them a tampered file could only hang the unlock.
_LIMIT_MEMORY_KIB = 4 * 1024 * 1024
_LIMIT_ITERATIONS = 64
_LIMIT_LANES = 64


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: memory in KiB, passes over it, lanes. The salt lives in each keyslot."""

    memory_cost: int
    iterations: int
    lanes: int

    def __post_init__(self) -> None:
        if not (1 <= self.lanes <= _LIMIT_LANES and 1 <= self.iterations <= _LIMIT_ITERATIONS):
            raise ValueError("Argon2id lanes or iterations out of range")
        if not (8 * self.lanes <= self.memory_cost <= _LIMIT_MEMORY_KIB):
            raise ValueError("Argon2id memory out of range")

    @classmethod
    def for_tests(cls) -> KdfParams:
        """Tiny parameters (milliseconds) for tests; never chosen by production code."""
        return cls(memory_cost=64, iterations=1, lanes=1)

    def to_json(self) -> dict:
        return {
            "algorithm": "argon2id",
            "memory_cost": self.memory_cost,
            "iterations": self.iterations,
            "lanes": self.lanes,
        }

    @classmethod
    def from_json(cls, data: dict) -> KdfParams:
        if data.get("algorithm") != "argon2id":
            raise ValueError("unknown key derivation")
        values = [data.get(name) for name in ("memory_cost", "iterations", "lanes")]
        if not all(type(value) is int for value in values):
            raise ValueError("Argon2id parameters must be integers")
        return cls(*values)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive(secret: bytes, salt: bytes, params: KdfParams, length: int) -> bytes:
    """``length`` bytes from ``secret``: slow on purpose (that is the point of Argon2id)."""
    return Argon2id(
        salt=salt,
        length=length,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_cost,
    ).derive(secret)


def time_derivation(params: KdfParams) -> float:
    """Seconds one derivation with ``params`` takes on this machine now."""
    start = time.perf_counter()
    derive(b"calibration", bytes(SALT_BYTES), params, 32)
    return time.perf_counter() - start


def _round_memory(kib: float) -> int:
    # Whole MiB: readable in vault.json, and always a multiple of the 8 KiB per lane Argon2 needs.
    mib = max(1, round(kib / 1024))
    return min(MAX_MEMORY_KIB, max(MIN_MEMORY_KIB, mib * 1024))


def _next_guess(params: KdfParams, took: float, target: float) -> KdfParams:
    """Scale the work (memory x passes) by target / took, preferring memory, within bounds."""
    work = params.memory_cost * params.iterations * target / max(took, 1e-6)
    iterations = ITERATIONS
    memory = work / iterations
    if memory > MAX_MEMORY_KIB:
        iterations = min(MAX_ITERATIONS, math.ceil(work / MAX_MEMORY_KIB))
        memory = work / iterations
    elif memory < MIN_MEMORY_KIB:
        # A slow PC: give up passes before giving up memory, down to one pass at the floor.
        iterations = max(1, math.floor(work / MIN_MEMORY_KIB))
        memory = work / iterations
    return KdfParams(memory_cost=_round_memory(memory), iterations=iterations, lanes=LANES)


def calibrate_kdf(
    target_seconds: float = 0.5,
    *,
    measure: Callable[[KdfParams], float] = time_derivation,
    rounds: int = 4,
) -> KdfParams:
    """Argon2id parameters that take about ``target_seconds`` here (accepted: 0.6x to 2x of it).

    Starts from RFC 9106's 64 MiB x 3 passes, then rescales from what it measured. On a
    machine too slow even for the floors, the floors win: the cost never drops below
    19 MiB x 1 pass however long that takes. ``measure`` is injectable for tests.
    """
    low, high = 0.6 * target_seconds, 2 * target_seconds
    params = KdfParams(memory_cost=64 * 1024, iterations=ITERATIONS, lanes=LANES)
    best, best_error = params, math.inf
    for _ in range(rounds):
        took = measure(params)
        error = abs(math.log(max(took, 1e-6) / target_seconds))
        if error < best_error:
            best, best_error = params, error
        if low <= took <= high:
            return params
        guess = _next_guess(params, took, target_seconds)
        if guess == params:
            break
        params = guess
    return best
