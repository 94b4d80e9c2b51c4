"""PHP bracket form encoding."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hiboutik.simulator.webhook_form import encode, flatten


def test_nested_lists_and_dicts_become_bracket_keys_with_string_values() -> None:
    payload = {
        "sale_id": 206,
        "total": "62.00",
        "line_items": [
            {"product_id": 42, "tags": [], "stock_available": [{"warehouse_id": 1}]},
        ],
        "store_address": {"city": "Paris"},
        "sale_tags": [],
        "pickup": None,
        "tax_value": 5.5,
    }
    assert flatten(payload) == [
        ("sale_id", "206"),
        ("total", "62.00"),
        ("line_items[0][product_id]", "42"),
        ("line_items[0][tags]", ""),
        ("line_items[0][stock_available][0][warehouse_id]", "1"),
        ("store_address[city]", "Paris"),
        ("sale_tags", ""),
        ("pickup", ""),
        ("tax_value", "5.5"),
    ]


def test_encoding_round_trips_through_a_form_parser() -> None:
    body = encode({"line_items": [{"product_model": "Café crème & co"}], "tags": []})
    assert b"%5B" in body and b"[" not in body
    assert dict(parse_qsl(body.decode(), keep_blank_values=True)) == {
        "line_items[0][product_model]": "Café crème & co",
        "tags": "",
    }
