"""Contract: finding a stock order just created among the newest, in one call, against the
live simulator; and telling a refused negative line from another refusal."""

import pytest

from hiboutik.client import refuses_stock_quantity
from hiboutik.errors import HiboutikValidationError
from tests.hiboutik.test_client_contract import make_client


def test_the_newest_stock_orders_come_in_one_call(simulator):
    client = make_client(simulator)
    warehouse_id = client.list_warehouses()[0].warehouse_id
    for n in range(260):
        simulator.state.insert(
            "inventory_inputs",
            {"inventory_input_label": f"old {n}", "stock_id": warehouse_id, "validated": 0},
            "inventory_input_id",
        )
    wanted = client.create_inventory_input(warehouse_id, label="Connect stock.export abc")
    before = simulator.stats()["calls_this_month"]
    recent = client.recent_inventory_inputs()
    assert simulator.stats()["calls_this_month"] - before == 1
    assert len(recent) == 250
    assert (recent[0].inventory_input_id, recent[0].label) == (wanted, "Connect stock.export abc")
    assert not recent[0].validated


def test_an_account_without_stock_orders_answers_an_empty_list(simulator):
    assert make_client(simulator).recent_inventory_inputs() == []


def test_a_refused_negative_line_names_its_quantity(simulator_factory):
    sim = simulator_factory(seed="demo", negative_inventory="refused")
    client = make_client(sim)
    warehouse_id = client.list_warehouses()[0].warehouse_id
    product_id = sim.add_products(1)[0]
    input_id = client.create_inventory_input(warehouse_id, label="x")
    with pytest.raises(HiboutikValidationError) as refused:
        client.add_inventory_input_detail(input_id, product_id=product_id, quantity=-1)
    assert refuses_stock_quantity(refused.value)
    with pytest.raises(HiboutikValidationError) as unknown:
        client.add_inventory_input_detail(input_id, product_id=product_id, quantity=1, size_id=3)
    assert not refuses_stock_quantity(unknown.value)
