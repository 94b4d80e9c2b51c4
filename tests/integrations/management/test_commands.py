"""The integrations' commands: run_flow, retry_errors, quota, webhook_url."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from integrations import runner
from integrations.metering import metered
from integrations.models import FlowRun, IntegrationError
from tests.integrations.counting import CountingFlow

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def failing(*args) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(*args, stdout=out)
    return out.getvalue(), raised.value


def test_run_flow_runs_in_the_foreground_and_prints_its_counts(make_integration):
    integration = make_integration(name="shop", records=3, calls=2)
    out = run("run_flow", "shop", "count")
    run_row = FlowRun.objects.get()
    assert run_row.status == FlowRun.Status.SUCCEEDED and run_row.trigger == "manual"
    assert f"Run #{run_row.pk} of count on shop: succeeded" in out
    assert "seen 3, created 3, updated 0, skipped 0, failed 0; API calls 6" in out
    # By id as well as by name.
    run("run_flow", str(integration.pk), "count")
    assert FlowRun.objects.count() == 2


def test_run_flow_exits_1_when_the_run_failed_or_errored(make_integration):
    make_integration(name="refused", records=2, fail=[1, 2])
    out, error = failing("run_flow", "refused", "count")
    assert ": failed" in out and "failed 2" in out
    assert error.returncode == 1
    make_integration(name="broken", **{"raise": "unexpected"})
    out, error = failing("run_flow", "broken", "count")
    assert ": errored" in out and "ZeroDivisionError" in out
    assert error.returncode == 1


def test_run_flow_says_why_it_did_not_run(make_integration):
    make_integration(name="off", enabled=False, records=1)
    out = run("run_flow", "off", "count")
    assert ": skipped" in out
    assert FlowRun.objects.get().reason_code == "integration_disabled"


def test_run_flow_hands_a_run_the_other_side_delayed_to_a_worker(make_integration, monkeypatch):
    from integrations import tasks

    sent = []
    monkeypatch.setattr(
        tasks.run_flow, "apply_async", lambda **kwargs: sent.append(kwargs), raising=False
    )
    make_integration(name="busy", **{"raise": "transient", "retry_after": 30})
    out, error = failing("run_flow", "busy", "count")
    run_row = FlowRun.objects.get()
    assert f"Run #{run_row.pk} of count on busy: pending" in out
    assert run_row.status == FlowRun.Status.PENDING and run_row.retry_at is not None
    assert error.returncode == 1 and "handed to a worker" in str(error)
    assert sent[0]["kwargs"]["run_id"] == run_row.pk and sent[0]["countdown"] >= 30


def test_unknown_integration_or_flow_is_refused_with_what_exists(make_integration):
    make_integration(name="shop")
    _out, error = failing("run_flow", "nowhere", "count")
    assert "no integration 'nowhere'" in str(error) and "shop" in str(error)
    _out, error = failing("run_flow", "shop", "nope")
    assert "no flow 'nope'" in str(error) and "count, essential, manual" in str(error)
    assert not FlowRun.objects.exists()


@pytest.fixture
def two_errors(make_integration):
    integration = make_integration(name="shop", records=3, fail=[2, 3])
    runner.run_flow(integration.pk, "count", "schedule")
    CountingFlow.handled.clear()
    return integration, list(IntegrationError.objects.order_by("record_id"))


def test_retry_errors_retries_the_given_ids_and_prints_each_result(two_errors):
    integration, (two, three) = two_errors
    integration.config = {**integration.config, "fail": [3]}
    integration.save()
    out = run("retry_errors", "shop", str(two.pk))
    assert f"#{two.pk} thing 2: resolved, Thing 2 handled." in out
    assert CountingFlow.handled == ["2"]
    three.refresh_from_db()
    assert three.status == IntegrationError.Status.OPEN and three.attempts == 1


def test_retry_errors_all_exits_1_while_some_stay_open(two_errors):
    integration, (two, three) = two_errors
    integration.config = {**integration.config, "fail": [3]}
    integration.save()
    out, error = failing("retry_errors", "shop", "--all")
    assert f"#{two.pk} thing 2: resolved" in out
    assert f"#{three.pk} thing 3: open, Thing 3 refused." in out
    assert error.returncode == 1
    three.refresh_from_db()
    assert three.attempts == 2


def test_retry_errors_needs_ids_or_all_and_refuses_unknown_ids(two_errors):
    _integration, (two, _three) = two_errors
    _out, error = failing("retry_errors", "shop")
    assert "--all" in str(error)
    _out, error = failing("retry_errors", "shop", str(two.pk), "999999")
    assert "no open error 999999" in str(error)
    assert CountingFlow.handled == []


def test_quota_prints_the_month_by_flow_and_by_day(make_integration):
    integration = make_integration(name="shop", records=2, calls=3, quota=100)
    runner.run_flow(integration.pk, "count", "manual")
    with metered("essential", essential=True):
        from tests.integrations.counting import CountingClient

        CountingClient(integration).call(1)
    out = run("quota", "shop")
    assert f"counting:{integration.pk}" in out and ": 7 / 100 calls (7.0 %)" in out
    assert "  shop count: 6" in out and "  shop essential: 1" in out
    assert "by day:" in out and ": 7\n" in out


def test_quota_says_when_only_essential_flows_run(make_integration):
    integration = make_integration(name="shop", records=1, calls=96, quota=100)
    with metered("essential", essential=True):
        from tests.integrations.counting import CountingClient

        CountingClient(integration).call(96)
    assert "only essential flows run" in run("quota", "shop")


def test_webhook_url_prints_the_url_and_rotate_invalidates_the_old_one(client, make_integration):
    make_integration(name="shop")
    old = run("webhook_url", "shop", "--base-url", "https://connect.example").strip()
    assert old.startswith("https://connect.example/webhooks/counting/")
    assert run("webhook_url", "shop", "--base-url", "https://connect.example").strip() == old
    new = run("webhook_url", "shop", "--rotate", "--base-url", "https://connect.example").strip()
    assert new != old
    form = "application/x-www-form-urlencoded"
    assert client.post(urlsplit(old).path, b"ping=1", content_type=form).status_code == 404
    assert client.post(urlsplit(new).path, b"ping=1", content_type=form).status_code == 200
