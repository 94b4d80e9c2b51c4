"""A Connect catalogue bound to a live simulator's products, with stock on both sides, for the
stock flow tests."""

from __future__ import annotations

from dataclasses import dataclass

from hiboutik.simulator import Simulator
from integrations import runner
from integrations.models import ExternalBinding, ExternalStock, FlowRun, Integration
from integrations.registry import find_type
from integrations.selectors.bindings import binding_scope
from inventory.models import Product, StockItem, Warehouse
from tests.integrations.conftest import hiboutik_integration_for

HIBOUTIK_WAREHOUSE = 1


@dataclass
class StockSetup:
    sim: Simulator
    integration: Integration
    warehouses: list[Warehouse]
    products: list[Product]
    refs: dict[int, int]  # Connect product id → Hiboutik product id

    def calls(self) -> int:
        return self.sim.stats()["calls_this_month"]

    def hiboutik_stock(self, product: Product) -> int:
        return self.sim.state.stock_of(HIBOUTIK_WAREHOUSE, self.refs[product.pk], 0)

    def available(self, product: Product) -> int:
        items = StockItem.objects.filter(product=product, warehouse__in=self.warehouses)
        return sum(item.physical - item.reserved for item in items)

    def mismatches(self) -> list[str]:
        """SKUs whose Hiboutik stock differs from Connect's available stock."""
        available: dict[int, int] = {}
        for item in StockItem.objects.filter(warehouse__in=self.warehouses):
            available[item.product_id] = (
                available.get(item.product_id, 0) + item.physical - item.reserved
            )
        return [
            product.sku
            for product in self.products
            if self.hiboutik_stock(product) != available.get(product.pk, 0)
        ]

    def run(self, flow_key: str = "stock.export") -> FlowRun:
        run = runner.run_flow(self.integration.pk, flow_key, FlowRun.Trigger.MANUAL).run
        run.refresh_from_db()
        return run

    def flow(self, flow_key: str = "stock.export"):
        """The flow as the runner would build it, to time its body alone."""
        from integrations.flows import FlowContext

        # A run with a target does not hold the flow's slot: later whole runs still start.
        run = FlowRun.objects.create(
            integration=self.integration,
            flow_key=flow_key,
            status=FlowRun.Status.RUNNING,
            target="body",
        )
        spec = find_type(self.integration.type)
        return spec.flow(flow_key)(FlowContext(run, self.integration, spec))


def stock_setup(
    sim: Simulator, count: int, *, physical: int = 10, reserved: int = 0, **stock_config
) -> StockSetup:
    """`count` Connect products bound to as many new simulator products, each with
    `physical` units (and `reserved` of them promised) in two Connect warehouses exported
    together, and Hiboutik holding exactly the available quantity: in sync, nothing dirty."""
    hiboutik_ids = sim.add_products(count)
    integration = hiboutik_integration_for(sim)
    warehouses = [
        Warehouse.objects.create(code=f"W{n}-{integration.pk}", name=f"Dépôt {n}") for n in (1, 2)
    ]
    integration.config = {
        **integration.config,
        "stock": {
            "hiboutik_warehouse_id": HIBOUTIK_WAREHOUSE,
            "connect_warehouse_ids": [w.pk for w in warehouses],
            **stock_config,
        },
    }
    integration.save(update_fields=["config"])
    products = Product.objects.bulk_create(
        [
            Product(sku=f"BULK-{hid:06d}-{integration.pk}", name=f"Article {hid}")
            for hid in hiboutik_ids
        ]
    )
    StockItem.objects.bulk_create(
        [
            StockItem(product=product, warehouse=warehouse, physical=physical, reserved=reserved)
            for product in products
            for warehouse in warehouses
        ]
    )
    scope = binding_scope(integration, "product")
    ExternalBinding.objects.bulk_create(
        [
            ExternalBinding(
                scope=scope, object_type="product", object_id=product.pk, external_id=str(hid)
            )
            for product, hid in zip(products, hiboutik_ids, strict=True)
        ]
    )
    available = 2 * (physical - reserved)
    ExternalStock.objects.bulk_create(
        [
            ExternalStock(integration=integration, product=product, believed=available, dirty=False)
            for product in products
        ]
    )
    with sim.lock:
        for hid in hiboutik_ids:
            key = (HIBOUTIK_WAREHOUSE, hid, 0)
            sim.state.stock[key] = available
    return StockSetup(
        sim,
        integration,
        warehouses,
        products,
        dict(zip([p.pk for p in products], hiboutik_ids, strict=True)),
    )
