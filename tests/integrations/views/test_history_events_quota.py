"""Historique, Events and Quota tabs."""

import pytest
from django.urls import reverse

from integrations import runner
from integrations.models import Integration, IntegrationEvent
from integrations.registry import ReceivedEvent
from integrations.services.events import event_receive

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
HX = {"hx-request": "true", **EN}


def test_history_filters_by_flow_and_status_and_shows_a_run(ops_client, make_integration):
    integration = make_integration(records=2, fail=[2])
    partial = runner.run_flow(integration.pk, "count", "manual").run
    Integration.objects.filter(pk=integration.pk).update(config={"records": 1})
    manual = runner.run_flow(integration.pk, "manual", "manual").run
    assert (partial.status, manual.status) == ("partial", "succeeded")
    url = reverse("integrations:integration_history", args=[integration.pk])

    page = ops_client.get(url, headers=EN)
    assert f'data-run="{partial.pk}"' in page.text and f'data-run="{manual.pk}"' in page.text
    only_partial = ops_client.get(url + "?status=partial", headers=EN).text
    assert f'data-run="{partial.pk}"' in only_partial
    assert f'data-run="{manual.pk}"' not in only_partial
    only_manual = ops_client.get(url + "?flow=manual", headers=EN).text
    assert f'data-run="{manual.pk}"' in only_manual
    assert f'data-run="{partial.pk}"' not in only_manual

    detail = ops_client.get(
        reverse("integrations:run_detail", args=[integration.pk, partial.pk]), headers=EN
    )
    assert "Counted 2." in detail.text  # the log, translated from its message id
    assert f"Run #{partial.pk} of Count" in detail.text


def test_a_run_of_another_integration_is_not_found(ops_client, make_integration):
    mine, theirs = make_integration(), make_integration()
    run = runner.run_flow(theirs.pk, "count", "manual").run
    url = reverse("integrations:run_detail", args=[mine.pk, run.pk])
    assert ops_client.get(url).status_code == 404


def test_events_show_done_payload_and_reprocess(
    ops_client, make_integration, eager_tasks, django_capture_on_commit_callbacks
):
    integration = make_integration()
    done, _ = event_receive(integration, ReceivedEvent("ping", "p1", {"ping": "p1"}))
    failed, _ = event_receive(
        integration, ReceivedEvent("ping", "bad1", {"ping": "bad1", "bad": True})
    )
    runner.run_flow(integration.pk, "count", "manual")
    url = reverse("integrations:integration_events", args=[integration.pk])

    page = ops_client.get(url, headers=EN)
    assert "Ping processed." in page.text and "Bad ping." in page.text
    assert page.text.count("Reprocess") == 1  # only the event not done
    not_done = ops_client.get(url + "?done=no", headers=EN).text
    assert f'data-event="{failed.pk}"' in not_done
    assert f'data-event="{done.pk}"' not in not_done

    payload = ops_client.get(
        reverse("integrations:event_payload", args=[integration.pk, failed.pk]), headers=HX
    )
    assert "&quot;ping&quot;: &quot;bad1&quot;" in payload.text

    IntegrationEvent.objects.filter(pk=failed.pk).update(payload={"ping": "bad1"})
    with django_capture_on_commit_callbacks(execute=True):
        row = ops_client.post(
            reverse("integrations:event_reprocess", args=[integration.pk, failed.pk]), headers=HX
        )
    assert "Processing…" in row.text and "every 1s" in row.text
    polled = ops_client.get(
        reverse("integrations:event_row", args=[integration.pk, failed.pk]) + "?after=1&n=1",
        headers=HX,
    )
    assert "Ping processed." in polled.text
    assert "every 1s" not in polled.text
    failed.refresh_from_db()
    assert failed.done


def test_quota_counts_what_the_simulator_counted(ops_client, hiboutik_integration, simulator):
    from hiboutik.integration import make_client
    from integrations.metering import metered

    with metered("orders.import", essential=True):
        client = make_client(hiboutik_integration)
        client.list_stores()
        client.list_taxes()
        client.close()
    url = reverse("integrations:integration_quota", args=[hiboutik_integration.pk])
    page = ops_client.get(url, headers=EN)
    calls = simulator.stats()["calls_this_month"]
    assert f'<strong data-testid="quota-calls">{calls}</strong> / 10,000' in page.text
    assert "Import orders" in page.text  # the flow's label
    assert "At this month's pace so far" in page.text


def test_quota_of_an_unconfigured_account_says_it_is_not_counted(ops_client, make_integration):
    integration = make_integration()
    page = ops_client.get(
        reverse("integrations:integration_quota", args=[integration.pk]), headers=EN
    )
    assert page.status_code == 200
    assert "are not counted" not in page.text  # the counting type meters its own account


def test_a_quota_warning_opens_the_quota_tab(ops_client, make_integration):
    from integrations.models import Notification
    from integrations.selectors.quota import integration_quota_use
    from integrations.services.quota import quota_warn

    integration = make_integration(calls=9, records=1, quota=10)
    runner.run_flow(integration.pk, "count", "manual")
    assert quota_warn(integration, integration_quota_use(integration)) is None  # done by the run
    warning = Notification.objects.get(integration=integration)
    opened = ops_client.post(reverse("integrations:notification_open", args=[warning.pk]))
    assert opened["Location"] == reverse("integrations:integration_quota", args=[integration.pk])
