"""The ``sale`` webhook: its payload (hiboutik-api.md §11.3) and its delivery, synchronous
by default (Hiboutik waits and shows the receiver's ``alerte`` to the cashier)."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

import requests

from hiboutik.simulator.clock import local_now, stamp, using
from hiboutik.simulator.state import State
from hiboutik.simulator.webhook_form import encode

if TYPE_CHECKING:
    from hiboutik.simulator.simulator import Simulator

# The version Hiboutik reported in the 2025 capture (WB).
HIBOUTIK_VERSION = "19.0.2"
# What a real receiver sees (wibbo's hiboutik_webhook_validator.dart checks it).
USER_AGENT = "HiboutikCallBack"
LOST = "lost: never sent (/_sim/faults)"


def sale_payload(state: State, sale: dict[str, Any], account: str) -> dict[str, Any]:
    """The sale object plus the legacy callback keys and the webhook-only extras."""
    store = state.tables["stores"][sale["store_id"]]
    nth = sum(
        1
        for other in state.tables["sales"].values()
        if other["store_id"] == sale["store_id"] and other["sale_id"] <= sale["sale_id"]
    )
    # Legacy callback keys first, interleaved as in the captured bodies (§11.3).
    payload: dict[str, Any] = {
        "order_id": sale["sale_id"],
        "sale_id": sale["sale_id"],
        "unique_order_id": sale["unique_sale_id"],
        "shop_id": sale["store_id"],
        "store_id": sale["store_id"],
        "vendor_id": sale["vendor_id"],
        "user_id": sale["vendor_id"],
        "customer_id": sale["customer_id"],
        "date_time": sale["completed_at"],
    }
    payload.update(sale)
    # The webhook's lines carry the stock left in every warehouse (WB, 2025), products without
    # stock management included; GET /sales/{id} does not (a 2021 capture).
    payload["line_items"] = [
        {**line, "stock_available": line_stock(state, line)} for line in sale["line_items"]
    ]
    payload.update(
        {
            "sale_key": hashlib.sha256(f"{account}:{sale['sale_id']}".encode()).hexdigest()[:32],
            "nth_closed_store": nth,
            "account_status": 0,
            "eu_vat_code": "",
            "store_address": dict(store["store_address"]),
            "sale_conditions": "",
            "payment_ext": "",
            "logo_account": "",
            "hiboutik_version": HIBOUTIK_VERSION,
            "sale_language": "fr",
            "current_date": stamp(local_now(store["store_time_zone"]))[:10],
        }
    )
    return payload


def line_stock(state: State, line: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "warehouse_id": warehouse_id,
            "stock_available": state.stock_of(
                warehouse_id, line["product_id"], line["product_size"]
            ),
            "inventory_alert": 0,
        }
        for warehouse_id in sorted(state.tables["warehouses"])
    ]


def sale_webhooks(state: State) -> list[dict[str, Any]]:
    return [w for w in state.rows("webhooks") if w["webhook_action"] == "sale"]


def deliver_sale(sim: Simulator, sale_id: int) -> list[dict[str, Any]]:
    """POST the sale to every ``sale`` webhook. Call without the lock held: a receiver may
    call the API back (e.g. ``GET /sales/{id}``) before answering."""
    with sim.lock:
        sale = sim.state.tables["sales"][sale_id]
        body = encode(sale_payload(sim.state, sale, sim.config.account))
        hooks = [dict(w) for w in sale_webhooks(sim.state)]
    deliveries = []
    for hook in hooks:
        if hook["webhook_async"]:
            threading.Thread(
                target=_deliver_one, args=(sim, hook, sale_id, body), daemon=True
            ).start()
        else:
            deliveries.append(_deliver_one(sim, hook, sale_id, body))
    return deliveries


def _deliver_one(sim: Simulator, hook: dict[str, Any], sale_id: int, body: bytes) -> dict[str, Any]:
    # An asynchronous delivery runs in a thread of its own: the clock is not inherited.
    with using(sim.clock):
        return _post(sim, hook, sale_id, body)


def _post(sim: Simulator, hook: dict[str, Any], sale_id: int, body: bytes) -> dict[str, Any]:
    delivery: dict[str, Any] = {
        "webhook_id": hook["webhook_id"],
        "url": hook["webhook_url"],
        "action": hook["webhook_action"],
        "sale_id": sale_id,
        "status": None,
        "alerte": None,
        "error": None,
        "at": stamp(local_now()),
    }
    if sim.webhook_lost():
        delivery["error"] = LOST
        with sim.lock:
            sim.state.record_delivery(delivery)
            sim.persist()
        return delivery
    try:
        response = requests.post(
            hook["webhook_url"],
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": USER_AGENT,
            },
            timeout=sim.config.webhook_timeout,
            allow_redirects=False,
        )
        delivery["status"] = response.status_code
        delivery["alerte"] = _alerte(response)
    except requests.RequestException as exc:
        delivery["error"] = f"{type(exc).__name__}: {exc}"
    with sim.lock:
        sim.state.record_delivery(delivery)
        sim.persist()
    return delivery


def _alerte(response: requests.Response) -> str | None:
    """The HTML message the receiver wants shown to the cashier, if it sent one."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get("alerte") if isinstance(data, dict) else None
