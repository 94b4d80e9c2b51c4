from datetime import date, datetime
from decimal import Decimal

import pytest

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.values import (
    as_list,
    form_value,
    int_or_zero,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_flag,
    parse_int,
    require,
    require_int,
    text,
    unwrap_one,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("62", Decimal("62")),
        ("62.0000", Decimal("62")),
        ("62.00", Decimal("62")),
        ("0.2", Decimal("0.2")),
        ("0.20000", Decimal("0.2")),
        (" 9.6667 ", Decimal("9.6667")),
        ("-10.00", Decimal("-10")),
        ("62,50", Decimal("62.5")),
        (62, Decimal("62")),
        (0.1, Decimal("0.1")),
        (Decimal("3.00"), Decimal("3")),
    ],
)
def test_decimals_are_read_leniently(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "abc", "1.2.3", None, True, "NaN", "inf", [1]])
def test_non_numbers_are_refused_with_the_field_name(raw):
    with pytest.raises(HiboutikPayloadError, match="product_price"):
        parse_decimal(raw, field="product_price")


def test_ints_accept_their_string_and_decimal_spellings_only_when_whole():
    assert parse_int("42") == 42
    assert parse_int("42.0") == 42
    assert parse_int(7) == 7
    with pytest.raises(HiboutikPayloadError, match="whole number"):
        parse_int("4.5")
    with pytest.raises(HiboutikPayloadError):
        parse_int(True)


def test_flags():
    assert parse_flag(1) is True
    assert parse_flag("1") is True
    assert parse_flag("0") is False
    assert parse_flag("") is False
    assert parse_flag(None) is False
    with pytest.raises(HiboutikPayloadError):
        parse_flag("yes")


def test_datetimes_are_naive_and_the_zero_date_is_none():
    assert parse_datetime("2019-01-22 16:54:51") == datetime(2019, 1, 22, 16, 54, 51)
    assert parse_datetime("0000-00-00 00:00:00") is None
    assert parse_datetime("") is None
    assert parse_date("1980-02-29") == date(1980, 2, 29)
    assert parse_date("0000-00-00") is None
    with pytest.raises(HiboutikPayloadError, match="completed_at"):
        parse_datetime("22/01/2019", field="completed_at")


def test_lists_accept_empty_strings_and_index_maps():
    assert as_list("") == []
    assert as_list(None) == []
    assert as_list([1, 2]) == [1, 2]
    assert as_list({"0": "a", "2": "c"}) == ["a", "c"]
    with pytest.raises(HiboutikPayloadError):
        as_list("tags")


def test_one_element_arrays_are_unwrapped():
    assert unwrap_one([{"product_id": 1}]) == {"product_id": 1}
    assert unwrap_one({"product_id": 1}) == {"product_id": 1}
    with pytest.raises(HiboutikPayloadError, match="list of 2"):
        unwrap_one([{}, {}])
    with pytest.raises(HiboutikPayloadError, match="list of 0"):
        unwrap_one([])
    with pytest.raises(HiboutikPayloadError):
        unwrap_one(["x"])


def test_require_takes_the_first_spelling_present():
    assert require({"order_id": 5}, "sale_id", "order_id") == 5
    assert require({"sale_id": 4, "order_id": 5}, "sale_id", "order_id") == 4
    with pytest.raises(HiboutikPayloadError, match="sale_id / order_id"):
        require({}, "sale_id", "order_id")


def test_form_values():
    assert form_value(True) == "1"
    assert form_value(False) == "0"
    assert form_value(Decimal("1E+1")) == "10"
    assert form_value(Decimal("9.90")) == "9.90"
    assert form_value(None) == ""
    assert form_value(3) == "3"


def test_ids_read_from_a_row_whatever_their_spelling():
    assert int_or_zero({"product_brand": 3}, "product_brand") == 3
    assert int_or_zero({"product_brand": "3"}, "product_brand") == 3
    assert int_or_zero({"product_brand": ""}, "product_brand") == 0
    assert int_or_zero({}, "product_brand") == 0
    assert require_int({"sale_id": None, "order_id": 9}, "sale_id", "order_id") == 9
    assert require_int({"sale_id": "9.0"}, "sale_id") == 9
    for flag in (True, False):  # a boolean is no id, even though Python counts it an int
        with pytest.raises(HiboutikPayloadError):
            int_or_zero({"product_brand": flag}, "product_brand")
        with pytest.raises(HiboutikPayloadError):
            require_int({"product_id": flag}, "product_id")


def test_text_keeps_strings_and_spells_the_rest():
    assert text("Casquette") == "Casquette"
    assert text(None) == ""
    assert text(12) == "12"
