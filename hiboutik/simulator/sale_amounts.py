"""Sale arithmetic with Hiboutik's rounding (hiboutik-api.md §6, §9.2).

Prices are tax-included. A line's unit net is computed to 4 places and shown to the cent, as
the newer captures show it (``"item_unit_net": "625.00"``; a 2019 one had 4 places); its
totals use the unit rounded to the cent times the quantity (3 × 9.6667 gives 29.01). The
sale's totals add up the lines, while each ``taxes[]`` block is computed from that rate's gross
total, so the two can differ by a cent, as they do on Hiboutik."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from hiboutik.simulator.money import fmt, rate_label, round4, round_cents

ZERO = Decimal(0)


def line_amounts(
    price: Decimal, quantity: int, rate: Decimal, catalogue: Decimal
) -> dict[str, str]:
    """Every computed amount of one line item, formatted as Hiboutik sends them."""
    divisor = 1 + rate
    unit_net = round4(price / divisor)
    total_gross = round_cents(price * quantity)
    total_net = round_cents(round_cents(unit_net) * quantity)
    # LZ measured that the discount is the catalogue price minus the price sold at; credit
    # note and refund lines (negative prices) carry none.
    discount = catalogue - price if ZERO <= price < catalogue else ZERO
    unit_discount_net = round4(discount / divisor)
    discount_gross = round_cents(discount * quantity)
    discount_net = round_cents(round_cents(unit_discount_net) * quantity)
    gross_wo_discount = price + discount
    percentage = round_cents(discount / gross_wo_discount * 100) if gross_wo_discount > 0 else ZERO
    return {
        "discount": fmt(discount),
        "item_unit_net": fmt(unit_net),
        "item_unit_tax": fmt(price - unit_net),
        "item_unit_gross": fmt(price),
        "item_unit_net_wo_discount": fmt(round4(gross_wo_discount / divisor)),
        "item_unit_gross_wo_discount": fmt(gross_wo_discount),
        "item_unit_discount_net": fmt(unit_discount_net),
        "item_unit_discount_gross": fmt(discount),
        "item_discount_net": fmt(discount_net),
        "item_discount_tax": fmt(discount_gross - discount_net),
        "item_discount_gross": fmt(discount_gross),
        "item_discount_percentage": fmt(percentage),
        "item_discount_percentage_round_0": str(int(round_cents(percentage).to_integral_value())),
        "item_total_net": fmt(total_net),
        "item_total_tax": fmt(total_gross - total_net),
        "item_total_gross": fmt(total_gross),
    }


def _sum(lines: Iterable[Mapping[str, Any]], key: str) -> Decimal:
    return sum((Decimal(line[key]) for line in lines), ZERO)


def sale_totals(lines: list[Mapping[str, Any]]) -> dict[str, Any]:
    net = _sum(lines, "item_total_net")
    gross = _sum(lines, "item_total_gross")
    discount_net = _sum(lines, "item_discount_net")
    discount_gross = _sum(lines, "item_discount_gross")
    return {
        "sale_total_net": fmt(net),
        "sale_total_tax": fmt(gross - net),
        "sale_total_gross": fmt(gross),
        # The captured 2021 sale says 2 for two lines of 1 and 3 units: it counts lines.
        "sale_total_quantity": len(lines),
        "sale_total_discount_net": fmt(discount_net),
        "sale_total_discount_tax": fmt(discount_gross - discount_net),
        "sale_total_discount_gross": fmt(discount_gross),
        "sale_total_net_wo_discount": fmt(net + discount_net),
        "sale_total_gross_wo_discount": fmt(gross + discount_gross),
    }


def tax_blocks(lines: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One block per VAT rate, highest rate first, lettered A, B, C…"""
    by_rate: dict[Decimal, list[Mapping[str, Any]]] = {}
    for line in lines:
        by_rate.setdefault(Decimal(line["vat"]), []).append(line)
    blocks = []
    for letter, rate in zip("ABCDEFGHIJ", sorted(by_rate, reverse=True), strict=False):
        rate_lines = by_rate[rate]
        gross = _sum(rate_lines, "item_total_gross")
        net = round_cents(gross / (1 + rate))
        blocks.append(
            {
                "tax_value": fmt(rate, 3),
                "tax_value_p": rate_label(rate),
                "tax_label": rate_lines[0]["tax_label"],
                "tax_accounting_account": "",
                "total_net": fmt(net),
                "total_vat": fmt(gross - net),
                "total_gross": fmt(gross),
                "tax_letter_id": letter,
            }
        )
    return blocks


def taxes_conc(blocks: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"{b['tax_value_p']}: {b['total_vat']}" for b in blocks)
