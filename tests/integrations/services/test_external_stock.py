"""Beliefs about another system's stock and the batches of changes sent to it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ExternalStock, ExternalStockPush
from integrations.services.external_stock import (
    external_stock_adjust,
    external_stock_confirmed,
    external_stock_ensure,
    external_stock_force,
    external_stock_pushed,
    external_stock_set_believed,
    stock_push_close,
    stock_push_open,
)
from integrations.services.marks import stock_mark_changed
from tests.factories import make_product, make_source

pytestmark = pytest.mark.django_db


def beliefs(integration) -> dict[int, int | None]:
    return dict(
        ExternalStock.objects.filter(integration=integration).values_list("product_id", "believed")
    )


def test_ensure_creates_missing_rows_dirty_and_keeps_existing_ones():
    integration = make_source()
    first, second = make_product(), make_product()
    assert (
        external_stock_ensure(
            integration=integration, product_ids=[first.pk], believed={first.pk: 4}
        )
        == 1
    )
    assert (
        external_stock_ensure(
            integration=integration, product_ids=[first.pk, second.pk], believed={first.pk: 99}
        )
        == 1
    )
    assert beliefs(integration) == {first.pk: 4, second.pk: None}
    assert all(row.dirty for row in ExternalStock.objects.all())


def test_confirmed_stamps_the_products_read_and_only_them():
    integration = make_source()
    read, unread = make_product(), make_product()
    external_stock_ensure(integration=integration, product_ids=[read.pk, unread.pk])
    at = timezone.now() - timedelta(minutes=5)
    assert (
        external_stock_confirmed(integration=integration, product_ids=[read.pk, read.pk], at=at)
        == 1
    )
    checked = dict(
        ExternalStock.objects.filter(integration=integration).values_list(
            "product_id", "checked_at"
        )
    )
    assert checked == {read.pk: at, unread.pk: None}


def test_a_push_adds_to_the_belief_what_the_database_holds_not_what_was_read():
    integration = make_source()
    product = make_product()
    external_stock_ensure(
        integration=integration, product_ids=[product.pk], believed={product.pk: 10}
    )
    row = ExternalStock.objects.get()
    read = {row.pk: row.mark_seq}
    # A sale imported while the push was on its way: 2 sold at the till.
    assert external_stock_adjust(integration=integration, key="sale:1", changes={product.pk: -2})
    external_stock_pushed(integration=integration, applied={product.pk: 5}, marks=read)
    row.refresh_from_db()
    assert row.believed == 13 and not row.dirty and row.pushed_at is not None


def test_an_adjustment_applies_once_per_key():
    integration = make_source()
    product = make_product()
    external_stock_ensure(
        integration=integration, product_ids=[product.pk], believed={product.pk: 10}
    )
    assert external_stock_adjust(integration=integration, key="sale:7", changes={product.pk: -3})
    assert not external_stock_adjust(
        integration=integration, key="sale:7", changes={product.pk: -3}
    )
    assert beliefs(integration) == {product.pk: 7}


def test_an_unknown_belief_stays_unknown():
    integration = make_source()
    product = make_product()
    external_stock_ensure(integration=integration, product_ids=[product.pk])
    external_stock_adjust(integration=integration, key="sale:1", changes={product.pk: -1})
    assert beliefs(integration) == {product.pk: None}


def test_set_believed_writes_values_and_clears_unmoved_marks():
    integration = make_source()
    first, second = make_product(), make_product()
    external_stock_ensure(integration=integration, product_ids=[first.pk, second.pk])
    rows = {row.product_id: row for row in ExternalStock.objects.all()}
    read = {row.pk: row.mark_seq for row in rows.values()}
    stock_mark_changed(product_ids=[second.pk])
    external_stock_set_believed(
        integration=integration, believed={first.pk: 3, second.pk: 8}, marks=read
    )
    assert beliefs(integration) == {first.pk: 3, second.pk: 8}
    dirty = dict(ExternalStock.objects.values_list("product_id", "dirty"))
    assert dirty == {first.pk: False, second.pk: True}


def test_force_marks_one_or_every_tracked_product():
    integration = make_source()
    first, second = make_product(), make_product()
    external_stock_ensure(integration=integration, product_ids=[first.pk, second.pk])
    ExternalStock.objects.update(dirty=False)
    assert external_stock_force(integration=integration, product_ids=[first.pk]) == 1
    assert external_stock_force(integration=integration) == 2


def test_one_open_push_per_integration():
    integration, other = make_source(), make_source("other")
    push = stock_push_open(integration=integration, run=None, flow_key="stock.export", label="a")
    assert push is not None
    assert (
        stock_push_open(integration=integration, run=None, flow_key="stock.reconcile", label="b")
        is None
    )
    assert stock_push_open(integration=other, run=None, flow_key="stock.export", label="c")
    stock_push_close(push, status=ExternalStockPush.Status.APPLIED, result={"applied": {}})
    assert stock_push_open(integration=integration, run=None, flow_key="stock.export", label="d")
