"""The full sale object of ``GET /sales/{id}`` (hiboutik-api.md §9.2) and its short row for
``closed_sales``. Sales are built once, when closed, and never change afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hiboutik.simulator.catalogue import barcode_of
from hiboutik.simulator.clock import ZERO_DATETIME, parse_stamp
from hiboutik.simulator.fiscal import date_z
from hiboutik.simulator.money import fmt, rate_percent
from hiboutik.simulator.sale_amounts import line_amounts, sale_totals, tax_blocks, taxes_conc
from hiboutik.simulator.state import State

# The till user who closes every simulated sale: the API user, as vendor id 1.
VENDOR_ID = 1
VENDOR_FIRST_NAME = "Demo"
VENDOR_LAST_NAME = "Caisse"


@dataclass
class LineInput:
    product: dict[str, Any]
    size_id: int
    quantity: int
    price: Decimal  # unit price, tax included; negative on credit-note and refund lines
    rate: Decimal  # VAT fraction
    tax_label: str
    catalogue_price: Decimal
    stock_withdrawal: int = 1
    credit_note: int = 0
    credit_note_id: int = 0
    line_item_id_return: int = 0
    date_return: str = ZERO_DATETIME


def size_name(state: State, size_id: int) -> str:
    size = state.get("sizes", size_id) if size_id else None
    return size["size_name"] if size else ""


def build_line(state: State, line_item_id: int, line: LineInput, currency: str) -> dict[str, Any]:
    product = line.product
    category = state.get("categories", product["product_category"])
    return {
        "line_item_id": line_item_id,
        "detail_commande_id": line_item_id,
        "product_id": product["product_id"],
        "product_size": line.size_id,
        "size_name": size_name(state, line.size_id),
        "quantity": line.quantity,
        # Newer captures: "750.00" and "0.200" (2019 had "62.0000" and "0.20000").
        "product_price": fmt(line.price),
        "product_currency": currency,
        "vat": fmt(line.rate, 3),
        "tax_value": rate_percent(line.rate),
        "tax_label": line.tax_label,
        "stock_withdrawal": line.stock_withdrawal,
        "package": product["product_package"],
        "points": 0,
        "kitchen_pos": 0,
        "multiple": product["multiple"],
        "multiple_quantity": 0,
        "multiple_product_price": 0,  # a JSON number in the captures
        "credit_note": line.credit_note,
        "credit_note_id": line.credit_note_id,
        "line_item_id_return": line.line_item_id_return,
        "date_return": line.date_return,
        "product_comments": "",
        "serial_number": "",
        "product_supply_price": product["product_supply_price"],
        **line_amounts(line.price, line.quantity, line.rate, line.catalogue_price),
        "product_model": product["product_model"],
        "product_barcode": barcode_of(product, line.size_id),
        "product_brand": product["product_brand"],
        "product_supplier": product["product_supplier"],
        "product_category": product["product_category"],
        "category_name": category["category_name"] if category else "",
        "product_size_type": product["product_size_type"],
        "product_package": product["product_package"],
        "product_stock_management": product["product_stock_management"],
        "product_supplier_reference": product["product_supplier_reference"],
        "product_desc": product["products_desc"],
        "storage_location": product["storage_location"],
        "product_arch": product["product_arch"],
        "products_ref_ext": product["products_ref_ext"],
        "product_display_www": product["product_display_www"],
        "accounting_account": product["accounting_account"],
        "misc_int": product["misc_int"],
        "misc_decimal": product["misc_decimal"],
        "misc_date": product["misc_date"],
        "misc_varchar": product["misc_varchar"],
        "misc_varchar2": product["misc_varchar2"],
        "misc_text": product["misc_text"],
        "tags": list(product["tags"]),
        "modifiers": [],
        "modifiers_conc": "",
    }


def _date_parts(prefix: str, stamp_text: str) -> dict[str, str]:
    moment = parse_stamp(stamp_text)
    return {
        f"{prefix}_date": moment.strftime("%Y-%m-%d"),
        f"{prefix}_date_yyyy": moment.strftime("%Y"),
        f"{prefix}_date_mm": moment.strftime("%m"),
        f"{prefix}_date_dd": moment.strftime("%d"),
        f"{prefix}_date_hh": moment.strftime("%H"),
        f"{prefix}_date_min": moment.strftime("%M"),
        f"{prefix}_date_ss": moment.strftime("%S"),
    }


def build_sale(
    *,
    sale_id: int,
    store: dict[str, Any],
    customer_id: int,
    payment: str,
    payments: list[tuple[str, Decimal]],
    payment_detail_ids: list[int],
    lines: list[dict[str, Any]],
    created_at: str,
    completed_at: str,
    unique_sale_id: str,
    sale_ext_ref: str,
) -> dict[str, Any]:
    totals = sale_totals(lines)
    blocks = tax_blocks(lines)
    completed = parse_stamp(completed_at)
    sale: dict[str, Any] = {
        "sale_id": sale_id,
        "created_at": created_at,
        "completed_at": completed_at,
        "store_id": store["store_id"],
        "vendor_id": VENDOR_ID,
        "unique_sale_id": unique_sale_id,
        "customer_id": customer_id,
        "currency": store["store_default_currency"],
        "total": totals["sale_total_gross"],
        "payment": payment,
    }
    if payment == "DIV":
        sale["payment_details"] = [
            {"payment_detail_id": detail_id, "payment_type": code, "payment_amount": fmt(amount)}
            for detail_id, (code, amount) in zip(payment_detail_ids, payments, strict=True)
        ]
    settle(sale)
    fiscal = str(date_z(store, completed_at))
    sale.update(
        {
            "billing_address": 0,
            "shipping_address": 0,
            "without_taxes": 0,
            "prices_without_taxes": 0,
            "duty_free_sale": 0,
            "ressource_id": 0,
            "points": 0,
            "sale_ext_ref": sale_ext_ref,
            "service_charge": "0.00",
            "customs_duty": "0.00",
            "cash_tendered": "0.00",
            "guests_number": 0,
            "takeaway": 0,
            "quotation": 0,
            "shipping_ref": "",
            "vat_number": "",
            "sale_misc": "",
            "sale_num_fac": "",
            "invoice_id": "",
            "date_z": int(fiscal),
            "closed_day": 0,
            "pickup_date": ZERO_DATETIME,
            **_date_parts("created_at", created_at),
            **_date_parts("completed_at", completed_at),
            "date_z_yyyy": fiscal[:4],
            "date_z_mm": fiscal[4:6],
            "date_z_dd": fiscal[6:],
            "completed_at_yyyymmddhhmmss": completed.strftime("%Y%m%d%H%M%S"),
            **totals,
            "taxes": blocks,
            "taxes_conc": taxes_conc(blocks),
            "sale_tags": [],
            "vendor_first_name": VENDOR_FIRST_NAME,
            "vendor_last_name": VENDOR_LAST_NAME,
            "warehouse_id": store["warehouse_id"],
            "payment_accounting_account": "",
            "url_receipt": "",
            "url_qrcode": "",
            "line_items": lines,
        }
    )
    return sale


def settle(sale: dict[str, Any]) -> None:
    """``payment_total``: what was paid, the whole total for a single payment type, the
    payment lines and later cash flows for a split (DIV) sale, which also shows the
    ``balance`` still due (negative: overpaid), as LZ measured."""
    if sale["payment"] != "DIV":
        sale["payment_total"] = sale["total"]
        return
    paid = sum(
        (
            Decimal(line["payment_amount"])
            for line in (*sale["payment_details"], *sale.get("cash_flow", ()))
        ),
        Decimal(0),
    )
    sale["payment_total"] = fmt(paid)
    sale["balance"] = fmt(Decimal(sale["total"]) - paid)


SHORT_ROW_KEYS = (
    "sale_id",
    "created_at",
    "completed_at",
    "store_id",
    "vendor_id",
    "unique_sale_id",
    "customer_id",
    "currency",
    "payment",
    "billing_address",
    "shipping_address",
    "guests_number",
    "total",
)


def short_row(sale: dict[str, Any]) -> dict[str, Any]:
    """The ``closed_sales`` row; note ``resource_id`` here against ``ressource_id`` on the
    full sale, as on Hiboutik (hiboutik-api.md §9.1)."""
    row = {key: sale[key] for key in SHORT_ROW_KEYS}
    row["resource_id"] = sale["ressource_id"]
    return row
