from __future__ import annotations

import random

import pytest

from hiboutik.simulator.errors import ApiError
from hiboutik.simulator.faults import Faults, Outcome, draw, updated_faults


def test_partial_updates_keep_the_other_settings() -> None:
    faults = updated_faults(Faults(latency_ms=5), {"error_rate": "0.1", "retry_after": 3})
    assert faults == Faults(latency_ms=5, error_rate=0.1, retry_after=3)
    assert updated_faults(faults, {"retry_after": None}).retry_after is None


def test_invalid_updates_are_refused() -> None:
    for body in (
        {"error_rate": 1.5},
        {"status": 502},
        {"slow_ms": -1},
        {"rate": 1},
        {"error_rate": 0.6, "reset_rate": 0.6},
        {"webhook_loss_rate": 2},
        {"lose_webhooks": -1},
    ):
        with pytest.raises(ApiError) as caught:
            updated_faults(Faults(), body)
        assert caught.value.status == 422


def test_draw_follows_the_rates() -> None:
    rng = random.Random(7)
    faults = Faults(error_rate=0.1, reset_rate=0.02, slow_rate=0.01)
    outcomes = [draw(faults, rng) for _ in range(20_000)]
    errors = sum(o is Outcome.ERROR for o, _ in outcomes) / len(outcomes)
    resets = sum(o is Outcome.RESET for o, _ in outcomes) / len(outcomes)
    slows = sum(slow for _, slow in outcomes) / len(outcomes)
    assert 0.09 < errors < 0.11
    assert 0.015 < resets < 0.025
    assert 0.006 < slows < 0.014
    assert all(draw(Faults(), rng) == (Outcome.NORMAL, False) for _ in range(100))
