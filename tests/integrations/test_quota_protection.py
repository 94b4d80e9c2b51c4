"""Quota protection: warnings at 50, 80, 95 and 100 % of the month, once each; from 95 % only
essential flows run, the others are skipped saying why; at 100 % nothing calls the account
and the pages say so."""

import pytest
from django.urls import reverse
from django.utils import translation

from integrations import runner
from integrations.models import FlowRun, Notification
from tests.factories import make_ops

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def ops_client(client):
    client.force_login(make_ops())
    return client


def run(integration, flow_key: str, calls: int) -> FlowRun:
    integration.config = {**integration.config, "calls": calls}
    integration.save()
    return runner.run_flow(integration.pk, flow_key, "schedule").run


def warnings(integration) -> list[int]:
    return [
        note.params["percent"]
        for note in Notification.objects.filter(integration=integration).order_by("id")
    ]


def test_each_threshold_is_notified_once_in_the_month(make_integration):
    integration = make_integration(records=1, quota=100)
    run(integration, "count", 49)
    assert warnings(integration) == []
    run(integration, "count", 1)
    assert warnings(integration) == [50]
    run(integration, "count", 10)
    assert warnings(integration) == [50]  # 60 %: nothing new
    run(integration, "count", 30)
    assert warnings(integration) == [50, 80]
    run(integration, "essential", 5)
    assert warnings(integration) == [50, 80, 95]
    run(integration, "essential", 5)
    assert warnings(integration) == [50, 80, 95, 100]
    notes = Notification.objects.filter(integration=integration).order_by("id")
    assert [note.level for note in notes] == ["warning", "warning", "error", "error"]
    with translation.override("en"):
        text = notes[2].message_text()
    assert text == (
        f"95 % of this month's 100 API calls to counting:{integration.pk} are used (95): only "
        "essential flows (order import, stock export) run until the month changes."
    )


def test_a_run_crossing_two_thresholds_notifies_the_highest(make_integration):
    integration = make_integration(records=1, quota=100)
    run(integration, "count", 85)
    assert warnings(integration) == [80]


def test_from_95_percent_only_essential_flows_run(make_integration, ops_client):
    integration = make_integration(records=1, quota=100)
    run(integration, "essential", 95)
    skipped = run(integration, "count", 1)
    assert skipped.status == FlowRun.Status.SKIPPED and skipped.api_calls == 0
    assert skipped.reason_code == "quota_reserved"
    with translation.override("en"):
        reason = skipped.reason()
    assert reason == (
        f"95 % of the monthly API quota of counting:{integration.pk} is used: only essential "
        "flows run until the month changes."
    )
    assert run(integration, "essential", 4).status == FlowRun.Status.SUCCEEDED
    flux = ops_client.get(
        reverse("integrations:integration_flows", args=[integration.pk]), headers=EN
    )
    assert "only essential flows run until the month changes" in flux.text
    quota = ops_client.get(
        reverse("integrations:integration_quota", args=[integration.pk]), headers=EN
    )
    assert "only the essential flows (order import, stock export) run" in quota.text


def test_at_the_quota_nothing_calls_the_account(make_integration, ops_client):
    integration = make_integration(records=1, quota=100)
    run(integration, "essential", 100)
    for flow_key in ("essential", "count"):
        skipped = run(integration, flow_key, 1)
        assert (skipped.status, skipped.reason_code, skipped.api_calls) == (
            "skipped",
            "quota_blocked",
            0,
        )
    quota = ops_client.get(
        reverse("integrations:integration_quota", args=[integration.pk]), headers=EN
    )
    assert "nothing calls the account until the month changes" in quota.text
    assert '<strong data-testid="quota-calls">100</strong> / 100' in quota.text
