"""The `shop` fixture of the sales flows: a Connect shop wired to the simulator's demo
account, as a merchant would set it up for the order import: a store, its warehouse with
stock, payment and shipping methods, the guest account, and the demo catalogue bound (or
mapped) to Connect products."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from hiboutik.simulator import Simulator
from hiboutik.simulator.webhook_form import encode
from hiboutik.simulator.webhooks import sale_payload
from integrations import runner
from integrations.models import FlowRun, Integration
from integrations.selectors.bindings import binding_scope
from integrations.services.bindings import binding_bind
from integrations.services.integrations import integration_create, webhook_url
from inventory.models import Product, Warehouse
from sales.models import CustomerGroup, PaymentMethod, ShippingMethod, Store
from tests.factories import make_product, make_store, make_warehouse, set_stock

FORM = "application/x-www-form-urlencoded"
STOCK = 10


@dataclass
class Shop:
    sim: Simulator
    integration: Integration
    store: Store
    warehouse: Warehouse
    products: dict[str, Product]
    methods: dict[str, PaymentMethod]

    def ring_up(self, **body) -> dict:
        """A sale closed at the simulated till (its webhook goes to whoever registered one)."""
        response = requests.post(f"{self.sim.root_url}/_sim/sales", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def sim_post(self, path: str, **body) -> dict:
        response = requests.post(f"{self.sim.root_url}/_sim/{path}", json=body, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def webhook_body(self, sale_id: int) -> bytes:
        """The exact body the simulator POSTs for `sale_id` as it stands now."""
        with self.sim.lock:
            sale = self.sim.state.tables["sales"][sale_id]
            return encode(sale_payload(self.sim.state, sale, self.sim.config.account))

    def deliver(self, client, sale_id: int):
        """Hiboutik's `sale` webhook for `sale_id`, posted to the integration's secret URL."""
        path = urlsplit(webhook_url(self.integration)).path
        response = client.post(path, self.webhook_body(sale_id), content_type=FORM)
        assert response.status_code == 200, response.content
        return response

    def run(self, flow_key: str = "orders.import") -> FlowRun:
        outcome = runner.run_flow(self.integration.pk, flow_key, FlowRun.Trigger.MANUAL)
        return outcome.run

    def calls(self) -> int:
        return self.sim.stats()["calls_this_month"]

    def configure(self, section: str, **values) -> None:
        config = dict(self.integration.config)
        config[section] = {**config.get(section, {}), **values}
        Integration.objects.filter(pk=self.integration.pk).update(config=config)
        self.integration.refresh_from_db()


def shop_config(sim: Simulator, store: Store, methods, group) -> dict:
    return {
        "general": {"account": "demo", "user": "demo@connect.test", "api_url": sim.base_url},
        "order_import": {
            "connect_store_id": store.pk,
            "hiboutik_store_id": 1,
            "shipping_method_id": ShippingMethod.objects.get_or_create(
                code="pickup", defaults={"name": "Retrait en magasin"}
            )[0].pk,
            "payment_methods": {code: method.pk for code, method in methods.items()},
            "sku_mapping": "TOTE-BAG:ACC-TOTE-BAG\n",
            "time_zone": "Europe/Paris",
        },
        "guest": {
            "email": "comptoir@connect.test",
            "customer_group_id": group.pk,
            "country": "FR",
            "region": "Île-de-France",
        },
        "stock": {"hiboutik_warehouse_id": 1},
        "exchanges": {"enabled": True, "back_to_stock": True, "refund": True},
    }


def make_shop(sim: Simulator, *, first_run: bool = True, **order_import) -> Shop:
    warehouse = make_warehouse()
    store = make_store(warehouse=warehouse)
    methods = {
        code: PaymentMethod.objects.get_or_create(code=name, defaults={"name": name})[0]
        for code, name in (
            ("ESP", "cash"),
            ("CB", "card"),
            ("CHE", "cheque"),
            ("AVOIR", "credit_note"),  # a sale paid by a credit note from an exchange
        )
    }
    group = CustomerGroup.objects.get_or_create(code="general", defaults={"name": "Général"})[0]
    config = shop_config(sim, store, methods, group)
    config["order_import"].update(order_import)
    integration = integration_create(
        type="hiboutik",
        name=f"hiboutik-{store.code}",
        config=config,
        secrets={"api_key": "DEMOKEY"},
    )
    products = {
        sku: make_product(sku, price=price)
        for sku, price in (
            ("TSHIRT-BIO", "25.00"),
            ("CHEMISE-LIN", "59.90"),
            ("BASKETS-39", "79.00"),
            ("BASKETS-40", "79.00"),
            ("CASQUETTE", "19.50"),
            ("ACC-TOTE-BAG", "12.00"),
            ("LIVRE-RECETTES", "24.00"),
        )
    }
    for product in products.values():
        set_stock(product, warehouse, STOCK)
    scope = binding_scope(integration, "product")
    # The T-shirt and the shirt are one Connect product for every size; the sneakers one per
    # size (sizes 5 and 6 are 39 and 40); the tote bag is mapped by reference, the book found
    # by SKU; the gift card (7) is not in Connect.
    for sku, ref in (
        ("TSHIRT-BIO", "1"),
        ("CHEMISE-LIN", "2"),
        ("BASKETS-39", "3:5"),
        ("BASKETS-40", "3:6"),
        ("CASQUETTE", "4"),
    ):
        binding_bind(
            scope=scope, object_type="product", object_id=products[sku].pk, external_id=ref
        )
    shop = Shop(sim, integration, store, warehouse, products, methods)
    # The first run reconciles at once (one closed-sales read of today, empty): the tests'
    # runs then find it done for the hour, as every run but one an hour does.
    if first_run:
        assert shop.run().api_calls == 1
    return shop


@pytest.fixture
def shop(simulator) -> Shop:
    return make_shop(simulator)
