"""What holds across processes and connections, on the production stack (PostgreSQL + Redis):
the per-account cap of calls in flight, the API-call ledger, one run per flow, one retry per
error. CI runs them (it sets DATABASE_URL and CELERY_BROKER_URL=redis://...)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from integrations import runner
from integrations.ledger import DatabaseCallLedger
from integrations.models import FlowRun, IntegrationError
from integrations.services.errors import errors_request_retry
from tests.connect.test_celery_worker import database_url_for
from tests.db_threads import run_in_threads
from tests.integrations.conftest import hiboutik_integration_for
from tests.integrations.counting import CountingFlow

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def start_burst(integration_id: int, threads: int, calls: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integrations.call_burst",
            *map(str, (integration_id, threads, calls)),
        ],
        cwd=PROJECT,
        env={
            **os.environ,
            "CONNECT_ENV_FILE": "",
            "CONNECT_DATA_DIR": str(settings.DATA_DIR),
            "DATABASE_URL": database_url_for(connection.settings_dict),
            "DATABASE_CONN_MAX_AGE": "0",
            # The keys this process encrypted the integration's API key with.
            "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
            "SECRET_KEY": settings.SECRET_KEY,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.redis
def test_processes_share_the_cap_in_flight_and_the_ledger_matches_the_simulator(
    simulator_factory,
):
    sim = simulator_factory(seed="demo", latency_ms=40)
    integration = hiboutik_integration_for(sim, max_concurrency=3, monthly_quota=60)
    started = time.monotonic()
    # 3 processes x 4 threads x 10 calls: 120 tries against a cap of 3 and a quota of 60.
    processes = [start_burst(integration.pk, threads=4, calls=10) for _ in range(3)]
    totals = {"made": 0, "refused": 0}
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
        for key, value in json.loads(out.splitlines()[-1]).items():
            totals[key] += value
    stats = sim.stats()
    key = f"demo@{sim.base_url}"
    assert stats["max_in_flight"] <= 3
    # Not a vacuous cap: the processes did overlap (60 calls of 40 ms in one file would take
    # 2.4 s; capped at 3 they take about a third of that, plus start-up).
    assert stats["max_in_flight"] >= 2, time.monotonic() - started
    assert totals["made"] == 60 and totals["refused"] >= 1
    assert DatabaseCallLedger(integration_id=integration.pk, quota=60).count(key) == 60
    assert stats["calls_this_month"] == 60


def test_five_triggers_at_once_make_one_run(make_integration):
    integration = make_integration(records=3, sleep=0.2)
    failures = run_in_threads(
        *[lambda: runner.run_flow(integration.pk, "count", "schedule") for _ in range(5)]
    )
    assert failures == []
    statuses = sorted(FlowRun.objects.values_list("status", flat=True))
    assert statuses == ["skipped"] * 4 + ["succeeded"]
    assert set(FlowRun.objects.filter(status="skipped").values_list("reason_code", flat=True)) == {
        "already_running"
    }
    assert sorted(CountingFlow.handled) == ["1", "2", "3"]


def test_two_operators_retrying_one_error_at_once_handle_it_once(make_integration):
    integration = make_integration(records=2, fail=[2])
    runner.run_flow(integration.pk, "count", "schedule")
    error = IntegrationError.objects.get()
    integration.config = {"sleep": 0.3}
    integration.save()
    CountingFlow.handled.clear()
    requested: list[list[int]] = []
    failures = run_in_threads(
        *[lambda: requested.append(errors_request_retry([error])) for _ in range(2)]
    )
    assert failures == [] and sorted(requested) == [[], [error.pk]]
    # Even when two workers get the retry (a redelivered message), the record is handled once.
    failures = run_in_threads(*[lambda: runner.retry_error(error.pk) for _ in range(3)])
    assert failures == []
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.RESOLVED
    assert CountingFlow.handled == ["2"]
    assert FlowRun.objects.filter(target=f"error:{error.pk}").count() == 1
