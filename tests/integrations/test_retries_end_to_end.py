"""Retries in one place, with the real client against the simulator: a long Retry-After ends
the attempt at once (no worker slot sleeps on it), the run waits pending with a countdown at
least that long, and when it resumes every call of every attempt is counted on it."""

import time

import pytest
import requests
from django.utils import timezone

from integrations import runner
from integrations.models import FlowRun
from tests.browser.integration_flows import PROBE_KEY, StoresProbe, extra_flows
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.django_db


def faults(sim, **values) -> None:
    requests.post(f"{sim.root_url}/_sim/faults", json=values, timeout=5).raise_for_status()


def test_a_long_retry_after_hands_the_run_back_and_every_attempt_is_counted(simulator, monkeypatch):
    monkeypatch.setattr(StoresProbe, "seconds", 0)
    integration = hiboutik_integration_for(simulator)
    faults(simulator, error_rate=1.0, status=503, retry_after=120)
    with extra_flows():
        started = time.monotonic()
        outcome = runner.run_flow(integration.pk, PROBE_KEY, "schedule")
        assert time.monotonic() - started < 10
        run = outcome.run
        assert (run.status, run.retries, run.reason_code) == ("pending", 1, "retrying")
        assert 120 <= outcome.retry_in <= 900
        assert (run.retry_at - timezone.now()).total_seconds() > 100
        first = simulator.stats()["calls_this_month"]
        assert first >= 1 and FlowRun.objects.get(pk=run.pk).api_calls == first

        # A trigger meanwhile does not overlap the waiting run.
        assert runner.run_flow(integration.pk, PROBE_KEY, "schedule").run.reason_code == (
            "retry_scheduled"
        )

        # The countdown is over and Hiboutik answers again: the task resumes the same run.
        faults(simulator, error_rate=0)
        FlowRun.objects.filter(pk=run.pk).update(retry_at=timezone.now())
        resumed = runner.run_flow(integration.pk, PROBE_KEY, "schedule", run_id=run.pk).run
    assert resumed.pk == run.pk and resumed.status == "succeeded" and resumed.retries == 1
    resumed.refresh_from_db()
    assert resumed.api_calls == simulator.stats()["calls_this_month"] > first
