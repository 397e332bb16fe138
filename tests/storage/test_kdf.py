"""Argon2id parameters: calibration against a cost model (no timing is asserted), bounds, encoding."""

from __future__ import annotations

import pytest

from app.storage import kdf
from app.storage.kdf import KdfParams, calibrate_kdf


def machine(seconds_per_gib_pass: float):
    """A fake machine whose derivation time is proportional to memory x passes."""

    def measure(params: KdfParams) -> float:
        return params.memory_cost * params.iterations / (1024 * 1024) * seconds_per_gib_pass

    return measure


@pytest.mark.parametrize("speed", [0.5, 1.0, 1.6, 3.0, 6.0])
def test_calibration_lands_in_the_window_on_ordinary_machines(speed):
    measure = machine(speed)
    params = calibrate_kdf(0.5, measure=measure)
    assert 0.3 <= measure(params) <= 1.0
    assert params.memory_cost >= kdf.MIN_MEMORY_KIB and params.memory_cost <= kdf.MAX_MEMORY_KIB
    assert params.memory_cost % 1024 == 0


def test_a_very_fast_machine_gets_more_passes_not_unbounded_memory():
    measure = machine(0.05)
    params = calibrate_kdf(0.5, measure=measure)
    assert params.memory_cost == kdf.MAX_MEMORY_KIB and params.iterations > kdf.ITERATIONS
    assert 0.3 <= measure(params) <= 1.0


def test_a_very_slow_machine_keeps_the_floor():
    params = calibrate_kdf(0.5, measure=machine(200.0))
    assert params == KdfParams(memory_cost=kdf.MIN_MEMORY_KIB, iterations=1, lanes=kdf.LANES)


def test_test_parameters_are_tiny_and_valid():
    params = KdfParams.for_tests()
    assert params.memory_cost <= 1024
    assert len(kdf.derive(b"secret", kdf.new_salt(), params, 48)) == 48


def test_json_round_trip_and_bounds():
    params = KdfParams(memory_cost=65536, iterations=3, lanes=4)
    assert KdfParams.from_json(params.to_json()) == params
    for bad in (
        {"algorithm": "scrypt", "memory_cost": 65536, "iterations": 3, "lanes": 4},
        {"algorithm": "argon2id", "memory_cost": "65536", "iterations": 3, "lanes": 4},
        {"algorithm": "argon2id", "memory_cost": 1 << 30, "iterations": 3, "lanes": 4},  # would hang the unlock
        {"algorithm": "argon2id", "memory_cost": 8, "iterations": 3, "lanes": 4},
        {"algorithm": "argon2id", "memory_cost": 65536, "iterations": 0, "lanes": 4},
    ):
        with pytest.raises(ValueError):
            KdfParams.from_json(bad)
