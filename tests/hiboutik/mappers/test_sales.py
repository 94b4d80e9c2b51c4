from datetime import date, datetime
from decimal import Decimal

from hiboutik.mappers.sales import (
    credit_note_from_payload,
    sale_from_payload,
    sale_summary_from_payload,
)
from hiboutik.php_form import parse_php_form_body
from hiboutik.types import CashFlow, PaymentDetail, SaleTax

SALE_JSON = {
    "sale_id": 42,
    "store_id": 1,
    "vendor_id": 1,
    "customer_id": 0,
    "created_at": "2021-06-02 11:20:14",
    "completed_at": "2021-06-02 11:20:32",
    "unique_sale_id": "2021-06-1-1",
    "currency": "EUR",
    "total": "39.00",
    "payment": "DIV",
    "prices_without_taxes": 0,
    "sale_ext_ref": "",
    "warehouse_id": 1,
    "sale_total_net": "32.50",
    "sale_total_tax": "6.50",
    "sale_total_gross": "39.00",
    "line_items": [
        {
            "line_item_id": 101,
            "product_id": 7,
            "product_size": 0,
            "quantity": 3,
            "product_price": "13.00",
            "vat": "0.200",
            "product_barcode": "2430000000073",
            "stock_withdrawal": 1,
            "credit_note": 0,
            "line_item_id_return": 0,
            "item_total_gross": "39.00",
        }
    ],
    "taxes": [
        {"tax_value": "0.200", "total_net": "32.50", "total_vat": "6.50", "total_gross": "39.00"}
    ],
    "payment_details": [
        {"payment_detail_id": 1, "payment_type": "ESP", "payment_amount": "10.00"},
        {"payment_detail_id": 2, "payment_type": "CB", "payment_amount": "29.00"},
    ],
}


def test_full_sale_json():
    sale = sale_from_payload(SALE_JSON)
    assert sale.sale_id == 42
    assert sale.is_closed
    assert sale.completed_at == datetime(2021, 6, 2, 11, 20, 32)
    assert sale.total == Decimal("39")
    assert sale.warehouse_id == 1
    (line,) = sale.lines
    assert (line.line_item_id, line.product_id, line.quantity) == (101, 7, 3)
    assert line.unit_price == Decimal("13")
    assert line.vat == Decimal("0.2")
    assert line.stock_withdrawal is True
    assert sale.taxes == (SaleTax(Decimal("0.2"), Decimal("32.5"), Decimal("6.5"), Decimal(39)),)
    assert sale.payment_details == (
        PaymentDetail("ESP", Decimal(10), 1),
        PaymentDetail("CB", Decimal(29), 2),
    )
    assert sale.returned_line_ids == ()


def test_open_sale_has_no_completion_time():
    sale = sale_from_payload({**SALE_JSON, "completed_at": "0000-00-00 00:00:00"})
    assert not sale.is_closed


def test_webhook_body_with_legacy_keys_maps_to_the_same_sale():
    # hiboutik-api.md §11.3: strings everywhere, "62" and "0.2" in a resent payload, tags=.
    body = (
        "order_id=206&unique_order_id=2019-01-1-41&shop_id=1&customer_id=0"
        "&date_time=2019-01-22+16%3A54%3A51&created_at=2019-01-22+16%3A54%3A41"
        "&currency=EUR&total=62&payment=CB&prices_without_taxes=0&sale_ext_ref="
        "&line_items[0][line_item_id]=804&line_items[0][product_id]=42"
        "&line_items[0][product_size]=3&line_items[0][quantity]=1"
        "&line_items[0][product_price]=62.0000&line_items[0][vat]=0.2&line_items[0][tags]="
        "&taxes[0][tax_value]=0.2&taxes[0][total_net]=51.67&taxes[0][total_vat]=10.33"
        "&taxes[0][total_gross]=62.00&sale_tags="
    )
    sale = sale_from_payload(parse_php_form_body(body))
    assert sale.sale_id == 206
    assert sale.store_id == 1
    assert sale.unique_sale_id == "2019-01-1-41"
    assert sale.completed_at == datetime(2019, 1, 22, 16, 54, 51)
    assert sale.total == Decimal("62.00")
    (line,) = sale.lines
    assert (line.product_id, line.size_id, line.unit_price) == (42, 3, Decimal("62"))
    assert line.vat == Decimal("0.20000")
    assert sale.taxes[0].total_vat == Decimal("10.33")
    assert sale.payment_details == ()


def test_return_lines_point_at_the_original_line():
    line = {
        "line_item_id": 900,
        "product_id": 7,
        "quantity": 1,
        "product_price": "-13.00",
        "credit_note": 1,
        "line_item_id_return": 101,
    }
    sale = sale_from_payload({**SALE_JSON, "total": "-13.00", "line_items": [line]})
    assert sale.lines[0].credit_note is True
    assert sale.returned_line_ids == (101,)
    assert sale.total == Decimal("-13")


