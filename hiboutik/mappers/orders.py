"""A closed Hiboutik sale read as the Connect order it becomes: its lines with Hiboutik's own
amounts, its payments per Hiboutik payment type, its time in UTC, and what it gives back.
Pure: no Django, no I/O; the importer resolves products, customers and payment methods."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.values import as_list, parse_int
from hiboutik.types import GivenBack, Sale, SaleLine

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderLinePlan:
    """One sold line: what the till says of it, tax rates as percentages."""

    line_item_id: int
    product_id: int
    size_id: int
    references: tuple[str, ...]  # products_ref_ext then barcode, those given
    quantity: int
    name: str
    tax_rate: Decimal  # percent
    unit_price: Decimal | None  # excluding tax, when the sale states prices so
    unit_price_incl_tax: Decimal | None
    row_total: Decimal | None  # Hiboutik's line totals, when it sends them
    row_total_incl_tax: Decimal | None

    @property
    def reference(self) -> str:
        """How to name the line to a person: its reference, else its barcode, else its id."""
        return self.references[0] if self.references else f"#{self.product_id or '?'}"


@dataclass(frozen=True)
class PaymentPlan:
    payment_type: str
    amount: Decimal
    reference: str  # unique within the sale: a payment added later is told apart


def tax_percent(vat: Decimal) -> Decimal:
    """Hiboutik writes a line's rate as a fraction (``0.200``); some payloads as a percentage
    (``20``). No VAT rate reaches 100 %, so anything from 1 up is already a percentage."""
    rate = vat * HUNDRED if vat < 1 else vat
    return rate.quantize(Decimal("0.01"))


def is_return_line(line: SaleLine) -> bool:
    """A line of a return sale pointing at the line it gives back (shape (a))."""
    return bool(line.line_item_id_return)


def sold_lines(sale: Sale) -> tuple[SaleLine, ...]:
    """The lines an order is made of: every line but the return lines. A line exchanged later
    for a credit note (shape (b)) was sold all the same; its return is an exchange event."""
    return tuple(line for line in sale.lines if not is_return_line(line))


def is_refund(sale: Sale) -> bool:
    """A negative sale that returns nothing the till can point at: a refund, not imported."""
    return sale.total < 0 and not sale.returned_line_ids


def order_line_plans(sale: Sale) -> tuple[OrderLinePlan, ...]:
    plans = []
    for line in sold_lines(sale):
        references = tuple(dict.fromkeys(ref for ref in (line.ref_ext, line.barcode) if ref))
        stated = line.total_gross is not None and line.total_net is not None
        plans.append(
            OrderLinePlan(
                line_item_id=line.line_item_id,
                product_id=line.product_id,
                size_id=line.size_id,
                references=references,
                quantity=line.quantity,
                name=line.name,
                tax_rate=tax_percent(line.vat),
                unit_price=line.unit_price if sale.prices_without_taxes else None,
                unit_price_incl_tax=None if sale.prices_without_taxes else line.unit_price,
                row_total=line.total_net if stated else None,
                row_total_incl_tax=line.total_gross if stated else None,
            )
        )
    return tuple(plans)


def payment_plans(sale: Sale) -> tuple[PaymentPlan, ...]:
    """What paid the sale, per Hiboutik payment type: each line of a split (``DIV``) sale,
    else the sale's one type for its total; then the payments added after its day closed.
    Zero amounts pay nothing and are left out."""
    plans: list[PaymentPlan] = []
    if sale.payment_details:
        for index, detail in enumerate(sale.payment_details, start=1):
            key = detail.payment_detail_id if detail.payment_detail_id is not None else index
            plans.append(PaymentPlan(detail.payment_type, detail.amount, f"detail:{key}"))
    elif sale.payment and sale.payment != "DIV":
        amount = sale.payment_total if sale.payment_total is not None else sale.total
        plans.append(PaymentPlan(sale.payment, amount, "sale"))
    for index, flow in enumerate(sale.cash_flow, start=1):
        key = flow.cash_flow_id if flow.cash_flow_id is not None else index
        plans.append(PaymentPlan(flow.payment_type, flow.amount, f"cash_flow:{key}"))
    return tuple(plan for plan in plans if plan.amount != ZERO)


def placed_at(sale: Sale, time_zone: str) -> datetime | None:
    """When the sale was closed, in UTC: Hiboutik writes naive times of the store's zone."""
    local = sale.completed_at or sale.created_at
    if local is None:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class ExchangePlan:
    """One line given back at the till, as the exchange event stores it."""

    external_id: str
    payload: dict


def exchange_plans(sale: Sale) -> tuple[ExchangePlan, ...]:
    """Every line `sale` says was given back, in either shape: a return sale's lines (the
    original line is in another sale) and the sale's own lines exchanged for a credit note."""
    plans = []
    for given in sale.given_back:
        plans.append(ExchangePlan(_exchange_id(sale, given), _exchange_payload(sale, given)))
    return tuple(plans)


def _exchange_id(sale: Sale, given: GivenBack) -> str:
    shape = "return" if given.original_sale_id is None else "credit"
    return f"{shape}:{sale.sale_id}:{given.line_item_id}:{given.credit_note_id}"


def _exchange_payload(sale: Sale, given: GivenBack) -> dict:
    shape = "return_line" if given.original_sale_id is None else "credit_note"
    return {
        "shape": shape,
        "sale_id": sale.sale_id,
        "original_sale_id": given.original_sale_id,
        "original_line_item_id": given.line_item_id,
        "quantity": given.quantity,
        "credit_note_id": given.credit_note_id,
        "date_return": given.date_return.isoformat(sep=" ") if given.date_return else None,
        "store_id": sale.store_id,
        # The return line brought the unit back into a Hiboutik warehouse (stock_withdrawal).
        "restocked_in_hiboutik": any(
            line.line_item_id_return == given.line_item_id and line.stock_withdrawal
            for line in sale.lines
        )
        if shape == "return_line"
        else None,
    }


def held_stock(payload: Any, line_item_ids: set[int]) -> dict[tuple[int, int], dict[int, int]]:
    """What Hiboutik held, when it sent a `sale` webhook, of the products of the lines
    `line_item_ids`: {(product id, size id): {warehouse id: quantity}} from the lines'
    ``stock_available`` (webhooks carry it; ``GET /sales/{id}`` does not). Unreadable rows are
    left out."""
    held: dict[tuple[int, int], dict[int, int]] = {}
    lines = payload.get("line_items") if isinstance(payload, Mapping) else None
    for line in as_list(lines, field="line_items") if lines not in (None, "") else ():
        if not isinstance(line, Mapping):
            continue
        try:
            if parse_int(line.get("line_item_id"), field="line_item_id") not in line_item_ids:
                continue
            ref = (
                parse_int(line.get("product_id"), field="product_id"),
                parse_int(line.get("product_size") or 0, field="product_size"),
            )
            rows = line.get("stock_available")
            for row in as_list(rows, field="stock_available") if rows not in (None, "") else ():
                warehouse = parse_int(row.get("warehouse_id"), field="warehouse_id")
                quantity = parse_int(row.get("stock_available"), field="stock_available")
                held.setdefault(ref, {})[warehouse] = quantity
        except (HiboutikPayloadError, AttributeError):
            continue
    return held
