"""The Flux tab: schedules, *Exécuter maintenant* and the run's progress."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from integrations.models import FlowRun, FlowSchedule
from integrations.registry import register
from tests.integrations import counting

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
HX = {"hx-request": "true", **EN}


def schedule_url(integration, key="count"):
    return reverse("integrations:flow_schedule", args=[integration.pk, key])


def test_the_tab_lists_each_flow_with_its_recommended_schedule(admin_client, make_integration):
    integration = make_integration()
    page = admin_client.get(
        reverse("integrations:integration_flows", args=[integration.pk]), headers=EN
    )
    assert page.status_code == 200
    for label in ["Count", "Essential count", "Manual count"]:
        assert label in page.text
    assert "recommended: every 5 minutes" in page.text
    assert "recommended: crontab 0 3 * * * (Paris time)" in page.text
    assert "Never run." in page.text


def test_enabling_the_recommended_schedule(admin_client, make_integration):
    integration = make_integration()
    card = admin_client.post(schedule_url(integration), {"recommended": "1"}, headers=HX)
    assert card.status_code == 200
    assert 'data-flow="count"' in card.text
    assert "<html" not in card.text
    schedule = FlowSchedule.objects.get(integration=integration, flow_key="count")
    assert (schedule.enabled, schedule.every_minutes) == (True, 5)
    task = PeriodicTask.objects.get(name=f"{integration.name}:count")
    assert task.enabled and task.interval.every == 5


def test_a_crontab_schedule_and_its_mistakes(admin_client, make_integration):
    integration = make_integration()
    bad = admin_client.post(
        schedule_url(integration),
        {"enabled": "on", "kind": "cron", "crontab": "0 3 * *"},
        headers=HX,
    )
    assert "Enter five fields: minute hour day-of-month month day-of-week" in bad.text
    assert not FlowSchedule.objects.get(integration=integration, flow_key="count").enabled

    admin_client.post(
        schedule_url(integration),
        {"enabled": "on", "kind": "cron", "crontab": "30  2 * * 1"},
        headers=HX,
    )
    schedule = FlowSchedule.objects.get(integration=integration, flow_key="count")
    assert (schedule.enabled, schedule.crontab, schedule.every_minutes) == (
        True,
        "30 2 * * 1",
        None,
    )

    missing = admin_client.post(
        schedule_url(integration), {"enabled": "on", "kind": "every"}, headers=HX
    )
    assert "Enter how many minutes between runs." in missing.text


def test_operators_run_flows_but_do_not_change_schedules(ops_client, make_integration):
    integration = make_integration()
    page = ops_client.get(reverse("integrations:integration_flows", args=[integration.pk]))
    assert "schedule-form" not in page.text
    assert ops_client.post(schedule_url(integration), {"recommended": "1"}).status_code == 403
    run = ops_client.post(
        reverse("integrations:flow_run", args=[integration.pk, "count"]), headers=HX
    )
    assert run.status_code == 200
    assert FlowRun.objects.filter(integration=integration, flow_key="count").exists()


def test_run_now_shows_a_pending_run_that_polls_until_it_ends(
    ops_client, make_integration, django_capture_on_commit_callbacks
):
    integration = make_integration(records=3, fail=[2])
    with django_capture_on_commit_callbacks() as callbacks:
        card = ops_client.post(
            reverse("integrations:flow_run", args=[integration.pk, "count"]), headers=HX
        )
    assert len(callbacks) == 1  # the task is enqueued once committed
    run = FlowRun.objects.get(integration=integration, flow_key="count")
    status_url = reverse("integrations:run_status", args=[integration.pk, run.pk])
    assert run.status == "pending"
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in card.text

    from integrations import runner

    runner.run_flow(integration.pk, "count", "manual", run_id=run.pk)
    done = ops_client.get(status_url, headers=HX)
    assert 'data-status="partial"' in done.text
    assert "hx-trigger" not in done.text  # polling stops with the run
    assert "3 seen, 2 created, 0 updated, 0 skipped, 1 failed" in done.text
    assert "See the errors" in done.text


def test_run_now_while_running_says_why_it_was_skipped(ops_client, make_integration):
    integration = make_integration()
    FlowRun.objects.create(integration=integration, flow_key="count", trigger="manual")
    card = ops_client.post(
        reverse("integrations:flow_run", args=[integration.pk, "count"]), headers=HX
    )
    assert 'data-status="skipped"' in card.text
    assert "of this flow is still going on" in card.text


class ProductsExport(counting.CountingFlow):
    key = "products.export"
    label = "Export products"
    account_wide = True


@pytest.fixture
def account_wide_type(counting_type):
    spec = counting.counting_type()
    register(type(spec)(**{**spec.__dict__, "flows": [*spec.flows, ProductsExport]}))
    yield
    counting.uninstall()


def test_an_account_wide_flow_is_enabled_on_one_integration_of_the_account(
    admin_client, make_integration, account_wide_type
):
    first = make_integration(name="Paris", account="shared")
    second = make_integration(name="Saint-Denis", account="shared")
    other_account = make_integration(name="Elsewhere", account="other")
    url = reverse("integrations:flow_schedule", args=[first.pk, "products.export"])
    admin_client.post(
        url,
        {"recommended": "1", "enabled": "on", "kind": "every", "every_minutes": "60"},
        headers=HX,
    )
    assert FlowSchedule.objects.get(integration=first, flow_key="products.export").enabled

    refused = admin_client.post(
        reverse("integrations:flow_schedule", args=[second.pk, "products.export"]),
        {"enabled": "on", "kind": "every", "every_minutes": "60"},
        headers=HX,
    )
    assert "may be enabled on one integration of the account only" in refused.text
    assert "it is enabled on Paris" in refused.text
    assert not FlowSchedule.objects.get(integration=second, flow_key="products.export").enabled
    page = admin_client.get(reverse("integrations:integration_flows", args=[second.pk]), headers=EN)
    assert "Shared by the whole account: enabled on Paris" in page.text
    run = admin_client.post(
        reverse("integrations:flow_run", args=[second.pk, "products.export"]), headers=HX
    )
    assert "it is enabled on Paris" in run.text
    assert not FlowRun.objects.filter(integration=second).exists()

    admin_client.post(
        reverse("integrations:flow_schedule", args=[other_account.pk, "products.export"]),
        {"enabled": "on", "kind": "every", "every_minutes": "60"},
        headers=HX,
    )
    assert FlowSchedule.objects.get(integration=other_account, flow_key="products.export").enabled