def test_closed_sale_short_row():
    row = {
        "sale_id": 42,
        "created_at": "2021-06-02 11:20:14",
        "completed_at": "2021-06-02 11:20:32",
        "store_id": 1,
        "vendor_id": 1,
        "unique_sale_id": "2021-06-1-1",
        "customer_id": 0,
        "currency": "EUR",
        "payment": "CB",
        "resource_id": 0,
        "total": "39.00",
    }
    summary = sale_summary_from_payload(row)
    assert (summary.sale_id, summary.store_id, summary.total) == (42, 1, Decimal("39"))
    assert summary.completed_at == datetime(2021, 6, 2, 11, 20, 32)


def test_payments_added_after_closing_and_the_fiscal_day():
    sale = sale_from_payload(
        {
            **SALE_JSON,
            "payment_total": "44.00",
            "balance": "-5.00",
            "date_z": 20210601,
            "payment_details": [
                *SALE_JSON["payment_details"],
                {"payment_detail_id": 3, "payment_type": "ESP", "payment_amount": "-2.00"},
            ],
            "cash_flow": [
                {
                    "cash_flow_id": 8,
                    "payment_type": "CB",
                    "payment_amount": "7.00",
                    "date_time": "2021-06-03 09:00:00",
                    "currency_code": "EUR",
                    "comments": "",
                    "store_id": 1,
                    "datez": 20210603,
                }
            ],
        }
    )
    assert sale.payment_details[-1].amount == Decimal("-2")
    assert (sale.payment_total, sale.balance) == (Decimal(44), Decimal(-5))
    assert sale.cash_flow == (CashFlow("CB", Decimal(7), 8, datetime(2021, 6, 3, 9), "EUR", ""),)
    # A sale closed at 02:00 on the 2nd in a store whose day starts at 04:00 is of the 1st.
    assert sale.fiscal_day == date(2021, 6, 1)
    assert sale_from_payload({**SALE_JSON, "date_z": 0}).fiscal_day is None
    assert sale_from_payload({**SALE_JSON, "date_z": "20210602"}).fiscal_day == date(2021, 6, 2)


def test_a_line_exchanged_for_a_credit_note_stays_in_its_sale_marked():
    exchanged = {
        **SALE_JSON["line_items"][0],
        "credit_note": 1,
        "credit_note_id": 12,
        "date_return": "2021-06-05 10:00:00",
    }
    sale = sale_from_payload({**SALE_JSON, "line_items": [exchanged]})
    (line,) = sale.credited_lines
    assert (line.credit_note_id, line.date_return) == (12, datetime(2021, 6, 5, 10))
    assert sale.returned_line_ids == ()
    # Never returned: 0 and the zero date both mean none.
    for zero in (0, "0", "0000-00-00 00:00:00"):
        plain = sale_from_payload(
            {**SALE_JSON, "line_items": [{**SALE_JSON["line_items"][0], "date_return": zero}]}
        )
        assert plain.lines[0].date_return is None
        assert plain.credited_lines == ()


def test_old_and_new_number_formats_read_the_same():
    # 2019 bodies: "62.0000" and "0.20000"; newer ones: "62.00" and "0.200".
    old_line = {**SALE_JSON["line_items"][0], "product_price": "13.0000", "vat": "0.20000"}
    new_line = {**SALE_JSON["line_items"][0], "product_price": "13.00", "vat": "0.200"}
    old = sale_from_payload({**SALE_JSON, "line_items": [old_line]})
    new = sale_from_payload({**SALE_JSON, "line_items": [new_line]})
    assert old == new


def test_a_line_says_whether_its_product_manages_stock():
    line = {**SALE_JSON["line_items"][0], "product_stock_management": "0"}
    assert sale_from_payload({**SALE_JSON, "line_items": [line]}).lines[0].stock_managed is False
    assert sale_from_payload(SALE_JSON).lines[0].stock_managed is True


def test_credit_note_rows_need_only_their_id_and_code():
    note = credit_note_from_payload({"credit_note_id": "12", "credit_note": "12", "store_id": 1})
    assert (note.credit_note_id, note.code, note.amount) == (12, "12", None)
    full = credit_note_from_payload(
        {
            "credit_note_id": 3,
            "credit_note": "3",
            "store_id": 2,
            "amount": "39.00",
            "customer_id": 5,
            "sale_id": 9,
            "line_item_id": 21,
            "created_at": "2026-03-15 10:00:00",
        }
    )
    assert (full.amount, full.sale_id, full.line_item_id) == (Decimal(39), 9, 21)
    assert full.created_at == datetime(2026, 3, 15, 10)


def test_given_back_lines_of_a_return_sale():
    line = {
        "line_item_id": 900,
        "product_id": 7,
        "quantity": 1,
        "product_price": "-13.00",
        "credit_note": 1,
        "credit_note_id": 4,
        "line_item_id_return": 101,
        "date_return": "2021-06-05 10:00:00",
    }
    sale = sale_from_payload({**SALE_JSON, "line_items": [line]})
    assert [(g.line_item_id, g.quantity, g.original_sale_id) for g in sale.given_back] == [
        (101, 1, None)
    ]
