"""Targets and invariants, and the verdict of a run against them.

A :class:`Target` names a figure of its scenario's run and the bound it must stay within.
An *invariant* (``invariant=True``) is a bound that must never break (no sale lost, no
deadlock, no query per displayed row): when it breaks, the run exits non-zero. Any other target
is a goal: a miss is reported in a plain sentence saying by how much and why, and the run still
succeeds.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from benchmarks.results import format_number

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}
_WORDS = {"<=": "at most", "<": "under", ">=": "at least", ">": "over", "==": "exactly"}


@dataclass(frozen=True)
class Target:
    """``figure`` ``op`` ``limit``, e.g. ``Target("ratio", "Read time / floor", "<=", 1.5)``.

    ``reason``: why this bound, in one sentence (shown on the page with the target).
    ``timed``: the figure is a time or a rate, which a busy machine slows (counts are not).
    """

    figure: str
    label: str
    op: str
    limit: float
    unit: str = ""
    invariant: bool = False
    reason: str = ""
    timed: bool = False

    def __post_init__(self) -> None:
        if self.op not in _OPERATORS:
            raise ValueError(f"target {self.figure!r}: unknown operator {self.op!r}")

    def holds(self, value: float) -> bool:
        return _OPERATORS[self.op](value, self.limit)

    def describe(self) -> str:
        """``≤ 1.5×``-style text for the page."""
        symbol = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "="}[self.op]
        return f"{symbol} {_limit(self.limit)}{with_unit('', self.unit)}"

    def in_words(self) -> str:
        return f"{_WORDS[self.op]} {_limit(self.limit)}{with_unit('', self.unit)}"


class Status(StrEnum):
    MET = "met"
    MISSED = "missed"  # a goal not reached: reported, the run still succeeds
    BROKEN = "broken"  # an invariant that does not hold: the run fails
    NOT_MEASURED = "not measured"  # the figure is not part of this mode's run


@dataclass(frozen=True)
class Verdict:
    figure: str
    label: str
    target: str  # as Target.describe() says it
    invariant: bool
    reason: str
    value: float | int | None
    unit: str
    status: Status
    sentence: str  # empty when met; otherwise what happened and why
    timed: bool = False

    def measured(self) -> str:
        return "–" if self.value is None else with_unit(format_figure(self.value), self.unit)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(**{**data, "status": Status(data["status"])})


def judge(
    targets: Iterable[Target],
    figures: Mapping[str, float | int | None],
    explanations: Mapping[str, str],
    *,
    not_measured: str = "not part of this run's sizes",
) -> list[Verdict]:
    verdicts = []
    for target in targets:
        value = figures.get(target.figure)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            status, sentence = Status.NOT_MEASURED, f"{target.label}: {not_measured}."
        elif target.holds(value):
            status, sentence = Status.MET, ""
        else:
            status = Status.BROKEN if target.invariant else Status.MISSED
            why = explanations.get(target.figure) or "the run recorded nothing that explains it"
            kind = "invariant broken" if target.invariant else "target missed"
            sentence = (
                f"{target.label}: {with_unit(format_figure(value), target.unit)} where the "
                f"{'invariant' if target.invariant else 'target'} is {target.in_words()} "
                f"({kind}). Why: {_sentence(why)}"
            )
        verdicts.append(
            Verdict(
                figure=target.figure,
                label=target.label,
                target=target.describe(),
                invariant=target.invariant,
                reason=target.reason,
                value=value,
                unit=target.unit,
                status=status,
                sentence=sentence,
                timed=target.timed,
            )
        )
    return verdicts


def format_figure(value: float | int) -> str:
    """A figure as a sentence says it: 3.0 is "3"."""
    if isinstance(value, float) and value.is_integer():
        return format_number(int(value))
    return format_number(value)


def with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("×", "%") else f"{text} {unit}"


def _limit(value: float) -> str:
    """A bound as it was declared: 1.5 stays 1.5, 1800 is 1,800."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
