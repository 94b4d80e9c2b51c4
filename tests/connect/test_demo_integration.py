"""`manage.py demo --simulator-url --base-url`: the `hiboutik-demo` integration against a live
simulator, as `make run` sets it up."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from connect.celery import app
from hiboutik import integration as hiboutik_type
from integrations.models import FlowSchedule, Integration
from integrations.services.integrations import webhook_url
from tests.browser.integration_flows import PROBE_KEY, SALES_KEY, extra_flows
from tests.factories import make_ops
from tests.hiboutik.conftest import simulator, simulator_factory  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

BASE_URL = "http://connect.example:8105"


@pytest.fixture
def eager():
    """The webhook registration the demo enqueues runs when its transaction commits."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def run_demo(sim, capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("demo", "--simulator-url", sim.base_url, "--base-url", BASE_URL, stdout=out)
    return out.getvalue()


def test_demo_sets_up_hiboutik_demo_against_the_simulator_once(
    simulator,  # noqa: F811
    eager,
    client,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    with extra_flows(), override_settings(MEDIA_ROOT=tmp_path):
        out = run_demo(simulator, django_capture_on_commit_callbacks)
        assert "Integration hiboutik-demo ready" in out
        run_demo(simulator, django_capture_on_commit_callbacks)

        integration = Integration.objects.get()
        assert (integration.name, integration.type, integration.enabled) == (
            "hiboutik-demo",
            "hiboutik",
            True,
        )
        assert integration.secret("api_key") == "DEMOKEY"
        config = hiboutik_type.config_of(integration)
        assert config.general.base_url == simulator.base_url
        assert config.order_import.connect_store_id and config.order_import.hiboutik_store_id == 1
        assert config.order_import.payment_methods and config.order_import.shipping_method_id
        assert config.stock.hiboutik_warehouse_id == 1 and config.stock.connect_warehouse_ids
        # Every flow with a recommended schedule runs on it, in beat's table too.
        for key in (PROBE_KEY, SALES_KEY):
            schedule = FlowSchedule.objects.get(integration=integration, flow_key=key)
            assert (schedule.enabled, schedule.every_minutes) == (True, 5)
            assert PeriodicTask.objects.get(name=f"hiboutik-demo:{key}").enabled

        # The sale webhook points at Connect's address, registered once however many runs.
        hooks = simulator.stats()  # the calls the registrations made, counted by the simulator
        listed = hiboutik_type.make_client(integration).list_webhooks()
        assert [(hook.url, hook.action) for hook in listed] == [
            (webhook_url(integration, BASE_URL), "sale")
        ]

        # The Quota tab counts what the simulator counted.
        client.force_login(make_ops())
        page = client.get(reverse("integrations:integration_quota", args=[integration.pk]))
        calls = simulator.stats()["calls_this_month"]
        assert calls == hooks["calls_this_month"] + 1 and calls >= 4
        assert f'<strong data-testid="quota-calls">{calls}</strong>' in page.text
