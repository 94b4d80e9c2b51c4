"""The gate every /api call passes: authentication and rights, the monthly quota, the
concurrency cap and injected faults; /_sim calls are never counted."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from tests.hiboutik.simulator.conftest import READONLY_AUTH, Api


def test_missing_or_wrong_credentials_get_401_with_code_1(api: Api) -> None:
    for auth in (None, ("demo@connect.test", "WRONGKEY"), ("other@connect.test", "DEMOKEY")):
        response = requests.get(f"{api.sim.base_url}/products/", auth=auth, timeout=5)
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == 1
        assert set(body) == {"error", "code", "error_description", "details"}


def test_bearer_token_only_when_configured(simulator_factory) -> None:
    sim = simulator_factory(oauth_token="TOKEN123")
    ok = requests.get(
        f"{sim.base_url}/taxes", headers={"Authorization": "Bearer TOKEN123"}, timeout=5
    )
    bad = requests.get(f"{sim.base_url}/taxes", headers={"Authorization": "Bearer NOPE"}, timeout=5)
    assert ok.status_code == 200
    assert bad.status_code == 401 and bad.json()["code"] == 1


def test_readonly_user_reads_but_gets_403_on_writes_and_webhooks(api: Api) -> None:
    readonly = Api(api.sim, READONLY_AUTH)
    assert readonly.get("/products/1").status_code == 200
    write = readonly.post("/products/", data={"product_model": "X"})
    assert write.status_code == 403
    assert write.json()["error_description"]
    assert readonly.get("/webhooks").status_code == 403
    assert (
        readonly.put(
            "/customer/1", data={"customers_attribute": "email", "new_value": "a@b.cd"}
        ).status_code
        == 403
    )
    # Nothing was created by the refused call.
    assert api.get("/products/search/?product_model=X").json() == []


def test_unknown_routes_get_404_and_trailing_slashes_are_optional(api: Api) -> None:
    assert api.get("/taxes").json() == api.get("/taxes/").json()
    response = api.get("/no_such_route/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert api.delete("/taxes").status_code == 404
    assert requests.get(f"{api.sim.root_url}/elsewhere", timeout=5).status_code == 404


def test_accept_header_refusing_json_gets_406(api: Api) -> None:
    assert api.get("/taxes", headers={"Accept": "text/html"}).status_code == 406
    assert api.get("/taxes", headers={"Accept": "application/json"}).status_code == 200


def test_malformed_bodies_get_422(api: Api) -> None:
    response = api.post(
        "/products/", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["error_description"]
    xml = api.post("/products/", data=b"<p/>", headers={"Content-Type": "application/xml"})
    assert xml.status_code == 422


NEUTRAL_429 = {
    "error": "too_many_requests",
    "code": 7,
    "error_description": "Too Many Requests",
    "details": {},
}


def test_quota_the_call_after_the_last_gets_a_neutral_429(simulator_factory) -> None:
    sim = simulator_factory(quota=50)
    api = Api(sim)
    statuses = [api.get("/taxes").status_code for _ in range(50)]
    assert statuses == [200] * 50

    refused = api.get("/taxes")

    assert refused.status_code == 429
    # The same body as the concurrency 429: no real 429 body is known.
    assert refused.json() == NEUTRAL_429
    assert "Retry-After" not in refused.headers
    assert api.get("/products/1").status_code == 429  # stays locked out
    stats = api.sim_get("/stats").json()
    assert stats["calls_this_month"] == 52
    assert stats["by_route"] == {"GET /taxes": 51, "GET /products/{product_id}": 1}


def test_control_endpoints_are_not_counted(simulator_factory) -> None:
    sim = simulator_factory(quota=1)
    api = Api(sim)
    for _ in range(5):
        assert api.sim_get("/stats").status_code == 200
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert api.get("/taxes").status_code == 200
    assert api.sim_get("/stats").json()["calls_this_month"] == 1


def test_more_than_max_concurrent_calls_get_429_too_many_concurrent(simulator_factory) -> None:
    # Long enough for all 40 to overlap, even when a busy machine starts some threads late.
    sim = simulator_factory(latency_ms=3000)
    results: list[requests.Response] = []
    lock = threading.Lock()
    barrier = threading.Barrier(40)

    def call() -> None:
        barrier.wait()
        response = requests.get(
            f"{sim.base_url}/taxes", auth=("demo@connect.test", "DEMOKEY"), timeout=15
        )
        with lock:
            results.append(response)

    threads = [threading.Thread(target=call) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [r for r in results if r.status_code == 429]
    served = [r for r in results if r.status_code == 200]
    assert len(served) + len(refused) == 40
    # A thread that starts after a served call ended may take its slot: what must hold is that
    # 30 were served at once, never more, and the calls beyond them were refused.
    assert len(refused) >= 1
    for response in refused:
        assert response.json() == NEUTRAL_429
    assert sim.stats()["max_in_flight"] == 30


def test_the_quota_429_says_what_quota_message_says(simulator_factory) -> None:
    api = Api(simulator_factory(quota=0, quota_message="Quota mensuel atteint"))
    refused = api.get("/taxes")
    assert refused.status_code == 429
    assert refused.json() == {**NEUTRAL_429, "error_description": "Quota mensuel atteint"}


def test_error_rate_answers_the_status_with_retry_after(api: Api) -> None:
    set_faults = api.sim_post("/faults", json={"error_rate": 1, "status": 503, "retry_after": 7})
    assert set_faults.json()["error_rate"] == 1.0

    response = api.get("/taxes")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert set(response.json()) == {"error", "code", "error_description", "details"}
    api.sim_post("/faults", json={"status": 500, "retry_after": None})
    response = api.get("/taxes")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_reset_rate_resets_the_connection_without_an_answer(api: Api) -> None:
    api.sim_post("/faults", json={"reset_rate": 1})
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(f"{api.sim.base_url}/taxes", auth=api.session.auth, timeout=5)
    assert "reset" in str(caught.value).lower() or "aborted" in str(caught.value).lower()
    api.sim_post("/faults", json={"reset_rate": 0})
    assert api.get("/taxes").status_code == 200


def test_slow_rate_outlasts_a_read_timeout(api: Api) -> None:
    api.sim_post("/faults", json={"slow_rate": 1, "slow_ms": 600})
    with pytest.raises(requests.ReadTimeout):
        api.get("/taxes", timeout=(2, 0.2))
    api.sim_post("/faults", json={"slow_rate": 0})
    assert api.get("/taxes", timeout=(2, 5)).status_code == 200


def test_latency_applies_to_api_calls(api: Api) -> None:
    api.sim_post("/faults", json={"latency_ms": 150})
    started = time.monotonic()
    api.get("/taxes")
    assert time.monotonic() - started >= 0.15


def test_bad_fault_settings_are_refused_and_change_nothing(api: Api) -> None:
    before = api.sim_get("/faults").json()
    response = api.sim_post("/faults", json={"error_rate": 2, "status": 404, "nonsense": 1})
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"error_rate", "status", "nonsense"}
    assert api.sim_get("/faults").json() == before


def test_keep_alive_connections_send_without_nagle_delay(api: Api) -> None:
    """Headers and body go out in separate writes; without TCP_NODELAY each call on a
    kept-alive connection would wait ~40 ms for a delayed ACK. Checked on the socket itself,
    not with a clock, so a loaded machine cannot make it fail."""
    assert api.get("/taxes").status_code == 200  # the session keeps this connection open
    connections = list(api.sim._server._connections)
    assert connections, "the kept-alive connection should still be open"
    for sock in connections:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
