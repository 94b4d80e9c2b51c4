"""The API key is typed once and then only used: it never shows in a page, a log line, a
task's message, a run, an error or a notification, whatever happens on the way."""

import base64
import json
import logging
from urllib.parse import urlsplit

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from connect.celery import app
from hiboutik.simulator.webhook_form import encode
from integrations.models import FlowRun, Integration, IntegrationError, Notification
from integrations.services.integrations import webhook_url
from tests.browser.integration_flows import PROBE_KEY, SALES_KEY, SalesImport, extra_flows
from tests.factories import make_admin, make_ops

pytestmark = pytest.mark.django_db

KEY = "Zq8Xk3Vb7Lm2Nc9Rt4Wy6Hp1Jd5Fs0G"
USER = "demo@connect.test"
FORMS = ("application/x-www-form-urlencoded",)


@pytest.fixture
def sent_tasks(monkeypatch) -> list[tuple[str, object]]:
    """Every task message Connect publishes, as the broker would receive it (not sent)."""
    sent: list[tuple[str, object]] = []
    monkeypatch.setattr(
        app.amqp,
        "send_task_message",
        lambda producer, name, message, **options: sent.append((name, message)),
    )
    return sent


def work_off(sent: list, done: int) -> int:
    """Run the published tasks as a worker would, from their message; returns how many ran."""
    while done < len(sent):
        name, message = sent[done]
        args, kwargs, _embed = message.body
        app.tasks[name].apply(args=args, kwargs=kwargs)
        done += 1
    return done


def test_the_api_key_never_leaves_the_encrypted_field(
    client, simulator_factory, sent_tasks, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "hiboutik", "integrations", "celery", "django.request"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim = simulator_factory(seed="demo", api_key=KEY)
    pages: list[str] = []
    admin, ops = make_admin(), make_ops()
    done = 0

    def page(method: str, url: str, user=admin, **data) -> str:
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(url, data, headers={"hx-request": "true"})
        assert response.status_code < 500, (url, response.status_code)
        text = response.content.decode()
        pages.append(text)
        return text

    with extra_flows():
        SalesImport.blocked = {"1002"}
        add = reverse("integrations:integration_add") + "?type=hiboutik"
        form = {
            "name": "Boutique",
            "enabled": "on",
            "general__account": "demo",
            "general__user": USER,
            "api_key": KEY,
            "general__api_url": sim.base_url,
            "general__max_concurrency": "4",
            "general__monthly_quota": "10000",
            "order_import__hiboutik_store_id": "1",
            "order_import__reconciliation_minutes": "60",
            "order_import__time_zone": "Europe/Paris",
            "guest__country": "FR",
            "products__prices_include_tax": "1",
        }
        # A bad mapping line is refused: the form comes back, with the key typed.
        page("post", add, **form, order_import__sku_mapping="REF:GHOST\nno colon")
        assert not Integration.objects.exists()
        page("post", add, **form)
        integration = Integration.objects.get(name="Boutique")
        assert integration.secret("api_key") == KEY
        pk = integration.pk

        def url(name: str, *args) -> str:
            return reverse(f"integrations:{name}", args=[pk, *args])

        page("get", reverse("integrations:integration_list"))
        page("get", url("integration_config"))
        page("post", url("integration_test_connection"))
        page("post", url("integration_refresh_lists"))
        page("post", url("flow_schedule", PROBE_KEY), recommended="1")
        page("post", url("integration_webhook_register"))
        page("get", url("integration_webhook"))
        for flow_key in (PROBE_KEY, SALES_KEY):
            page("post", url("flow_run", flow_key), user=ops)
        done = work_off(sent_tasks, done)
        # Hiboutik down: the run is put back with the problem it met, then retried.
        requests.post(f"{sim.root_url}/_sim/faults", json={"error_rate": 1.0}, timeout=5)
        page("post", url("flow_run", PROBE_KEY), user=ops)
        done = work_off(sent_tasks, done)
        requests.post(f"{sim.root_url}/_sim/faults", json={"error_rate": 0}, timeout=5)
        error = IntegrationError.objects.get(record_id="1002")
        page("post", url("integration_errors"), user=ops, action="retry", ids=[error.pk])
        done = work_off(sent_tasks, done)
        path = urlsplit(webhook_url(integration)).path
        with django_capture_on_commit_callbacks(execute=True):
            client.post(path, encode({"sale_id": "1003", "store_id": "1"}), content_type=FORMS[0])
        done = work_off(sent_tasks, done)
        for name in ("integration_flows", "integration_history", "integration_errors"):
            page("get", url(name), user=ops)
        for name in ("integration_events", "integration_quota"):
            page("get", url(name), user=ops)
        for run in FlowRun.objects.filter(integration=integration):
            page("get", url("run_detail", run.pk), user=ops)
        page("get", reverse("integrations:notification_list"), user=ops)
        page("get", "/admin/integrations/integration/", user=admin)
        page("get", f"/admin/integrations/integration/{pk}/change/", user=admin)
        for command in (("run_flow", "Boutique", PROBE_KEY), ("quota", "Boutique")):
            from io import StringIO

            out = StringIO()
            call_command(*command, stdout=out, stderr=out)
            pages.append(out.getvalue())

    # The scenario did what it says, so the search below searched something.
    assert sim.stats()["calls_this_month"] > 5
    assert (
        FlowRun.objects.filter(reason_code="retrying").exists()
        or FlowRun.objects.filter(retries__gt=0).exists()
    )
    assert {name for name, _message in sent_tasks} >= {
        "integrations.run_flow",
        "integrations.retry_error",
    }
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.OPEN and error.attempts == 2

    basic = base64.b64encode(f"{USER}:{KEY}".encode()).decode()
    for forbidden in (KEY, basic, KEY[-8:]):
        for text in pages:
            assert forbidden not in text
        assert forbidden not in caplog.text
        for record in caplog.records:
            assert forbidden not in record.getMessage()
        for name, message in sent_tasks:
            published = json.dumps([message.headers, message.body], default=str)
            assert forbidden not in published, name
        for task in PeriodicTask.objects.all():
            assert forbidden not in task.args + task.kwargs
        stored = json.dumps(
            [
                list(FlowRun.objects.values()),
                list(IntegrationError.objects.values()),
                list(Notification.objects.values()),
                integration.config,
            ],
            default=str,
        )
        assert forbidden not in stored
    # Shown masked where the admin needs to recognise it.
    assert any(f"••••{KEY[-4:]}" in text for text in pages)
