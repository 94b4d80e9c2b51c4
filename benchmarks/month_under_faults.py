"""B7: the simulated month under faults — the same shop, while Hiboutik fails calls, the webhook
receiver goes down, the worker is killed mid-flow, and the simulator answers its harder way."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.month import Faults, Month
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulated_month import SIZES as MONTH_SIZES
from benchmarks.simulated_month import MonthSizes, month_outcome, month_targets
from benchmarks.targets import Target
from hiboutik.concurrency import DEFAULT_CONCURRENCY

NAME = "month-under-faults"
TITLE = "B7 · The simulated month under faults"

# Fewer days than the month itself: a full 30 days twice does not fit `make bench`'s half hour
# on two cores. The calls are projected to 30 days and compared with the same days without
# faults (the month is drawn day by day: day k is the same whatever the days played).
SIZES = {
    Mode.FULL: MonthSizes(replace(MONTH_SIZES[Mode.FULL].shape, days=3)),
    Mode.QUICK: MonthSizes(replace(MONTH_SIZES[Mode.QUICK].shape, days=1)),
    Mode.SMOKE: MonthSizes(replace(MONTH_SIZES[Mode.SMOKE].shape, days=1)),
}
FAULTS = Faults(
    call_error_rate=0.03,
    reset_rate=0.019,
    slow_rate=0.001,
    retry_after=1,
    receiver_down_share=0.01,
    worker_kills=2,
    simulator_switches=(
        "--page-param=ignored",
        "--exchange-mode=credit-note",
        "--search-match=substring",
    ),
)
TARGETS = (
    *month_targets(calls_target=False),
    Target(
        "stranded_most_by_one_kill",
        "Calls a killed worker counted and never sent, the most of one kill",
        "<=",
        DEFAULT_CONCURRENCY,
        reason="a call is counted once it holds one of the account's slots, right before it is "
        "sent, so a kill leaves at most one per slot counted (counting after sending would let "
        "a kill hide a call from the quota)",
    ),
)


def describe(sizes: MonthSizes) -> str:
    shape = sizes.shape
    faults = FAULTS
    rate = faults.call_error_rate + faults.reset_rate + faults.slow_rate
    return f"""\
**What.** The simulated month's shop and flows (previous section), {shape.days} day(s), while
{rate:.0%} of Hiboutik calls fail — {faults.call_error_rate:.1%} answered 503 with `Retry-After:
{faults.retry_after}`, {faults.reset_rate:.1%} connections reset, {faults.slow_rate:.1%}
answered after the client's 30-second read timeout — the webhook receiver (gunicorn) is stopped
{faults.receiver_down_share:.0%} of the time, in the store's busy hours (the till's webhooks
fail meanwhile and are never resent), the worker is killed with SIGKILL {faults.worker_kills}
times while it runs a flow (a new one starts at once), and the simulator runs under its harder
switches: {", ".join(f"`{switch}`" for switch in faults.simulator_switches)}.

The same invariants as the month without faults must hold: nothing lost, nothing imported twice,
no stock moved twice, both sides' stock equal at the end, every call counted. A call is counted
in the ledger once it holds one of the account's slots, right before it is sent, so a worker
killed in between leaves it counted and never sent: the gap between the ledger and the
simulator is read with the worker idle before and after each kill, and what a kill added is
shown apart; beyond it, the ledger must equal the simulator's counter. The extra calls the
faults cost are the difference with the same days without faults, when the month without
faults ran in the same run (its first days are these days).

**Why.** After weeks of a flaky network, a receiver restarted during a deploy and a worker
killed by the machine, every sale must still be in Connect once, and the stock the same on both
sides."""


def run(sizes: MonthSizes) -> Outcome:
    shape = sizes.shape
    result = Month(shape, FAULTS).play()
    baseline = Month.baseline_calls(shape)
    outcome = month_outcome(result, shape, baseline=baseline)
    faults = Table(
        "The faults, as they happened",
        ["Worker kills", "Receiver down (min)", "Sales whose webhook failed", "Calls",
         "Calls without faults, same days", "Extra calls"],
    )  # fmt: skip
    faults.add(
        result.worker_kills,
        result.receiver_down_minutes,
        result.failed_webhooks,
        result.calls,
        baseline,
        None if baseline is None else result.calls - baseline,
    )
    outcome.tables.insert(0, faults)
    outcome.figures["fault_extra_calls"] = None if baseline is None else result.calls - baseline
    outcome.explanations["stock_delay_p95_min"] = (
        f"the changes made while the worker was killed ({result.worker_kills} times: its run "
        f"is taken over by the next trigger once three heartbeats are missed) or while a push "
        f"was refused and retried "
        f"waited for the next runs; {result.never_shown} never reached Hiboutik"
    )
    outcome.figures["worker_kills"] = result.worker_kills
    outcome.figures["stranded_most_by_one_kill"] = result.stranded_most_by_one_kill
    return outcome
