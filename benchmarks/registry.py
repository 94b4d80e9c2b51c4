"""Every scenario, in the order the page shows them.

Adding one: a module following :mod:`benchmarks.scenario`, one line here, and a check in
``tests/benchmarks/`` that its smoke run produces its figures. The page, the targets table and
the JSON record pick it up by themselves.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from benchmarks.checks import BenchmarkError
from benchmarks.scenario import DatabaseNeed


@dataclass(frozen=True)
class Entry:
    name: str
    module: str  # imported once Django is set up: database scenarios import models
    database: DatabaseNeed
    # Starts Connect's own processes (gunicorn, a Celery worker on Redis) on the run's database.
    worker: bool = False
    # Part of the smoke run of every scenario; the months are too long for it and are run on
    # their own by the test suite (tests/benchmarks/test_month.py).
    smoke: bool = True

    def load(self) -> ModuleType:
        module = importlib.import_module(self.module)
        if self.name != module.NAME:
            raise BenchmarkError(f"{self.module} calls itself {module.NAME!r}, not {self.name!r}")
        return module


SCENARIOS: tuple[Entry, ...] = (
    Entry("hiboutik", "benchmarks.hiboutik_api", DatabaseNeed.NONE),
    Entry("hiboutik-latency", "benchmarks.hiboutik_latency", DatabaseNeed.NONE),
    Entry("simulator", "benchmarks.simulator_load", DatabaseNeed.NONE),
    Entry("services", "benchmarks.domain_services", DatabaseNeed.ANY),
    Entry("pages", "benchmarks.pages", DatabaseNeed.ANY),
    Entry("concurrent-imports", "benchmarks.concurrent_imports", DatabaseNeed.POSTGRESQL),
    Entry("stock-export", "benchmarks.stock_export", DatabaseNeed.POSTGRESQL),
    Entry("stock-reconcile", "benchmarks.stock_reconcile", DatabaseNeed.POSTGRESQL),
    Entry("order-import", "benchmarks.order_import", DatabaseNeed.POSTGRESQL, worker=True),
    Entry("webhook-burst", "benchmarks.webhook_burst", DatabaseNeed.POSTGRESQL, worker=True),
    Entry("flow-races", "benchmarks.flow_races", DatabaseNeed.POSTGRESQL),
    Entry(
        "simulated-month",
        "benchmarks.simulated_month",
        DatabaseNeed.POSTGRESQL,
        worker=True,
        smoke=False,
    ),
    Entry(
        "month-under-faults",
        "benchmarks.month_under_faults",
        DatabaseNeed.POSTGRESQL,
        worker=True,
        smoke=False,
    ),
    Entry(
        "many-integrations", "benchmarks.many_integrations", DatabaseNeed.POSTGRESQL, worker=True
    ),
)
BY_NAME = {entry.name: entry for entry in SCENARIOS}
