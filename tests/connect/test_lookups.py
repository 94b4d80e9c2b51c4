import pytest
from django.db import connection

from connect.lookups import AnyOf
from integrations.models import ExternalStock
from inventory.models import Product
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_picks_the_rows_whose_value_is_in_the_list():
    mug, book, _pen = make_product(), make_product(), make_product()
    found = Product.objects.filter(AnyOf("pk", [book.pk, mug.pk, 10**9]))
    assert sorted(found.values_list("pk", flat=True)) == sorted([mug.pk, book.pk])


def test_the_list_is_bound_as_one_parameter_whatever_its_length():
    queryset = Product.objects.filter(AnyOf("pk", range(1, 5001)), name="Mug")
    _sql, params = queryset.query.sql_with_params()
    assert len(params) == 2


def test_more_values_than_a_statement_may_bind_parameters():
    # 300,000: beyond SQLite's largest build limit (250,000; 32,766 by default).
    mug = make_product()
    ids = [*range(10**6, 10**6 + 300_000), mug.pk]
    assert list(Product.objects.filter(AnyOf("pk", ids)).values_list("pk", flat=True)) == [mug.pk]


def test_an_empty_list_matches_nothing():
    make_product()
    assert not Product.objects.filter(AnyOf("pk", [])).exists()


def test_a_value_that_is_not_an_integer_is_refused_before_any_query():
    with pytest.raises(ValueError):
        AnyOf("pk", ["12; DROP TABLE"])


def test_on_postgresql_the_array_takes_the_column_type():
    # A bigint column against an integer[] array gets no hashed search: each row would be
    # compared with every value.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's array parameter")
    queryset = ExternalStock.objects.filter(AnyOf("product_id", [1, 2]))
    sql, _params = queryset.query.sql_with_params()
    assert 'externalstock"."product_id" = ANY(%s::bigint[])'.lower() in sql.lower()
