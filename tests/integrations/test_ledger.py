"""The database ledger: one conditional UPDATE per consumption, attributed to the running flow."""

import pytest

from hiboutik.ledger import CallLedger
from integrations.ledger import DatabaseCallLedger
from integrations.metering import metered
from integrations.models import ApiCallCount, ApiQuotaMonth
from integrations.quota_calendar import account_now, month_of
from integrations.selectors.quota import calls_by_day, calls_by_flow, quota_use

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(make_integration):
    integration = make_integration()
    return DatabaseCallLedger(integration_id=integration.pk, quota=100)


def test_it_satisfies_the_client_protocol(ledger):
    assert isinstance(ledger, CallLedger)


def test_non_essential_calls_stop_at_95_percent_everything_at_the_quota(ledger):
    assert ledger.try_consume("acc", 90)
    assert ledger.try_consume("acc", 5)
    assert not ledger.try_consume("acc")
    assert ledger.count("acc") == 95  # refused: nothing counted
    assert ledger.try_consume("acc", 5, essential=True)
    assert not ledger.try_consume("acc", essential=True)
    assert ledger.count("acc") == 100
    assert ledger.count("other") == 0


def test_an_essential_flow_makes_its_calls_essential(ledger):
    ledger.try_consume("acc", 95)
    with metered("stock.export", essential=True) as meter:
        assert ledger.try_consume("acc")
    with metered("products.export", essential=False):
        assert not ledger.try_consume("acc")
    assert meter.calls == 1


def test_marked_exhausted_refuses_every_call(ledger):
    ledger.try_consume("acc", 3)
    ledger.mark_exhausted("acc")
    ledger.mark_exhausted("acc")  # twice is harmless
    assert not ledger.try_consume("acc", essential=True)
    assert quota_use("acc", 100).blocked
    assert ledger.count("acc") == 3


def test_marking_an_account_never_called_this_month(ledger):
    ledger.mark_exhausted("fresh")
    assert not ledger.try_consume("fresh", essential=True)


def test_calls_are_counted_by_day_integration_and_flow(ledger, make_integration):
    other = DatabaseCallLedger(integration_id=make_integration().pk, quota=100)
    with metered("orders.import", essential=True):
        ledger.try_consume("acc", 3)
    with metered("stock.export", essential=True):
        other.try_consume("acc", 2)
    ledger.try_consume("acc")  # outside a run: the connection test, for instance
    by_flow = {(row["flow_key"]): row["calls"] for row in calls_by_flow("acc")}
    assert by_flow == {"orders.import": 3, "stock.export": 2, "": 1}
    assert [row["calls"] for row in calls_by_day("acc")] == [6]
    assert calls_by_day("acc")[0]["day"] == account_now().date()
    assert ApiCallCount.objects.count() == 3
    month = ApiQuotaMonth.objects.get()
    assert (month.account_key, month.month, month.calls) == ("acc", month_of(account_now()), 6)


def test_a_consumption_costs_two_updates_once_the_rows_exist(ledger, django_assert_num_queries):
    ledger.try_consume("acc")
    # Two UPDATEs, plus the savepoint pair the test's own transaction turns BEGIN/COMMIT into.
    with django_assert_num_queries(4) as queries:
        ledger.try_consume("acc")
    assert [q["sql"].split()[0] for q in queries.captured_queries].count("UPDATE") == 2


def test_projection_follows_the_pace_of_the_month():
    use = quota_use("acc", 10_000)
    assert use.percent == 0 and not use.essential_only
    from datetime import date

    from integrations.selectors.quota import QuotaUse

    pace = QuotaUse("acc", "2026-11", 3000, 10_000, False)
    assert pace.projection(today=date(2026, 11, 10)) == 9000
    assert pace.essential_only is False
    assert QuotaUse("acc", "2026-11", 9500, 10_000, False).essential_only
    assert QuotaUse("acc", "2026-11", 10_000, 10_000, False).blocked
