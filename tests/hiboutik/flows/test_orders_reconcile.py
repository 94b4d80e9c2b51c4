"""`orders.import`'s reconciliation: a sale whose webhook was lost is imported within one
reconciliation interval, at the cost of its listing and its one read, shown in the run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import FlowRun, IntegrationError
from integrations.selectors.runs import last_cursor
from sales.models import Order
from tests.hiboutik.flows.shop import make_shop

pytestmark = pytest.mark.django_db


def make_reconciliation_due(shop, hours: float = 2) -> None:
    """As if the last reconciliation ran `hours` ago."""
    run = FlowRun.objects.filter(
        integration=shop.integration, flow_key="orders.import", cursor__isnull=False
    ).first()
    run.cursor = {
        **run.cursor,
        "reconciled_at": (timezone.now() - timedelta(hours=hours)).isoformat(),
    }
    run.save(update_fields=["cursor"])


def test_a_lost_webhook_is_imported_by_the_next_reconciliation_only(shop, client):
    delivered = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    lost = shop.ring_up(store_id=1, payment="ESP", lines=[{"product_id": 5, "quantity": 2}])
    shop.deliver(client, delivered["sale_id"])

    first = shop.run()  # within the hour: the webhook's sale only, no call
    assert (first.created, first.api_calls) == (1, 0)
    assert not Order.objects.filter(external_reference=str(lost["sale_id"])).exists()

    make_reconciliation_due(shop)
    before = shop.calls()
    reconciled = shop.run()

    # One closed-sales listing (today; the day before too in the morning) + one sale read.
    listings = reconciled.api_calls - 1
    assert reconciled.created == 1 and listings in (1, 2)
    assert shop.calls() - before == reconciled.api_calls
    stats = shop.sim.stats()["by_route"]
    assert stats["GET /sales/{sale_id}"] == 1
    order = Order.objects.get(external_reference=str(lost["sale_id"]))
    assert order.lines.get().sku == "ACC-TOTE-BAG"
    assert any(line["message"].startswith("Reconciliation") for line in reconciled.log)
    cursor = last_cursor(shop.integration, "orders.import")
    assert cursor["day"] <= timezone.localdate().isoformat()

    again = shop.run()
    assert (again.seen, again.api_calls) == (0, 0)


def test_reconciliation_starts_at_the_import_from_date_and_keeps_errors(simulator_factory, client):
    sim = simulator_factory(seed="demo")
    day = timezone.localdate() - timedelta(days=3)
    shop = make_shop(sim, first_run=False, import_from=day.isoformat())
    old = [
        shop.ring_up(
            store_id=1,
            payment="CB",
            completed_at=f"{day.isoformat()} 15:00:00",
            lines=[{"product_id": product_id, "quantity": 1}],
        )
        for product_id in (4, 7)  # the gift card (7) matches no Connect product
    ]

    run = shop.run()

    # Four days listed (one call each), two sales read.
    assert (run.created, run.failed, run.api_calls) == (1, 1, 4 + 2)
    assert Order.objects.get().external_reference == str(old[0]["sale_id"])
    error = IntegrationError.objects.get(status="open")
    assert (error.record_id, error.code) == (str(old[1]["sale_id"]), "unknown_product")
    # Both are accounted for (imported, or an error): the watermark leaves their day behind.
    assert last_cursor(shop.integration, "orders.import")["day"] > day.isoformat()
    make_reconciliation_due(shop)
    later = shop.run()
    assert later.seen == 0 and later.api_calls <= 2  # the days after the watermark only


def test_the_day_before_is_read_after_midnight_then_once_more_after_noon(
    simulator_factory, monkeypatch
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from hiboutik.flows import orders_import

    sim = simulator_factory(seed="demo")
    zone = ZoneInfo("Europe/Paris")
    today = timezone.now().astimezone(zone).date()
    yesterday = today - timedelta(days=1)
    shop = make_shop(sim, first_run=False, import_from=yesterday.isoformat())

    def listings_at(hour: int) -> int:
        moment = datetime.combine(today, time(hour), tzinfo=zone)
        monkeypatch.setattr(orders_import, "timezone", _Clock(moment))
        run = shop.run()
        make_reconciliation_due(shop, hours=24)
        return run.api_calls

    # No sale on either day: each listing is one call.
    assert listings_at(1) == 2  # the day before, now ended, and today
    assert listings_at(6) == 1  # today only: the day before was read after its end
    assert listings_at(11) == 1
    assert listings_at(13) == 2  # after noon: its fiscal day is over, read once more
    assert last_cursor(shop.integration, "orders.import")["day"] == today.isoformat()
    assert listings_at(15) == 1


def test_while_the_till_sells_nothing_reconciliations_grow_apart_until_a_sale_comes(
    simulator_factory, client, request
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from benchmarks import clocked
    from integrations.models import IntegrationEvent

    sim = simulator_factory(seed="demo")
    zone = ZoneInfo("Europe/Paris")
    today = timezone.now().astimezone(zone).date()
    shop = make_shop(sim, first_run=False, import_from=today.isoformat())

    def calls_at(hour: int) -> int:
        now["moment"] = datetime.combine(today, time(hour), tzinfo=zone)
        return shop.run().api_calls

    # Every module on the same clock: the events' `received_at` too, which tells whether a
    # sale came since the last reconciliation (on the real clock, it depended on the hour
    # the test ran at).
    now = {"moment": timezone.now()}
    clocked.install(lambda: now["moment"])
    request.addfinalizer(clocked.uninstall)
    lost = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert calls_at(8) == 1 + 1  # today's listing, and the sale no webhook brought
    assert Order.objects.filter(external_reference=str(lost["sale_id"])).exists()
    assert calls_at(9) == 1  # an interval later: nothing new since
    assert calls_at(10) == 0  # quiet: two intervals now
    assert calls_at(11) == 1
    assert calls_at(13) == 0  # quiet again: four intervals
    assert calls_at(14) == 0
    # A sale's webhook: the till sells again, the reconciliation is due after one interval.
    sold = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 5, "quantity": 1}])
    shop.deliver(client, sold["sale_id"])
    IntegrationEvent.objects.filter(external_id=str(sold["sale_id"])).update(
        received_at=datetime.combine(today, time(14, 30), tzinfo=zone)
    )
    assert calls_at(15) == 1
    assert calls_at(16) == 1  # it found a newer sale: one interval again


class _Clock:
    """`django.utils.timezone` as the flow module sees it, at a fixed moment."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment
