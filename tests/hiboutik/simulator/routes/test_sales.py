"""Reading sales: closed sales of a day or a month as short rows, one sale in full."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def ring(api: Api, store_id: int, completed_at: str) -> dict:
    return api.sale(
        store_id=store_id,
        payment="CB",
        completed_at=completed_at,
        lines=[{"product_id": 4, "quantity": 1}],
    )


def test_closed_sales_of_a_day_and_of_a_month(api: Api) -> None:
    a = ring(api, 1, "2026-03-14 10:00:00")
    b = ring(api, 1, "2026-03-14 18:30:00")
    ring(api, 1, "2026-03-15 09:00:00")
    ring(api, 2, "2026-03-14 11:00:00")

    day = api.get("/closed_sales/1/2026/03/14").json()
    month = api.get("/closed_sales/1/2026/3/").json()

    assert [r["sale_id"] for r in day] == [a["sale_id"], b["sale_id"]]
    assert len(month) == 3
    assert day[0] == {
        "sale_id": a["sale_id"],
        "created_at": a["created_at"],
        "completed_at": "2026-03-14 10:00:00",
        "store_id": 1,
        "vendor_id": 1,
        "unique_sale_id": "2026-03-1-1",
        "customer_id": 0,
        "currency": "EUR",
        "payment": "CB",
        "billing_address": 0,
        "shipping_address": 0,
        "guests_number": 0,
        "total": "19.50",
        "resource_id": 0,
    }
    assert api.get("/closed_sales/1/2026/03/16").json() == []


def test_closed_sales_check_the_store_and_the_date(api: Api) -> None:
    assert api.get("/closed_sales/9/2026/03/14").status_code == 404
    assert api.get("/closed_sales/1/2026/13/01").status_code == 422
    assert api.get("/closed_sales/1/2026/02/30").status_code == 422


def test_sale_is_a_one_element_array_and_missing_one_is_404(api: Api) -> None:
    sale = ring(api, 1, "2026-03-14 10:00:00")
    body = api.get(f"/sales/{sale['sale_id']}/").json()
    assert body == [sale]
    missing = api.get("/sales/999")
    assert missing.status_code == 404
    assert missing.json()["error"] == "invalid_data" and missing.json()["code"] == 6


def test_fiscal_numbers_run_per_store_and_month(api: Api) -> None:
    numbers = [
        ring(api, 1, "2026-03-14 10:00:00")["unique_sale_id"],
        ring(api, 1, "2026-03-20 10:00:00")["unique_sale_id"],
        ring(api, 2, "2026-03-20 10:00:00")["unique_sale_id"],
        ring(api, 1, "2026-04-01 10:00:00")["unique_sale_id"],
    ]
    assert numbers == ["2026-03-1-1", "2026-03-1-2", "2026-03-2-1", "2026-04-1-1"]


def test_closed_sales_go_by_the_fiscal_day_not_the_completion_date(api: Api) -> None:
    # Store 2's day starts at 04:00: a sale closed at 02:30 on the 15th is of the 14th.
    late = ring(api, 2, "2026-03-15 02:30:00")
    morning = ring(api, 2, "2026-03-15 09:00:00")
    assert (late["date_z"], late["date_z_dd"]) == (20260314, "14")
    assert morning["date_z"] == 20260315
    assert [r["sale_id"] for r in api.get("/closed_sales/2/2026/03/14").json()] == [late["sale_id"]]
    assert [r["sale_id"] for r in api.get("/closed_sales/2/2026/03/15").json()] == [
        morning["sale_id"]
    ]
    # A store whose day starts at midnight: the completion date is the fiscal day.
    assert ring(api, 1, "2026-03-15 02:30:00")["date_z"] == 20260315
