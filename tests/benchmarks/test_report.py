"""The page is rendered from one run's record: it names the run, puts every figure beside its
target, and explains every miss. The recorded page is exactly what its record renders."""

import json

from benchmarks.compare import compare_records
from benchmarks.record import RunRecord, ScenarioRecord, ScenarioStatus
from benchmarks.report import render
from benchmarks.results import Table
from benchmarks.run import DEFAULT_PAGE, record_path
from benchmarks.targets import Target, judge

TARGETS = [
    Target("per_row", "Order list: queries per displayed row", "<=", 0, invariant=True),
    Target("ratio", "Read time / floor", "<=", 1.5, "×", reason="the cap must help", timed=True),
]


def make_record(queries: int = 9, wall: float = 21.5) -> RunRecord:
    table = Table("List pages", ["Page", "Queries", "Wall time (ms)"], varying=["Wall time (ms)"])
    table.add("Order list", queries, wall)
    figures = {"per_row": 0.0, "ratio": 6.2}
    return RunRecord(
        recorded="2026-11-30 12:00 UTC",
        mode="full",
        command="python -m benchmarks --write",
        commit={
            "sha": "b" * 40,
            "short": "bbbbbbbbbb",
            "subject": "Pages: one query",
            "dirty": True,
        },
        machine="2 CPUs (`nproc`), Test CPU",
        database="PostgreSQL 15.20",
        seconds=75.0,
        load_average=(17.5, 19.6),
        cpus=2,
        scenarios=[
            ScenarioRecord(
                name="pages",
                title="Pages: database queries",
                description="**What.** The pages.",
                status=ScenarioStatus.RAN,
                database="PostgreSQL 15.20",
                seconds=12.5,
                tables=[table],
                figures=figures,
                verdicts=judge(TARGETS, figures, {"ratio": "pages were read one at a time"}),
            ),
            ScenarioRecord(
                name="concurrent-imports",
                title="Concurrent order imports on PostgreSQL",
                description="**What.** Imports.",
                status=ScenarioStatus.SKIPPED,
                database="SQLite",
                error="it needs PostgreSQL",
            ),
        ],
    )


def test_the_page_names_the_run_and_puts_each_figure_beside_its_target():
    page = render(make_record())
    assert "| Recorded | 2026-11-30 12:00 UTC |" in page
    assert "`bbbbbbbbbb` “Pages: one query” (with uncommitted changes to tracked files)" in page
    assert "| Machine | 2 CPUs (`nproc`), Test CPU |" in page
    assert "| Run time | 1 min 15 s |" in page
    assert (
        "| Machine load | 1-minute load average 17.5 when the run started, 19.6 when it ended: "
        "more than the 2 CPUs, so other work competed with the run" in page
    )
    assert "*Ran on PostgreSQL 15.20, in 12.5 s.*" in page
    assert "| Read time / floor | 6.20× | ≤ 1.5× | target | **missed** | the cap must help |" in (
        page
    )
    assert "| Order list: queries per displayed row | 0 | ≤ 0 | invariant | met |" in page
    assert "| Order list | 9 | 21.5 |" in page


def test_every_miss_has_its_sentence_and_a_skipped_scenario_says_why():
    page = render(make_record())
    assert "2 targets and invariants: 1 met, 1 missed, 0 invariants broken" in page
    assert (
        "- Read time / floor: 6.20× where the target is at most 1.5× (target missed). "
        "Why: pages were read one at a time. The machine was busier than its 2 CPUs during "
        "this run (load average up to 19.6), which slows this figure." in page
    )
    assert "**Not run in this recording:** it needs PostgreSQL" in page


def test_the_recorded_page_is_exactly_what_its_record_renders():
    """No figure on docs/benchmarks.md is typed: change benchmarks/ and record again (or,
    for a change of prose only, `python -m benchmarks --render`)."""
    recorded = RunRecord.load(record_path(DEFAULT_PAGE))
    assert DEFAULT_PAGE.read_text(encoding="utf-8") == render(recorded)
    assert recorded.commit["sha"] and recorded.mode in ("full", "quick")


def test_a_fresh_run_is_compared_on_counts_not_on_times():
    recorded = make_record()
    assert compare_records(recorded, make_record(wall=99.0)) == []
    differences = compare_records(recorded, make_record(queries=33))
    assert differences == ["pages: 'List pages', row 'Order list', Queries: 9 then 33"]
    quick = RunRecord.from_dict({**json.loads(recorded.to_json()), "mode": "quick"})
    assert compare_records(recorded, quick) == ["the record is a full run, this one a quick run"]
