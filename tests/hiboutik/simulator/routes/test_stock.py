"""Stock reads by warehouse, product, product and size, and across warehouses."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

from hiboutik.simulator.routes.stock import _row
from tests.hiboutik.simulator.conftest import Api


def test_stock_by_warehouse_lists_each_variant(api: Api) -> None:
    rows = api.get("/stock_available/warehouse_id/1").json()
    # T-shirt and chemise (4 sizes), baskets (4), casquette, tote bag, livre, carte cadeau.
    assert len(rows) == 4 + 4 + 4 + 4
    tshirt_m = next(r for r in rows if r["product_id"] == 1 and r["product_size"] == 2)
    assert tshirt_m == {
        "product_id": 1,
        "product_size": 2,
        "warehouse_id": 1,
        "stock_available": 12,
        "inventory_alert": 0,
        "product_barcode": "2430020000014",
        "products_ref_ext": "TSHIRT-BIO",
    }
    # The gift card manages no stock, yet has a row with a leftover figure, as on Hiboutik.
    gift_card = next(r for r in rows if r["product_id"] == 7)
    assert gift_card["stock_available"] == 15


def test_stock_by_warehouse_filters(api: Api) -> None:
    rows = api.get("/stock_available/warehouse_id/2", params={"products_ref_ext": "TOTE-BAG"})
    assert [(r["product_id"], r["stock_available"]) for r in rows.json()] == [(5, 35)]
    assert api.get("/stock_available/warehouse_id/2?colour=red").status_code == 422
    assert api.get("/stock_available/warehouse_id/9").status_code == 404


def test_stock_by_product_and_by_product_size(api: Api) -> None:
    by_product = api.get("/stock_available/product_id/3").json()
    assert len(by_product) == 2 * 4
    by_size = api.get("/stock_available/product_id_size/3/6").json()
    assert [(r["warehouse_id"], r["stock_available"]) for r in by_size] == [(1, 4), (2, 4)]
    assert api.get("/stock_available/product_id_size/3/1").status_code == 404
    assert api.get("/stock_available/product_id/999").status_code == 404
    assert [r["stock_available"] for r in api.get("/stock_available/product_id/7").json()] == [
        15,
        15,
    ]


def test_stock_follows_sales(api: Api) -> None:
    api.sale(store_id=2, payment="CB", lines=[{"product_id": 5, "quantity": 3}])
    rows = api.get("/stock_available/product_id/5").json()
    assert [(r["warehouse_id"], r["stock_available"]) for r in rows] == [(1, 35), (2, 32)]


def test_all_warehouses_paginates(api: Api) -> None:
    api.sim.add_products(200)
    first = api.get("/stock_available/all_wh/")
    assert len(first.json()) == 250
    assert first.headers["Content-Range"].endswith(f"/{2 * (16 + 200)}")


def test_a_stock_page_renders_its_own_rows_only(simulator_factory, monkeypatch) -> None:
    from hiboutik.simulator.routes import stock

    sim = simulator_factory(seed="empty")
    sim.add_products(2_000)
    rendered = []
    original = stock._row
    monkeypatch.setattr(stock, "_row", lambda *args: rendered.append(1) or original(*args))
    api = Api(sim)
    for _ in range(3):
        assert len(api.get("/stock_available/warehouse_id/1", params={"p": 5}).json()) == 250
    assert len(rendered) == 3 * 250

    # The index follows the catalogue: a new product's row ends the list.
    created = api.post("/products/", data={"product_model": "New", "product_price": "1.00"})
    assert created.status_code == 201
    last = api.get("/stock_available/warehouse_id/1", params={"p": 9}).json()
    assert last[-1]["product_id"] == created.json()["product_id"]


def test_reads_do_not_wait_for_one_another_but_writes_do(simulator) -> None:
    api = Api(simulator)
    with simulator.lock.shared():  # a long read in progress
        assert api.get("/stock_available/warehouse_id/1", timeout=5).status_code == 200
        written: list[int] = []
        writer = threading.Thread(
            target=lambda: written.append(
                api.put(
                    "/product/4", data={"product_attribute": "product_model", "new_value": "Cap"}
                ).status_code
            )
        )
        writer.start()
        writer.join(timeout=0.3)
        assert written == []  # the write waits for the read to finish
    writer.join(timeout=5)
    assert written == [200]


# --- a page answers the stock as it is now, after any write -----------------------------------


def _fresh_warehouse_page(api: Api, warehouse_id: int, page: int) -> bytes:
    """The page as building and encoding its rows now gives it, nothing kept from earlier."""
    state = api.sim.state
    keys = [
        (product, size_id)
        for product in state.rows("products")
        for size_id in [int(s) for s in product["size_barcodes"]] or [0]
    ][(page - 1) * 250 :][:250]
    ctx = SimpleNamespace(state=state)
    rows = [_row(ctx, product, warehouse_id, size_id) for product, size_id in keys]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _same_as_fresh(api: Api) -> None:
    for warehouse_id in (1, 2):
        for page in (1, 2):
            path = f"/stock_available/warehouse_id/{warehouse_id}"
            served = api.get(path, params={"p": page}).content
            assert served == _fresh_warehouse_page(api, warehouse_id, page)


def _row_of(api: Api, product_id: int, size_id: int = 0, warehouse_id: int = 1) -> dict:
    rows = api.get(f"/stock_available/warehouse_id/{warehouse_id}", params={"p": 1}).json()
    return next(r for r in rows if r["product_id"] == product_id and r["product_size"] == size_id)


def test_every_write_shows_in_the_next_stock_page(api: Api) -> None:
    api.sim.add_products(300)  # two pages in each warehouse
    _same_as_fresh(api)  # every page read (and kept) before each write

    api.sale(store_id=1, payment="ESP", lines=[{"product_id": 5, "quantity": 2}])
    assert _row_of(api, 5)["stock_available"] == 33
    _same_as_fresh(api)

    input_id = api.post("/inventory_inputs", data={"stock_id": 1}).json()["inventory_input_id"]
    detail = {"product_id": 1, "product_size": 2, "quantity": 4}
    api.post(f"/inventory_input_details/{input_id}", data=detail)
    api.post("/inventory_input_validate", data={"inventory_input_id": input_id})
    assert _row_of(api, 1, size_id=2)["stock_available"] == 16
    _same_as_fresh(api)

    for attribute, value in (("products_ref_ext", "TOTE-2"), ("product_barcode", "3700000000017")):
        changed = api.put("/product/5", data={"product_attribute": attribute, "new_value": value})
        assert changed.status_code == 200
        assert _row_of(api, 5)[attribute] == value
        _same_as_fresh(api)

    api.put("/product/5", data={"product_attribute": "product_size_type", "new_value": "1"})
    assert _row_of(api, 5, size_id=1)["product_barcode"]
    _same_as_fresh(api)
