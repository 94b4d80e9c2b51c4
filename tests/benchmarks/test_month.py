"""The simulated month: its plan, its clock, its schedule, and the reduced month played whole
(three days of a small shop) with its invariants checked by the script."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from benchmarks import clocked
from benchmarks.month import MONTH_FLOWS, MONTH_START, TICK, Month, due, missing_flows
from benchmarks.month_plan import (
    Exchange,
    NewCustomer,
    NewProduct,
    Reception,
    Refund,
    TillSale,
    WebOrder,
    plan_month,
)
from benchmarks.scenario import Mode
from benchmarks.simulated_month import SIZES
from integrations.models import FlowSchedule
from tests.benchmarks.test_run import run_benchmarks

SHAPE = SIZES[Mode.SMOKE].shape


def test_the_plan_holds_the_shops_days_and_is_the_same_every_time():
    plan = plan_month(SHAPE, MONTH_START)
    assert plan.count(TillSale) == SHAPE.till_sales_per_day * SHAPE.days
    assert plan.count(Exchange) == SHAPE.exchanges_per_day * SHAPE.days
    assert plan.count(Refund) == SHAPE.refunds_per_day * SHAPE.days
    assert plan.count(WebOrder) == SHAPE.web_orders_per_day * SHAPE.days
    assert plan.count(NewCustomer) == SHAPE.new_web_customers_per_day * SHAPE.days
    assert plan.count(Reception) == 1  # Tuesday, the second day
    assert plan.count(NewProduct) == SHAPE.days  # 7 a week
    lost = [e for e in plan.events if isinstance(e, TillSale) and e.webhook_lost]
    assert len(lost) == SHAPE.lost_webhooks
    assert [e.at for e in plan.events] == sorted(e.at for e in plan.events)
    assert all(MONTH_START <= e.at < plan.end for e in plan.events)
    assert plan_month(SHAPE, MONTH_START).events == plan.events


def test_a_days_events_do_not_depend_on_how_many_days_are_played():
    """The month under faults compares its days with the same days of the month."""
    short = plan_month(replace(SHAPE, days=1, lost_webhooks=0), MONTH_START)
    long = plan_month(replace(SHAPE, lost_webhooks=0), MONTH_START)
    first_day = [e for e in long.events if e.at < MONTH_START + timedelta(days=1)]
    assert short.events == first_day


def test_schedules_fall_due_on_the_simulated_clock():
    every_five = FlowSchedule(every_minutes=5)
    hourly = FlowSchedule(every_minutes=60)
    nightly = FlowSchedule(crontab="0 3 * * *")
    moment = MONTH_START + timedelta(hours=3)
    assert due(every_five, moment) and due(hourly, moment) and due(nightly, moment)
    later = moment + timedelta(minutes=5)
    assert due(every_five, later) and not due(hourly, later) and not due(nightly, later)


def test_the_clock_file_sets_connects_time_and_uninstalling_restores_it(tmp_path):
    clock = clocked.FileClock(tmp_path / "clock")
    clock.set(datetime(2027, 6, 1, 9, tzinfo=UTC))
    clocked.install(clock)
    try:
        assert timezone.now() == datetime(2027, 6, 1, 9, tzinfo=UTC)
        clock.set(datetime(2027, 6, 2, 9, tzinfo=UTC))
        assert timezone.now() == datetime(2027, 6, 2, 9, tzinfo=UTC)
    finally:
        clocked.uninstall()
    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.skipif(
    not settings.USING_POSTGRES or not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="the month runs Connect's processes on PostgreSQL and Redis",
)
def test_the_reduced_month_keeps_every_invariant(tmp_path):
    raw = tmp_path / "month.json"
    completed = run_benchmarks(
        "--only", "simulated-month", "--smoke", "--no-migrations", "--json", str(raw), timeout=900
    )
    (month,) = json.loads(raw.read_text(encoding="utf-8"))["scenarios"]
    missing = missing_flows()
    if missing:
        assert completed.returncode == 0, completed.stderr
        assert month["status"] == "skipped"
        assert month["error"] == f"not run: flow {', '.join(missing)} missing on this commit"
        return
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert month["status"] == "ran", month["error"]
    figures = month["figures"]
    assert figures["sales_not_one_order"] == figures["refunds_not_errors"] == 0
    assert figures["exchanges_not_processed"] == figures["stock_differences"] == 0
    assert figures["ledger_minus_simulator"] == 0 and figures["calls_played"] > 0
    calls = f"{figures['calls_played']:,}"
    assert f"The 3 simulated day(s) used {calls} Hiboutik calls" in month["findings"][0]
    assert set(MONTH_FLOWS) - {"catalogue.match"} <= {row[0] for row in month["tables"][0]["rows"]}


def test_calls_a_kill_left_counted_are_read_around_each_kill_only():
    month = Month.__new__(Month)
    first, second = MONTH_START + 3 * TICK, MONTH_START + 9 * TICK
    month.kill_ticks = [first, second]
    month.stranded = []
    month._gap_before_kill = {}
    gaps = iter([0, 1, 1, 3])  # before, after the first kill; before, after the second
    month._counted_minus_received = lambda: next(gaps)
    for step in range(12):
        month._count_stranded_calls(MONTH_START + step * TICK)
    assert month.stranded == [1, 2]
    assert next(gaps, None) is None  # read four times: no tick away from a kill is read
