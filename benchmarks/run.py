"""Run the scenarios, print their tables, judge their targets, and record the run.

    python -m benchmarks                     # every scenario, full sizes, printed
    python -m benchmarks --quick --write     # reduced sizes, recorded (make bench-quick)
    python -m benchmarks --only pages        # one scenario (repeat --only for more)
    python -m benchmarks --smoke --json out.json --no-migrations   # the test suite's run
    python -m benchmarks --render            # the page again from docs/benchmarks.json

Exit status: 0 when every scenario ran and no invariant broke (missed targets are reported,
not fatal), 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import tempfile
import time
import warnings
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

from benchmarks.checks import BenchmarkError, NotRun
from benchmarks.compare import compare_records
from benchmarks.environment import (
    commit_description,
    cpu_count,
    database_description,
    database_vendor,
    empty_database,
    isolate,
    load_average,
    machine_description,
    redis_broker_url,
    setup_django,
    teardown_django,
    temporary_database,
    utc_now,
)
from benchmarks.record import RunRecord, ScenarioRecord, ScenarioStatus, write_atomically
from benchmarks.registry import BY_NAME, SCENARIOS, Entry
from benchmarks.report import duration, render
from benchmarks.results import table_markdown
from benchmarks.scenario import DatabaseNeed, Mode
from benchmarks.targets import Status, Target, judge
from connect.startup_heap import freeze_startup_heap

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = ROOT / "docs" / "benchmarks.md"

# The run as a whole: `make bench-quick` must stay a quick check, `make bench` fit a coffee
# break on the two-core reference machine.
RUN_TARGETS = {
    Mode.FULL: Target(
        "run_seconds",
        "Run time of `make bench`",
        "<",
        30 * 60,
        "s",
        timed=True,
        reason="every scenario, full size, on a 2-core machine",
    ),
    Mode.QUICK: Target(
        "run_seconds",
        "Run time of `make bench-quick`",
        "<",
        5 * 60,
        "s",
        timed=True,
        reason="quick enough to run before every landing",
    ),
}


def say(message: str) -> None:
    """Progress and errors go to stderr; stdout carries only the tables."""
    print(message, file=sys.stderr, flush=True)


def record_path(page: Path) -> Path:
    return page.with_suffix(".json")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure Hiboutik API calls, database queries and wall time against "
        "targets; print the tables, optionally record them in docs/benchmarks.md.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick",
        action="store_true",
        help="reduced sizes, under five minutes in all (make bench-quick)",
    )
    size.add_argument(
        "--smoke",
        action="store_true",
        help="smallest sizes, one cold run: checks every scenario works, numbers not worth "
        "recording",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(BY_NAME),
        metavar="NAME",
        help=f"run only this scenario ({', '.join(BY_NAME)}); repeatable; never written",
    )
    parser.add_argument(
        "--write",
        nargs="?",
        const=DEFAULT_PAGE,
        type=Path,
        metavar="PAGE",
        help=f"write the page (default docs/{DEFAULT_PAGE.name}) and its record "
        "(the same name ending in .json)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the record here")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="RECORD",
        help="after the run, check that every count (query, call, row) of RECORD, a "
        "docs/benchmarks.json of the same mode, is reproduced; exit 1 if one differs",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: render the page again from its record (after a change of the "
        "page's prose)",
    )
    parser.add_argument(
        "--no-migrations",
        action="store_true",
        help="build the temporary database from the models instead of the migrations (faster)",
    )
    args = parser.parse_args(argv)
    if args.write is not None and args.only:
        parser.error("--write records a whole run: drop --only")
    if args.write is not None and not args.write.parent.is_dir():
        parser.error(f"--write: folder {args.write.parent} does not exist")
    for option in ("json", "compare"):
        path = getattr(args, option)
        if option == "json" and path is not None and not path.parent.is_dir():
            parser.error(f"--json: folder {path.parent} does not exist")
        if option == "compare" and path is not None and not path.is_file():
            parser.error(f"--compare: {path} is not a file")
    if args.render and (args.only or args.quick or args.smoke or args.compare):
        parser.error("--render measures nothing: it takes --write [PAGE] only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        return _render_again(args.write or DEFAULT_PAGE)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks", shlex.join(given)]).strip()
    mode = Mode.SMOKE if args.smoke else Mode.QUICK if args.quick else Mode.FULL
    if args.only:
        selected = [BY_NAME[name] for name in dict.fromkeys(args.only)]
    else:
        selected = [entry for entry in SCENARIOS if entry.smoke or mode != Mode.SMOKE]
    # Static files come from the source folders: no collected folder is expected.
    warnings.filterwarnings("ignore", message="No directory at")

    # Stopped with SIGTERM, a run still drops its database and stops its simulators.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="connect-benchmarks-") as data_dir:
        isolate(Path(data_dir))
        setup_django()
        # As a Celery worker does once started: flows run in-process here are measured as
        # they run there.
        freeze_startup_heap()
        # After Django's logging set-up, which would reset it: retries are counted in the
        # tables, one warning per retry would only bury them.
        logging.getLogger("hiboutik.client").setLevel(logging.ERROR)
        # One line per benchmark login would bury the tables too.
        logging.getLogger("axes").setLevel(logging.WARNING)
        try:
            record = run_scenarios(selected, mode, command, migrate=not args.no_migrations)
        finally:
            teardown_django()
    return _finish(record, args)


def _exit_on_sigterm(number: int, frame: object) -> None:
    raise SystemExit(128 + number)


def run_scenarios(
    selected: list[Entry] | tuple[Entry, ...], mode: Mode, command: str, *, migrate: bool
) -> RunRecord:
    started = time.perf_counter()
    uses_database = any(entry.database != DatabaseNeed.NONE for entry in selected)
    load_at_start = load_average()
    record = RunRecord(
        recorded=utc_now(),
        mode=str(mode),
        command=command,
        commit=commit_description(ROOT),
        machine=machine_description(),
        database="none",
    )
    with ExitStack() as stack:
        if uses_database:
            stack.enter_context(temporary_database(migrate=migrate))
            record.database = database_description()
        database_used = False
        for entry in selected:
            module = entry.load()
            sizes = module.SIZES.get(mode)
            if sizes is None:
                continue
            if entry.database != DatabaseNeed.NONE:
                # Each database scenario starts from an empty database.
                if database_used:
                    empty_database()
                database_used = True
            say(f"== {entry.name}")
            scenario = run_one(entry, module, sizes)
            record.scenarios.append(scenario)
            say(f"   {scenario.status} in {duration(scenario.seconds)}")
            print(_printed(scenario), flush=True)
    record.seconds = time.perf_counter() - started
    if load_at_start is not None:
        record.load_average = (load_at_start, load_average() or 0.0)
        record.cpus = cpu_count()
    if mode in RUN_TARGETS and len(selected) == len(SCENARIOS):
        record.verdicts = judge([RUN_TARGETS[mode]], {"run_seconds": record.seconds}, {})
    return record


def run_one(entry: Entry, module: ModuleType, sizes: object) -> ScenarioRecord:
    scenario = ScenarioRecord(
        name=entry.name,
        title=module.TITLE,
        description=module.describe(sizes),
        status=ScenarioStatus.RAN,
        database="none" if entry.database == DatabaseNeed.NONE else database_description(),
    )
    if entry.database == DatabaseNeed.POSTGRESQL and database_vendor() != "postgresql":
        scenario.status = ScenarioStatus.SKIPPED
        scenario.error = (
            f"it needs PostgreSQL and this run used {database_description()}: set "
            "DATABASE_URL=postgres://… to run it"
        )
        return scenario
    if entry.worker and not redis_broker_url():
        scenario.status = ScenarioStatus.SKIPPED
        scenario.error = (
            "not run: it starts a Celery worker on Redis and this run was given no Redis "
            "broker: set CELERY_BROKER_URL=redis://… (a database of its own) to run it"
        )
        return scenario
    started = time.perf_counter()
    try:
        outcome = module.run(sizes)
    except NotRun as reason:
        scenario.status = ScenarioStatus.SKIPPED
        scenario.error = f"not run: {reason}"
    except BenchmarkError as error:
        scenario.status = ScenarioStatus.FAILED
        scenario.error = str(error)
    else:
        scenario.tables = outcome.tables
        scenario.findings = outcome.findings
        scenario.figures = outcome.figures
        scenario.verdicts = judge(module.TARGETS, outcome.figures, outcome.explanations)
    scenario.seconds = time.perf_counter() - started
    return scenario


def _printed(scenario: ScenarioRecord) -> str:
    parts = [f"## {scenario.title}"]
    if scenario.error:
        parts.append(f"{scenario.status}: {scenario.error}")
    parts.extend(f"- {finding}" for finding in scenario.findings)
    if scenario.verdicts:
        parts.append(
            "\n".join(
                f"- [{verdict.status}] {verdict.label}: {verdict.measured()} "
                f"(target {verdict.target})"
                for verdict in scenario.verdicts
            )
        )
    parts.extend(table_markdown(table) for table in scenario.tables)
    return "\n\n".join(parts) + "\n"


def _finish(record: RunRecord, args: argparse.Namespace) -> int:
    for verdict in record.all_verdicts:
        if verdict.status == Status.MISSED:
            say(f"missed: {verdict.sentence}")
    say(f"run time {duration(record.seconds)}")
    if args.json is not None:
        write_atomically(args.json, record.to_json())
        say(f"record written to {args.json}")
    if args.write is not None:
        write_atomically(record_path(args.write), record.to_json())
        write_atomically(args.write, render(record))
        say(f"results recorded in {args.write} and {record_path(args.write).name}")
    failed = record.failed
    if args.compare is not None:
        differences = compare_records(RunRecord.load(args.compare), record)
        for difference in differences:
            say(f"differs from {args.compare}: {difference}")
        if differences:
            failed.append(f"{len(differences)} counts differ from {args.compare}")
        else:
            say(f"every count of {args.compare} was reproduced")
    for reason in failed:
        say(f"error: {reason}")
    return 1 if failed else 0


def _render_again(page: Path) -> int:
    source = record_path(page)
    try:
        record = RunRecord.load(source)
    except (OSError, ValueError, KeyError, TypeError) as error:
        say(f"error: cannot read the record {source}: {error}")
        return 1
    write_atomically(page, render(record))
    say(f"{page} rendered again from {source.name}")
    return 0
