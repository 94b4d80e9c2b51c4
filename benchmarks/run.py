"""Run the benchmarks, print their tables, and record them.

    python -m benchmarks                       # everything, full sizes, printed
    python -m benchmarks --only services       # one benchmark (repeat --only for more)
    python -m benchmarks --write               # record into docs/benchmarks.md
    python -m benchmarks --quick --json out.json --no-migrations   # smoke run

SQLite by default; PostgreSQL when DATABASE_URL says so. Either way the database benchmarks run
in a database of their own, created and dropped here (and emptied between two benchmarks), and
nothing is written to `.local/`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import shlex
import sys
import tempfile
import time
import warnings
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from benchmarks.checks import BenchmarkError
from benchmarks.environment import (
    database_vendor,
    describe_run,
    empty_database,
    isolate,
    setup_django,
    teardown_django,
    temporary_database,
)
from benchmarks.results import BenchmarkResult, result_markdown
from benchmarks.results_file import ResultsFileError, replace_blocks, write_blocks


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str  # imported once Django is set up: the database benchmarks import models
    needs_database: bool

    def load(self) -> ModuleType:
        module = importlib.import_module(self.module)
        if self.name != module.NAME:
            raise BenchmarkError(f"{self.module} calls itself {module.NAME!r}, not {self.name!r}")
        return module


BENCHMARKS = {
    benchmark.name: benchmark
    for benchmark in (
        Benchmark("hiboutik", "benchmarks.hiboutik_api", needs_database=False),
        Benchmark("services", "benchmarks.domain_services", needs_database=True),
        Benchmark("pages", "benchmarks.pages", needs_database=True),
    )
}
DEFAULT_RESULTS_FILE = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def say(message: str) -> None:
    """Progress and errors go to stderr; stdout carries only the result tables."""
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure Hiboutik API calls and database queries (wall time second).",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark ({', '.join(BENCHMARKS)}); repeatable",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smallest sizes, one run without warm-up: a smoke run, not numbers to record",
    )
    parser.add_argument(
        "--write",
        nargs="?",
        const=DEFAULT_RESULTS_FILE,
        type=Path,
        metavar="PATH",
        help=f"record the results in PATH (default {DEFAULT_RESULTS_FILE.name} in docs/), "
        "between its <!-- results:... --> markers",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write raw numbers here")
    parser.add_argument(
        "--no-migrations",
        action="store_true",
        help="build the temporary database from the models instead of the migrations (faster)",
    )
    args = parser.parse_args(argv)
    if args.write is not None and not args.write.is_file():
        parser.error(f"--write: {args.write} is not a file")
    if args.json is not None and not args.json.parent.is_dir():
        parser.error(f"--json: folder {args.json.parent} does not exist")
    return args


def block_key(benchmark: Benchmark) -> str:
    """Where a result goes in the results file: database benchmarks have one block per
    database, since their counts may differ between SQLite and PostgreSQL."""
    return f"{benchmark.name}-{database_vendor()}" if benchmark.needs_database else benchmark.name


def run_one(benchmark: Benchmark, args: argparse.Namespace, command: str) -> BenchmarkResult:
    module = benchmark.load()
    sizes = module.QUICK if args.quick else module.FULL
    environment = describe_run(command, with_database=benchmark.needs_database)
    return module.benchmark(sizes, environment)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks", shlex.join(given)]).strip()
    selected = list(dict.fromkeys(BENCHMARKS[name] for name in (args.only or BENCHMARKS)))
    # Static files come from the source folders: no collected folder is expected.
    warnings.filterwarnings("ignore", message="No directory at")

    with tempfile.TemporaryDirectory(prefix="connect-benchmarks-") as data_dir:
        isolate(Path(data_dir))
        uses_database = any(benchmark.needs_database for benchmark in selected)
        if uses_database:
            setup_django()
        # After Django's logging set-up, which would reset it: retries are counted in the
        # tables, one warning per retry would only bury them.
        logging.getLogger("hiboutik.client").setLevel(logging.ERROR)
        try:
            return _run(selected, args, command)
        finally:
            if uses_database:
                teardown_django()


def _run(selected: list[Benchmark], args: argparse.Namespace, command: str) -> int:
    keys = {benchmark.name: block_key(benchmark) for benchmark in selected}
    if args.write is not None:
        # Check the markers before spending minutes measuring.
        try:
            replace_blocks(args.write.read_text(encoding="utf-8"), dict.fromkeys(keys.values(), ""))
        except ResultsFileError as error:
            say(f"error: {args.write}: {error}")
            return 1

    results: list[BenchmarkResult] = []
    failed = []
    with ExitStack() as stack:
        if any(benchmark.needs_database for benchmark in selected):
            stack.enter_context(temporary_database(migrate=not args.no_migrations))
        database_used = False
        for benchmark in selected:
            say(f"== {benchmark.name}")
            started = time.perf_counter()
            if benchmark.needs_database:
                # Each database benchmark starts from an empty database.
                if database_used:
                    empty_database()
                database_used = True
            try:
                result = run_one(benchmark, args, command)
            except BenchmarkError as error:
                say(f"error: {benchmark.name} benchmark: {error}")
                failed.append(benchmark.name)
                continue
            say(f"   done in {time.perf_counter() - started:.1f} s")
            results.append(result)
            print(f"## {result.title}\n\n{result_markdown(result)}\n", flush=True)

    if args.json is not None:
        args.json.write_text(
            json.dumps([result.as_dict() for result in results], indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        say(f"raw numbers written to {args.json}")
    if args.write is not None and results:
        try:
            write_blocks(
                args.write, {keys[result.name]: result_markdown(result) for result in results}
            )
        except ResultsFileError as error:
            say(f"error: {error}")
            return 1
        say(f"results recorded in {args.write}")
    return 1 if failed else 0
