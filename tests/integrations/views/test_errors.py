"""The Erreurs tab: filters, *Réessayer* / *Supprimer* + *Envoyer*, per-error results."""

import pytest
from django.urls import reverse

from integrations import runner
from integrations.models import Integration, IntegrationError, Notification
from tests.factories import make_ops

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
HX = {"hx-request": "true", **EN}


def failing(make_integration, fail=(2, 3), name=None):
    integration = make_integration(name=name, records=3, fail=list(fail))
    runner.run_flow(integration.pk, "count", "manual")
    return integration


def errors_url(integration):
    return reverse("integrations:integration_errors", args=[integration.pk])


def fix(integration):
    """What an operator does before retrying (fixing stock, a product...)."""
    Integration.objects.filter(pk=integration.pk).update(config={"records": 3})


def test_the_tab_lists_open_errors_with_their_translated_message(ops_client, make_integration):
    integration = failing(make_integration)
    page = ops_client.get(errors_url(integration), headers=EN)
    assert page.status_code == 200
    assert "Thing 2 refused." in page.text and "Thing 3 refused." in page.text
    assert page.text.count('name="ids"') == 2
    assert '<span class="count">2</span>' in page.text  # the tab's badge


def test_the_bell_link_filters_to_one_error_whatever_its_status(ops_client, make_integration):
    integration = failing(make_integration)
    error = IntegrationError.objects.get(integration=integration, record_id="3")
    notification = Notification.objects.get(error=error)
    opened = ops_client.post(reverse("integrations:notification_open", args=[notification.pk]))
    assert opened["Location"] == f"{errors_url(integration)}?error={error.pk}"
    IntegrationError.objects.filter(pk=error.pk).update(status="resolved")
    page = ops_client.get(opened["Location"], headers=EN)
    assert "Thing 3 refused." in page.text
    assert "Thing 2 refused." not in page.text
    assert f"Showing error #{error.pk} only." in page.text


def test_filters_by_flow_code_status_and_record(ops_client, make_integration):
    integration = failing(make_integration)
    IntegrationError.objects.filter(integration=integration, record_id="2").update(status="deleted")
    assert "Thing 2" not in ops_client.get(errors_url(integration), headers=EN).text
    deleted = ops_client.get(errors_url(integration) + "?status=deleted", headers=EN).text
    assert "Thing 2 refused." in deleted and "Thing 3" not in deleted
    every = ops_client.get(errors_url(integration) + "?status=all&q=3", headers=EN).text
    assert "Thing 3 refused." in every and "Thing 2" not in every
    other_flow = ops_client.get(errors_url(integration) + "?flow=manual", headers=EN).text
    assert "No error matches." in other_flow


def test_retry_reports_each_errors_outcome(
    ops_client, make_integration, eager_tasks, django_capture_on_commit_callbacks
):
    integration = failing(make_integration)
    fixed, still = (
        IntegrationError.objects.get(integration=integration, record_id=record)
        for record in ("2", "3")
    )
    Integration.objects.filter(pk=integration.pk).update(config={"records": 3, "fail": [3]})
    with django_capture_on_commit_callbacks(execute=True):
        panel = ops_client.post(
            errors_url(integration),
            {"action": "retry", "ids": [fixed.pk, still.pk]},
            headers=HX,
        )
    assert panel.status_code == 200
    results = ops_client.get(
        reverse("integrations:error_results", args=[integration.pk])
        + f"?ids={fixed.pk},{still.pk}&action=retry",
        headers=HX,
    )
    assert "Thing 2 handled." in results.text  # what the flow said on success
    assert "Still failing" in results.text and "Thing 3 refused." in results.text
    assert "hx-trigger" not in results.text
    assert results["HX-Trigger"] == "errorsChanged"
    fixed.refresh_from_db()
    still.refresh_from_db()
    assert (fixed.status, still.status, still.attempts) == ("resolved", "open", 2)


def test_results_poll_while_a_retry_waits_for_the_worker(ops_client, make_integration):
    integration = failing(make_integration)
    error = IntegrationError.objects.get(integration=integration, record_id="2")
    panel = ops_client.post(
        errors_url(integration), {"action": "retry", "ids": [error.pk]}, headers=HX
    )
    assert "retry in progress" in panel.text
    assert 'hx-trigger="every 1s"' in panel.text
    again = ops_client.post(
        errors_url(integration), {"action": "retry", "ids": [error.pk]}, headers=HX
    )
    assert "(already asked)" in again.text


def test_delete_and_refused_actions(ops_client, make_integration):
    integration = failing(make_integration)
    other = failing(make_integration)
    error = IntegrationError.objects.get(integration=integration, record_id="2")
    foreign = IntegrationError.objects.get(integration=other, record_id="2")

    nothing = ops_client.post(errors_url(integration), {"action": "delete"}, headers=HX)
    assert "Tick at least one error." in nothing.text
    stranger = ops_client.post(
        errors_url(integration), {"action": "delete", "ids": [foreign.pk]}, headers=HX
    )
    assert "no longer open" in stranger.text
    foreign.refresh_from_db()
    assert foreign.status == "open"

    deleted = ops_client.post(
        errors_url(integration), {"action": "delete", "ids": [error.pk]}, headers=HX
    )
    assert "deleted." in deleted.text
    error.refresh_from_db()
    assert error.status == "deleted"


def test_two_operators_retrying_at_once_request_one_retry(make_integration, client):
    integration = failing(make_integration)
    error = IntegrationError.objects.get(integration=integration, record_id="2")
    for _ in range(2):
        client.force_login(make_ops())
        client.post(errors_url(integration), {"action": "retry", "ids": [error.pk]}, headers=HX)
    error.refresh_from_db()
    assert error.retry_pending
