"""The mass stock edit's service: typed entries, per-row errors, one transaction, flat queries."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from inventory.exceptions import InvalidQuantity, InvalidReason
from inventory.models import StockItem, StockMovement
from inventory.services import (
    StockDelta,
    StockEditInvalid,
    parse_stock_entry,
    parse_stock_quantity,
    stock_edit,
    stock_reserve,
    stock_set_many,
)
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db
Reason = StockMovement.Reason


def physical(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


# --- Reading what was typed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 7 ", 7),
        ("0", 0),
        ("007", 7),
        (3, 3),
        ("+4", StockDelta(4)),
        ("-3", StockDelta(-3)),
        ("\u22122", StockDelta(-2)),
        ("+ 5", StockDelta(5)),
        ("1000000000", 1_000_000_000),
    ],
)
def test_an_entry_is_a_quantity_or_a_change(raw, expected):
    assert parse_stock_entry(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("  ", "required"),
        ("2.5", "invalid"),
        ("abc", "invalid"),
        ("1_000", "invalid"),
        ("1e3", "invalid"),
        ("\u0661\u0662", "invalid"),  # Arabic-Indic digits: int() would read them
        ("++1", "invalid"),
        (True, "invalid"),
        (-3, "min_value"),
        ("1000000001", "max_value"),
        ("9" * 5000, "max_value"),  # int() refuses to read it at all: never asked to
        ("+" + "9" * 5000, "max_value"),
    ],
)
def test_an_unreadable_entry_says_why(raw, code):
    with pytest.raises(StockEditInvalid) as raised:
        parse_stock_entry(raw)
    assert raised.value.error.code == code


def test_errors_are_translated_when_shown_with_numbers_grouped_per_language():
    with pytest.raises(StockEditInvalid) as raised:
        parse_stock_entry("99999999999")
    error = raised.value.error
    assert str(error) == "A stock quantity cannot exceed 1,000,000,000."
    with translation.override("fr"):
        assert str(error) == "Une quantité en stock ne peut pas dépasser 1\xa0000\xa0000\xa0000."


@pytest.mark.parametrize(("raw", "expected"), [(" 7 ", 7), ("0", 0), (3, 3), ("+4", 4)])
def test_parse_stock_quantity_accepts_whole_numbers(raw, expected):
    assert parse_stock_quantity(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "2.5", "abc", "", -3, True, "1e3", "9" * 5000])
def test_parse_stock_quantity_rejects_the_rest(raw):
    with pytest.raises(InvalidQuantity):
        parse_stock_quantity(raw)


# --- Saving -------------------------------------------------------------------------------------


def test_set_many_saves_good_rows_and_reports_bad_ones(warehouse):
    first, second, third = make_product(), make_product(), make_product(stock={warehouse: 5})
    result = stock_set_many(
        warehouse=warehouse,
        quantities={first.pk: "12", second.pk: "douze", third.pk: 5, 999_999: "1"},
    )
    assert physical(first, warehouse) == 12
    assert not StockItem.objects.filter(product=second).exists()
    assert set(result.errors) == {second.pk, 999_999}
    assert result.errors[999_999].code == "unknown_product"
    assert result.movements[third.pk] is None
    assert [movement.product for movement in result.changed] == [first]


def test_relative_entries_apply_to_the_quantity_held_when_saved(warehouse):
    shirt = make_product(stock={warehouse: 10})
    cap = make_product(stock={warehouse: 4})
    result = stock_set_many(warehouse=warehouse, quantities={shirt.pk: "+5", cap.pk: "-3"})
    assert (physical(shirt, warehouse), physical(cap, warehouse)) == (15, 1)
    assert sorted((m.quantity, m.physical_after) for m in result.changed) == [(-3, 1), (5, 15)]


def test_a_removal_below_zero_is_refused_and_names_the_numbers(warehouse):
    cap = make_product(stock={warehouse: 2})
    result = stock_set_many(warehouse=warehouse, quantities={cap.pk: StockDelta(-3)})
    assert str(result.errors[cap.pk]) == (
        "Removing 3 from 2 would leave -1: a stock quantity cannot be negative."
    )
    assert physical(cap, warehouse) == 2


def test_physical_stock_is_never_lowered_below_what_open_orders_reserved(warehouse):
    product = make_product(stock={warehouse: 5})
    stock_reserve(product=product, warehouse=warehouse, quantity=2)

    result = stock_set_many(warehouse=warehouse, quantities={product.pk: "1"})

    assert result.errors[product.pk].code == "below_reserved"
    assert str(result.errors[product.pk]).startswith("2 are reserved for open orders")
    assert physical(product, warehouse) == 5
    # Down to the reservation is fine: available 0, never negative.
    stock_set_many(warehouse=warehouse, quantities={product.pk: "2"})
    assert physical(product, warehouse) == 2


def test_a_quantity_already_below_its_reservation_may_still_be_raised(warehouse):
    product = make_product(stock={warehouse: 5})
    stock_reserve(product=product, warehouse=warehouse, quantity=4)
    StockItem.objects.filter(product=product).update(physical=1)  # data from before the rule

    result = stock_set_many(warehouse=warehouse, quantities={product.pk: "+2"})

    assert not result.errors
    assert physical(product, warehouse) == 3


def test_reason_note_and_user_are_recorded(warehouse):
    product = make_product(stock={warehouse: 5})
    user = User.objects.create_user("alice")
    stock_set_many(
        warehouse=warehouse,
        quantities={product.pk: "-1"},
        reason=Reason.DAMAGE,
        note="Carton mouillé",
        user=user,
    )
    movement = StockMovement.objects.filter(product=product).first()
    assert (movement.quantity, movement.reason, movement.note, movement.user) == (
        -1,
        "damage",
        "Carton mouillé",
        user,
    )


def test_an_unknown_reason_is_refused_before_anything_is_written(warehouse):
    product = make_product(stock={warehouse: 5})
    with pytest.raises(InvalidReason):
        stock_set_many(warehouse=warehouse, quantities={product.pk: "7"}, reason="gift")
    assert physical(product, warehouse) == 5


def test_a_row_the_database_refuses_is_lost_alone(warehouse, monkeypatch):
    good, bad, other = (make_product(stock={warehouse: 1}) for _ in range(3))
    real_apply_moves = stock_edit.apply_moves

    def refuse_bad_row(moves, items, **options):
        if any(move.product.pk == bad.pk for move in moves):
            # What a database fault looks like to the caller: the statement fails.
            StockItem.objects.filter(pk__in=[item.pk for item in items.values()]).update(physical=5)
            raise DatabaseError("simulated fault")
        return real_apply_moves(moves, items, **options)

    monkeypatch.setattr(stock_edit, "apply_moves", refuse_bad_row)
    result = stock_set_many(
        warehouse=warehouse, quantities={good.pk: "7", bad.pk: "8", other.pk: "9"}
    )

    assert set(result.errors) == {bad.pk}
    assert result.errors[bad.pk].code == "not_saved"
    assert (physical(good, warehouse), physical(bad, warehouse), physical(other, warehouse)) == (
        7,
        1,
        9,
    )
    assert not StockMovement.objects.filter(product=bad, quantity=7).exists()


# --- Cost ---------------------------------------------------------------------------------------


def queries_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def test_queries_are_constant_in_the_number_of_rows(warehouse):
    """Products (1), stock rows read then locked (2), the savepoint around the batch write (2),
    one UPDATE, the integrations' stock mark (1 UPDATE), one INSERT of movements: 8, plus the
    transaction, which inside a test is a savepoint too (2). The same for 1 row as for 50."""
    products = [make_product(stock={warehouse: 1}) for _ in range(51)]
    one = queries_of(lambda: stock_set_many(warehouse=warehouse, quantities={products[0].pk: 5}))
    fifty = queries_of(
        lambda: stock_set_many(warehouse=warehouse, quantities={p.pk: "+2" for p in products[1:]})
    )
    assert len(one) == len(fifty) == 10, fifty
    assert sum(sql.startswith("UPDATE") and "inventory_stockitem" in sql for sql in fifty) == 1
    assert sum(sql.startswith("INSERT") for sql in fifty) == 1
    assert all(physical(p, warehouse) == 3 for p in products[1:])


def test_rows_in_error_cost_no_query(warehouse):
    products = [make_product(stock={warehouse: 1}) for _ in range(50)]
    for product in products[:10]:
        stock_reserve(product=product, warehouse=warehouse, quantity=1)
    entries = {p.pk: "0" for p in products[:10]}  # below what is reserved
    entries.update({p.pk: "abc" for p in products[10:20]})  # unreadable
    entries.update({p.pk: "4" for p in products[20:]})

    queries = queries_of(lambda: stock_set_many(warehouse=warehouse, quantities=entries))

    assert len(queries) == 10
    assert all(physical(p, warehouse) == 1 for p in products[:20])
    assert all(physical(p, warehouse) == 4 for p in products[20:])


def test_new_stock_rows_cost_one_insert_for_all_of_them(warehouse):
    products = [make_product() for _ in range(50)]
    queries = queries_of(
        lambda: stock_set_many(warehouse=warehouse, quantities={p.pk: "3" for p in products})
    )
    assert len(queries) == 11  # and one INSERT of the missing stock rows
    assert all(physical(p, warehouse) == 3 for p in products)


def test_nothing_readable_costs_no_query(warehouse, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = stock_set_many(warehouse=warehouse, quantities={1: "x", 2: ""})
    assert set(result.errors) == {1, 2}
