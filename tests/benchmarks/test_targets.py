"""Judging figures against targets: a met goal, a missed one (reported, not fatal), a broken
invariant (fatal), a figure this mode did not measure."""

import json

import pytest

from benchmarks.record import RunRecord, ScenarioRecord, ScenarioStatus
from benchmarks.targets import Status, Target, judge

RATIO = Target("ratio", "Read time / floor", "<=", 1.5, "×", reason="the cap must help")
GROWTH = Target("per_row", "Order list: queries per displayed row", "<=", 0, invariant=True)


def test_a_figure_within_its_target_is_met_and_says_nothing():
    (verdict,) = judge([RATIO], {"ratio": 1.2}, {})
    assert verdict.status == Status.MET and verdict.sentence == ""
    assert verdict.target == "≤ 1.5×" and verdict.value == 1.2


def test_a_missed_target_says_by_how_much_and_why():
    (verdict,) = judge([RATIO], {"ratio": 6.04}, {"ratio": "at most 1 call was in flight"})
    assert verdict.status == Status.MISSED
    assert verdict.sentence == (
        "Read time / floor: 6.04× where the target is at most 1.5× (target missed). "
        "Why: at most 1 call was in flight."
    )


def test_a_broken_invariant_is_broken_not_missed():
    (verdict,) = judge([GROWTH], {"per_row": 1.0}, {})
    assert verdict.status == Status.BROKEN
    assert "invariant broken" in verdict.sentence
    assert "the run recorded nothing that explains it" in verdict.sentence


def test_a_figure_not_measured_in_this_mode_is_not_judged():
    (verdict,) = judge([GROWTH], {}, {})
    assert verdict.status == Status.NOT_MEASURED and verdict.value is None


@pytest.mark.parametrize(
    ("op", "value", "holds"),
    [("<", 2, False), ("<", 1.99, True), (">=", 1, True), (">", 1, False), ("==", 0, True)],
)
def test_operators(op, value, holds):
    assert (
        Target("x", "x", op, 2 if op == "<" else 1 if op in (">=", ">") else 0).holds(value)
        is holds
    )


def test_an_unknown_operator_is_refused():
    with pytest.raises(ValueError, match="unknown operator"):
        Target("x", "x", "≈", 1)


def record(*scenarios: ScenarioRecord) -> RunRecord:
    return RunRecord(
        recorded="2026-11-30 12:00 UTC",
        mode="quick",
        command="python -m benchmarks --quick --write",
        commit={"sha": "a" * 40, "short": "aaaaaaaaaa", "subject": "Subject", "dirty": False},
        machine="2 CPUs",
        database="PostgreSQL 15.20",
        scenarios=list(scenarios),
    )


def scenario(name: str, figures: dict, targets: list[Target], **fields) -> ScenarioRecord:
    return ScenarioRecord(
        name=name,
        title=name.title(),
        description="",
        status=fields.pop("status", ScenarioStatus.RAN),
        database="PostgreSQL 15.20",
        figures=figures,
        verdicts=judge(targets, figures, {}),
        **fields,
    )


def test_a_run_fails_on_a_broken_invariant_or_a_failed_scenario_not_on_a_missed_target():
    assert record(scenario("reads", {"ratio": 9.0}, [RATIO])).failed == []
    broken = record(scenario("pages", {"per_row": 1.0}, [GROWTH]))
    assert len(broken.failed) == 1 and "Order list" in broken.failed[0]
    failed = record(
        scenario("services", {}, [], status=ScenarioStatus.FAILED, error="orders not complete")
    )
    assert failed.failed == ["services: orders not complete"]


def test_a_record_survives_its_json():
    original = record(scenario("pages", {"per_row": 0.0}, [GROWTH]))
    original.load_average, original.cpus = (0.5, 0.7), 2
    again = RunRecord.from_dict(json.loads(original.to_json()))
    assert again == original
