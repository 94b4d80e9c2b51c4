"""The Simulator object: lifecycle, persistence across restarts, reset, bulk products."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from hiboutik.simulator import Simulator
from hiboutik.simulator.state import StateFileError
from tests.hiboutik.simulator.conftest import Api


def test_urls_and_clean_stop() -> None:
    sim = Simulator(port=0).start()
    try:
        assert sim.base_url == f"http://127.0.0.1:{sim.port}/api"
        assert sim.root_url == f"http://127.0.0.1:{sim.port}"
        session = requests.Session()  # keeps a connection open across stop()
        assert (
            session.get(
                f"{sim.base_url}/taxes", auth=("demo@connect.test", "DEMOKEY"), timeout=5
            ).status_code
            == 200
        )
    finally:
        sim.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(f"http://127.0.0.1:{sim.config.port or 1}/api/taxes", timeout=2)
    with pytest.raises(RuntimeError):
        _ = sim.base_url


def test_context_manager_and_double_start() -> None:
    with Simulator() as sim:
        with pytest.raises(RuntimeError):
            sim.start()
        port = sim.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/_sim/stats", timeout=2)


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key"):
        Simulator(api_key="not a key!")
    with pytest.raises(ValueError, match="empty_search"):
        Simulator(empty_search="204")
    with pytest.raises(ValueError, match="seed"):
        Simulator(seed="full")


def test_state_survives_a_restart(tmp_path: Path, simulator_factory) -> None:
    path = tmp_path / "hiboutik.json"
    first = simulator_factory(state_path=path, quota=100)
    api = Api(first)
    product_id = api.post("/products/", data={"product_model": "Persisté"}).json()["product_id"]
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 3}])
    first.stop()

    second = simulator_factory(state_path=path, quota=100)
    api = Api(second)

    assert api.get(f"/products/{product_id}").json()[0]["product_model"] == "Persisté"
    assert api.get(f"/sales/{sale['sale_id']}").json() == [sale]
    rows = api.get("/stock_available/product_id_size/4/0").json()
    assert rows[0]["stock_available"] == 17
    # The month's call counter persists too: 1 API call before the restart, 3 after.
    assert second.stats()["calls_this_month"] == 1 + 3
    # New ids continue after the old ones.
    assert api.post("/products/", data={"product_model": "Suite"}).json()["product_id"] == (
        product_id + 1
    )


def test_state_file_is_written_atomically_as_json(tmp_path: Path, simulator_factory) -> None:
    path = tmp_path / "state.json"
    simulator_factory(state_path=path)
    data = json.loads(path.read_text())
    assert data["format_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left


def test_unreadable_state_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{broken")
    with pytest.raises(StateFileError, match="left as it is"):
        Simulator(state_path=path)
    assert path.read_text() == "{broken"


def test_reset_returns_to_the_seed_with_counters_zero(api: Api) -> None:
    api.post("/products/", data={"product_model": "Temporaire"})
    api.sim_post("/faults", json={"error_rate": 1})
    response = api.sim_post("/reset")
    assert response.status_code == 200
    stats = api.sim_get("/stats").json()
    assert stats["calls_this_month"] == 0 and stats["by_route"] == {}
    assert stats["faults"]["error_rate"] == 0
    assert len(api.get("/products/").json()) == 7


def test_add_products_is_not_counted_and_seed_endpoint_validates(api: Api) -> None:
    created = api.sim.add_products(3)
    assert created == [8, 9, 10]
    assert api.sim.stats()["calls_this_month"] == 0
    response = api.sim_post("/seed", json={"products": 2})
    assert response.json() == {"created": 2, "product_ids": [11, 12]}
    assert api.sim_post("/seed", json={"products": -1}).status_code == 422
    assert api.sim_post("/seed", json={"products": "many"}).status_code == 422
    assert api.sim_post("/seed", json={}).status_code == 422
    product = api.get("/products/12").json()[0]
    assert product["products_ref_ext"] == "BULK-000012"
    assert [r["stock_available"] for r in product["stock_available"]] == [10, 10]


def test_stats_reports_calls_by_route(api: Api) -> None:
    api.get("/products/1")
    api.get("/products/2")
    api.get("/nope")
    stats = api.sim.stats()
    assert stats == api.sim_get("/stats").json()
    assert stats["calls_this_month"] == 3
    assert stats["by_route"] == {
        "GET /products/{product_id}": 2,
        "GET (unknown route)": 1,
    }
    assert stats["quota"] == 10_000 and stats["account"] == "demo"
