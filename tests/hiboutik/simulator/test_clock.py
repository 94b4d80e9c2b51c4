"""The simulated clock: sales, fiscal days, the quota month and webhook stamps follow it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hiboutik.simulator import Simulator
from hiboutik.simulator.clock import Clock, local_now, using
from tests.hiboutik.simulator.conftest import Api, register_sale_webhook


def set_clock(api: Api, **body) -> dict:
    response = api.sim_post("/clock", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_frozen_clock_stays_where_it_was_set() -> None:
    clock = Clock()
    moment = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    clock.set(moment)
    time.sleep(0.01)
    assert clock.now() == moment
    with using(clock):
        assert local_now("Europe/Paris") == datetime(2027, 6, 1, 9, 0)
    assert local_now("Europe/Paris") != datetime(2027, 6, 1, 9, 0)  # outside: the real clock


def test_a_running_clock_moves_on_from_where_it_was_set() -> None:
    clock = Clock()
    moment = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    clock.set(moment, frozen=False)
    time.sleep(0.02)
    assert clock.now() > moment
    clock.set(None)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_sales_and_webhooks_are_stamped_on_the_simulated_clock(api: Api, receiver) -> None:
    register_sale_webhook(api, receiver.url)
    answer = set_clock(api, now="2027-06-01T22:30:00+00:00")
    assert answer == {"now": "2027-06-01T22:30:00+00:00", "simulated": True, "frozen": True}

    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])

    # 00:30 in Paris the next day: the sale's stamps and its fiscal day follow Paris time.
    assert sale["completed_at"] == "2027-06-02 00:30:00"
    assert sale["date_z"] == 20270602
    assert receiver.forms()[-1]["current_date"] == "2027-06-02"
    listed = api.get("/closed_sales/1/2027/06/02").json()
    assert [row["sale_id"] for row in listed] == [sale["sale_id"]]
    assert api.sim_get("/stats").json()["webhook_deliveries"][-1]["at"] == "2027-06-02 00:30:00"


def test_the_quota_month_turns_over_with_the_simulated_clock(api: Api) -> None:
    set_clock(api, now="2027-06-30T21:00:00+00:00")  # 23:00 in Paris, still June
    api.get("/stores/")
    api.get("/stores/")
    stats = api.sim_get("/stats").json()
    assert (stats["month"], stats["calls_this_month"]) == ("2027-06", 2)

    set_clock(api, now="2027-06-30T22:00:00+00:00")  # midnight in Paris: July
    api.get("/stores/")
    stats = api.sim_get("/stats").json()
    assert (stats["month"], stats["calls_this_month"]) == ("2027-07", 1)


def test_each_simulator_keeps_its_own_clock(api: Api) -> None:
    set_clock(api, now="2027-01-15T12:00:00+01:00")
    with Simulator(port=0) as other:
        assert other.stats()["clock"]["simulated"] is False
        assert other.stats()["month"] != "2027-01"
    assert api.sim_get("/clock").json()["now"] == "2027-01-15T11:00:00+00:00"


def test_back_to_the_real_clock_and_bad_values(api: Api) -> None:
    set_clock(api, now="2027-01-15T12:00:00+01:00", frozen=False)
    assert api.sim_get("/clock").json()["frozen"] is False
    assert set_clock(api, now=None)["simulated"] is False
    for body in (
        {},
        {"now": "tomorrow"},
        {"now": "2027-01-15T12:00:00"},
        {"now": "2027-01-15T12:00:00Z", "frozen": 2},
        {"now": None, "pace": 2},
    ):
        response = api.sim_post("/clock", json=body)
        assert response.status_code == 422, body
        assert response.json()["details"], body
    assert api.sim_get("/clock").json()["simulated"] is False
