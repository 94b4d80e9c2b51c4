"""Hiboutik's rounding of line amounts, sale totals and per-rate tax blocks."""

from __future__ import annotations

from decimal import Decimal

from hiboutik.simulator.sale_amounts import line_amounts, sale_totals, tax_blocks

RATE_20 = Decimal("0.2")


def line(price: str, quantity: int, rate: Decimal = RATE_20, catalogue: str | None = None):
    amounts = line_amounts(Decimal(price), quantity, rate, Decimal(catalogue or price))
    return {**amounts, "quantity": quantity, "vat": str(rate), "tax_label": "TVA"}


def test_unit_amounts_shown_to_the_cent_and_totals_use_the_rounded_unit() -> None:
    # 11.60 TTC at 20 % is 9.6667 net; three of them are 3 × 9.67 = 29.01 (§6).
    amounts = line("11.60", 3)
    assert amounts["item_unit_net"] == "9.67"
    assert amounts["item_unit_tax"] == "1.93"
    assert amounts["item_unit_gross"] == "11.60"
    assert amounts["item_total_gross"] == "34.80"
    assert amounts["item_total_net"] == "29.01"
    assert amounts["item_total_tax"] == "5.79"


def test_ps_log_example_62_at_20_percent() -> None:
    totals = sale_totals([line("62.00", 1)])
    assert (totals["sale_total_net"], totals["sale_total_tax"], totals["sale_total_gross"]) == (
        "51.67",
        "10.33",
        "62.00",
    )


def test_ps_log_example_10_at_10_percent() -> None:
    amounts = line("10.00", 1, Decimal("0.1"))
    assert (amounts["item_unit_net"], amounts["item_unit_gross"]) == ("9.09", "10.00")


def test_tax_block_can_differ_by_a_cent_from_the_sum_of_lines() -> None:
    lines = [line("1.00", 1), line("1.00", 1)]
    totals = sale_totals(lines)
    (block,) = tax_blocks(lines)
    assert totals["sale_total_net"] == "1.66"  # 0.83 + 0.83
    assert block["total_net"] == "1.67"  # 2.00 / 1.2
    assert block["total_gross"] == totals["sale_total_gross"] == "2.00"


def test_blocks_per_rate_highest_first_with_letters() -> None:
    lines = [line("24.00", 1, Decimal("0.055")), line("25.00", 1)]
    blocks = tax_blocks(lines)
    assert [(b["tax_letter_id"], b["tax_value"], b["tax_value_p"]) for b in blocks] == [
        ("A", "0.200", "20%"),
        ("B", "0.055", "5.5%"),
    ]
    assert (blocks[1]["total_net"], blocks[1]["total_vat"]) == ("22.75", "1.25")


def test_discount_is_catalogue_minus_sold_price() -> None:
    amounts = line("15.00", 2, catalogue="19.50")
    assert amounts["discount"] == "4.50"
    assert amounts["item_discount_gross"] == "9.00"
    assert amounts["item_unit_gross_wo_discount"] == "19.50"
    assert amounts["item_discount_percentage"] == "23.08"
    assert amounts["item_discount_percentage_round_0"] == "23"
    totals = sale_totals([amounts])
    assert totals["sale_total_gross_wo_discount"] == "39.00"


def test_negative_prices_round_symmetrically_and_carry_no_discount() -> None:
    amounts = line("-11.60", 3, catalogue="11.60")
    assert amounts["item_total_net"] == "-29.01"
    assert amounts["item_total_gross"] == "-34.80"
    assert amounts["discount"] == "0.00"
