"""Injected faults, changed at run time through ``POST /_sim/faults``: extra latency, error
answers (with ``Retry-After``), abruptly reset connections, responses slower than a
client's read timeout, and ``sale`` webhooks that are never sent."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace
from enum import Enum
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.errors import invalid

ERROR_STATUSES = (500, 503)
DEFAULT_SLOW_MS = 5000


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    status: int = 503
    retry_after: int | None = None
    reset_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = DEFAULT_SLOW_MS
    # Webhooks Hiboutik never sends: a fraction of them, and the next N whatever the fraction.
    webhook_loss_rate: float = 0.0
    lose_webhooks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Outcome(Enum):
    NORMAL = "normal"
    ERROR = "error"
    RESET = "reset"


def _rate(value: Any) -> float:
    number = float(f.parse_decimal(value))
    if not 0.0 <= number <= 1.0:
        raise f.FieldError("must be a fraction between 0 and 1")
    return number


def _status(value: Any) -> int:
    number = f.parse_int(value)
    if number not in ERROR_STATUSES:
        raise f.FieldError("must be 500 or 503")
    return number


def _retry_after(value: Any) -> int | None:
    return None if value in ("", None) else f.parse_id_or_zero(value)


_PARSERS = {
    "latency_ms": f.parse_id_or_zero,
    "error_rate": _rate,
    "status": _status,
    "reset_rate": _rate,
    "slow_rate": _rate,
    "slow_ms": f.parse_id_or_zero,
    "webhook_loss_rate": _rate,
    "lose_webhooks": f.parse_id_or_zero,
}


def updated_faults(current: Faults, body: dict[str, Any]) -> Faults:
    """Apply a partial update; every wrong key or value is reported at once and nothing is
    changed if any is wrong."""
    reader = f.FieldReader(body)
    reader.reject_unknown(set(_PARSERS) | {"retry_after"})
    changes: dict[str, Any] = {}
    for name, parser in _PARSERS.items():
        if reader.has(name):
            changes[name] = reader.get(name, parser, required=True)
    if "retry_after" in body:
        try:
            changes["retry_after"] = _retry_after(body["retry_after"])
        except f.FieldError as exc:
            reader.fail("retry_after", str(exc))
    reader.check()
    result = replace(current, **changes)
    if result.error_rate + result.reset_rate > 1.0:
        raise invalid({"error_rate": "error_rate + reset_rate must not exceed 1"})
    return result


def draw(faults: Faults, rng: random.Random) -> tuple[Outcome, bool]:
    """What happens to one call: its outcome, and whether it is also slowed down."""
    roll = rng.random()
    if roll < faults.reset_rate:
        outcome = Outcome.RESET
    elif roll < faults.reset_rate + faults.error_rate:
        outcome = Outcome.ERROR
    else:
        outcome = Outcome.NORMAL
    slow = faults.slow_rate > 0 and rng.random() < faults.slow_rate
    return outcome, slow
