"""Sales: the short rows of ``closed_sales``, the full sale of ``GET /sales/{id}``, and the same
full sale as a ``sale`` webhook delivers it (parsed by :mod:`hiboutik.php_form`: all values are
strings, empty lists are ``""``, and legacy keys such as ``order_id``/``shop_id``/``date_time``
may stand in for the modern ones)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.values import (
    as_list,
    int_or_zero,
    optional,
    optional_decimal,
    optional_int,
    parse_datetime,
    parse_flag,
    parse_int,
    require,
    require_decimal,
    require_int,
    require_mapping,
    text,
)
from hiboutik.types import (
    CashFlow,
    CreditNote,
    PaymentDetail,
    Sale,
    SaleLine,
    SaleSummary,
    SaleTax,
)


def sale_summary_from_payload(payload: Any) -> SaleSummary:
    row = require_mapping(payload, what="closed sale")
    return SaleSummary(
        sale_id=require_int(row, "sale_id", "order_id"),
        store_id=require_int(row, "store_id", "shop_id"),
        total=require_decimal(row, "total"),
        customer_id=int_or_zero(row, "customer_id"),
        vendor_id=int_or_zero(row, "vendor_id"),
        currency=text(optional(row, "currency")),
        payment=text(optional(row, "payment")),
        unique_sale_id=text(optional(row, "unique_sale_id", "unique_order_id")),
        created_at=parse_datetime(optional(row, "created_at"), field="created_at"),
        completed_at=parse_datetime(
            optional(row, "completed_at", "date_time"), field="completed_at"
        ),
    )


def sale_from_payload(payload: Any) -> Sale:
    row = require_mapping(payload, what="sale")
    return Sale(
        sale_id=require_int(row, "sale_id", "order_id"),
        store_id=require_int(row, "store_id", "shop_id"),
        total=require_decimal(row, "total", "sale_total_gross"),
        customer_id=int_or_zero(row, "customer_id"),
        vendor_id=int_or_zero(row, "vendor_id"),
        currency=text(optional(row, "currency")),
        payment=text(optional(row, "payment")),
        # unique_order_id is cut short in some webhooks; prefer the complete one.
        unique_sale_id=text(optional(row, "unique_sale_id", "unique_order_id")),
        created_at=parse_datetime(optional(row, "created_at"), field="created_at"),
        completed_at=parse_datetime(
            optional(row, "completed_at", "date_time"), field="completed_at"
        ),
        ext_ref=text(optional(row, "sale_ext_ref", "ext_ref")),
        prices_without_taxes=parse_flag(optional(row, "prices_without_taxes")),
        duty_free=parse_flag(optional(row, "duty_free_sale")),
        warehouse_id=optional_int(row, "warehouse_id"),
        total_net=optional_decimal(row, "sale_total_net"),
        total_tax=optional_decimal(row, "sale_total_tax"),
        total_gross=optional_decimal(row, "sale_total_gross"),
        lines=tuple(
            sale_line_from_payload(line)
            for line in as_list(row.get("line_items"), field="line_items")
        ),
        taxes=tuple(sale_tax_from_payload(tax) for tax in as_list(row.get("taxes"), field="taxes")),
        payment_details=tuple(
            payment_detail_from_payload(detail)
            for detail in as_list(row.get("payment_details"), field="payment_details")
        ),
        payment_total=optional_decimal(row, "payment_total"),
        balance=optional_decimal(row, "balance"),
        cash_flow=tuple(
            cash_flow_from_payload(flow)
            for flow in as_list(row.get("cash_flow"), field="cash_flow")
        ),
        fiscal_day=fiscal_day(optional(row, "date_z")),
    )


def fiscal_day(value: Any) -> date | None:
    """``date_z``: an int ``YYYYMMDD`` (a string in webhooks), 0 while unassigned."""
    if value is None or value == "":
        return None
    number = parse_int(value, field="date_z")
    if number == 0:
        return None
    try:
        return date(number // 10_000, number // 100 % 100, number % 100)
    except ValueError:
        raise HiboutikPayloadError(f"date_z: expected YYYYMMDD, got {value!r}") from None


def sale_line_from_payload(payload: Any) -> SaleLine:
    row = require_mapping(payload, what="sale line")
    discount = optional_decimal(row, "discount")
    withdrawal = optional(row, "stock_withdrawal")
    return SaleLine(
        line_item_id=require_int(row, "line_item_id", "detail_commande_id"),
        product_id=int_or_zero(row, "product_id"),
        # The response spells the variant product_size; the add_product request says size_id.
        size_id=optional_int(row, "product_size", "size_id") or 0,
        quantity=require_int(row, "quantity"),
        unit_price=require_decimal(row, "product_price"),
        vat=optional_decimal(row, "vat") or Decimal(0),
        barcode=text(optional(row, "product_barcode")),
        name=text(optional(row, "product_model")),
        ref_ext=text(optional(row, "products_ref_ext")),
        discount=discount if discount is not None else Decimal(0),
        stock_withdrawal=True if withdrawal is None else parse_flag(withdrawal),
        credit_note=parse_flag(optional(row, "credit_note")),
        credit_note_id=int_or_zero(row, "credit_note_id"),
        line_item_id_return=int_or_zero(row, "line_item_id_return"),
        # Hiboutik writes 0 (or the zero date) for "not returned".
        date_return=None
        if optional(row, "date_return") in (0, "0")
        else parse_datetime(optional(row, "date_return"), field="date_return"),
        stock_managed=True
        if optional(row, "product_stock_management") is None
        else parse_flag(row["product_stock_management"]),
        total_net=optional_decimal(row, "item_total_net"),
        total_tax=optional_decimal(row, "item_total_tax"),
        total_gross=optional_decimal(row, "item_total_gross"),
        comments=text(optional(row, "product_comments")),
    )


def sale_tax_from_payload(payload: Any) -> SaleTax:
    row = require_mapping(payload, what="sale tax")
    return SaleTax(
        rate=require_decimal(row, "tax_value"),
        total_net=require_decimal(row, "total_net"),
        total_vat=require_decimal(row, "total_vat"),
        total_gross=require_decimal(row, "total_gross"),
        label=text(optional(row, "tax_label")),
    )


def credit_note_from_payload(payload: Any) -> CreditNote:
    row = require_mapping(payload, what="credit note")
    return CreditNote(
        credit_note_id=require_int(row, "credit_note_id", "avoir_id"),
        code=text(require(row, "credit_note", "credit_note_code", "code")),
        store_id=int_or_zero(row, "store_id"),
        amount=optional_decimal(row, "amount", "credit_note_amount", "total"),
        customer_id=int_or_zero(row, "customer_id"),
        sale_id=int_or_zero(row, "sale_id"),
        line_item_id=int_or_zero(row, "line_item_id"),
        created_at=parse_datetime(optional(row, "created_at", "date"), field="created_at"),
    )


def cash_flow_from_payload(payload: Any) -> CashFlow:
    row = require_mapping(payload, what="cash flow")
    return CashFlow(
        payment_type=text(optional(row, "payment_type")),
        amount=require_decimal(row, "payment_amount", "amount"),
        cash_flow_id=optional_int(row, "cash_flow_id"),
        date_time=parse_datetime(optional(row, "date_time"), field="date_time"),
        currency=text(optional(row, "currency_code", "currency")),
        comments=text(optional(row, "comments")),
    )


def payment_detail_from_payload(payload: Any) -> PaymentDetail:
    row = require_mapping(payload, what="payment detail")
    return PaymentDetail(
        payment_type=text(optional(row, "payment_type")),
        amount=require_decimal(row, "payment_amount"),
        payment_detail_id=optional_int(row, "payment_detail_id"),
    )
