"""Reading a stock CSV file: separators, header, encodings, malformed and repeated lines."""

import pytest

from inventory.services import StockDelta
from inventory.stock_import import MAX_BYTES, ImportFileError, decode, parse_lines


def summary(text: str) -> list[tuple]:
    return [
        (line.number, line.sku, line.entry, line.error.code if line.error else None)
        for line in parse_lines(text)
    ]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_lines_are_sku_then_quantity_whatever_the_separator(separator):
    text = f"MUG-01{separator}12\nCAP-01{separator}+3\nHAT-01{separator}-2\n"
    assert summary(text) == [
        (1, "MUG-01", 12, None),
        (2, "CAP-01", StockDelta(3), None),
        (3, "HAT-01", StockDelta(-2), None),
    ]


@pytest.mark.parametrize("header", ["SKU;Quantité", "sku;quantity", "Référence;Qté", "ref;stock"])
def test_a_titled_first_line_is_skipped(header):
    assert summary(f"{header}\nMUG-01;4\n") == [(2, "MUG-01", 4, None)]


def test_bad_lines_get_their_error_and_blank_lines_are_ignored():
    text = "MUG-01;4\n\n;5\nCAP-01\nHAT-01;1;2\nMUG-01;7\nBAG-01;douze\nBOX-01;99999999999\n"
    assert summary(text) == [
        (1, "MUG-01", 4, None),
        (3, "", None, "malformed"),
        (4, "CAP-01", None, "required"),
        (5, "HAT-01", None, "malformed"),
        (6, "MUG-01", None, "duplicate"),
        (7, "BAG-01", None, "invalid"),
        (8, "BOX-01", None, "max_value"),
    ]
    duplicate = parse_lines(text)[4].error
    assert str(duplicate) == "This SKU is already on line 1."


def test_utf8_with_bom_and_windows_1252_are_both_read():
    assert decode("\ufeffCRÈME-01;3".encode()) == "CRÈME-01;3"
    assert decode("CRÈME-01;3".encode("cp1252")) == "CRÈME-01;3"


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"x" * (MAX_BYTES + 1), "too_large"), (b"PK\x03\x04\x00\x00binary", "not_csv")],
)
def test_a_file_that_is_not_a_small_csv_is_refused_whole(content, code):
    with pytest.raises(ImportFileError) as raised:
        decode(content)
    assert raised.value.error.code == code
