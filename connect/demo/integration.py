"""The demo's Hiboutik integration, `hiboutik-demo`, against the simulator's demo account.

Created with every setting filled in and the recommended schedules on, so `make run` shows a
working integration: its sale webhook is registered on the simulator by a task (the simulator
starts with the worker, after this runs), and tasks match the simulator's catalogue with
Connect's and export Connect's products and customers to it, one after the other, so the
simulated till sells Connect's SKUs. Running it again updates the same integration; the
catalogue tasks then find everything bound and make no call.
"""

from django.conf import settings
from django.db import transaction

from integrations.models import Integration
from integrations.services.integrations import integration_create, integration_update
from integrations.services.schedules import schedules_apply_recommended, schedules_ensure
from sales.models import CustomerGroup, PaymentMethod, ShippingMethod, Store

DEMO_NAME = "hiboutik-demo"
DEMO_ACCOUNT = "demo"
DEMO_USER = "demo@connect.test"
DEMO_API_KEY = "DEMOKEY"
# Simulator products (its demo seed) sold under another reference in Connect's catalogue.
DEMO_SKU_MAPPING = "TOTE-BAG:ACC-TOTE-BAG\nLIVRE-RECETTES:LIB-CUISINE-BISTROT\n"
# Run once, in this order, when the demo is set up: what is in the simulator already is bound
# before the exports create the rest.
CATALOGUE_SYNC = ("catalogue.match", "products.export", "customers.export")


def demo_integration() -> Integration:
    """The demo integration, created with its credentials when missing (the demo's POS sales
    are imported from it)."""
    existing = Integration.objects.filter(name=DEMO_NAME).first()
    if existing is not None:
        return existing
    return integration_create(
        type="hiboutik",
        name=DEMO_NAME,
        config={
            "general": {
                "account": DEMO_ACCOUNT,
                "user": DEMO_USER,
                "api_url": settings.HIBOUTIK_SIMULATOR_URL,
            }
        },
        secrets={"api_key": DEMO_API_KEY},
    )


def demo_config(simulator_url: str) -> dict:
    store = Store.objects.get(code="PARIS-MARAIS")
    payments = dict(PaymentMethod.objects.values_list("code", "pk"))
    return {
        "general": {
            "account": DEMO_ACCOUNT,
            "user": DEMO_USER,
            "api_url": simulator_url,
            "max_concurrency": 4,
            "monthly_quota": 10_000,
        },
        "order_import": {
            "connect_store_id": store.pk,
            "hiboutik_store_id": 1,  # Boutique Paris in the simulator's demo seed
            "force_stock": False,
            "import_from": None,
            "shipping_method_id": ShippingMethod.objects.get(code="pickup").pk,
            "payment_methods": {
                "ESP": payments["cash"],
                "CB": payments["card"],
                "CHE": payments["cheque"],
                # A replacement paid with the credit note an exchange gave.
                "AVOIR": payments["credit_note"],
            },
            "sku_mapping": DEMO_SKU_MAPPING,
            "reconciliation_minutes": 60,
            "time_zone": "Europe/Paris",
        },
        "guest": {
            "email": "comptoir@connect.test",
            "customer_group_id": CustomerGroup.objects.get(code="general").pk,
            "country": "FR",
            "region": "Île-de-France",
        },
        "products": {
            "default_tax_rate": "20",
            "prices_include_tax": True,
            "disable_stock_management": False,
            "exclude_disabled_products": True,
        },
        "stock": {
            "connect_warehouse_ids": [store.default_warehouse_id],
            "hiboutik_warehouse_id": 1,
        },
        "exchanges": {"enabled": True, "back_to_stock": True, "refund": True},
    }


def configure_demo_integration(*, simulator_url: str, base_url: str) -> Integration:
    """Fill every setting, switch the recommended schedules on, and have tasks register the
    webhook pointing at `base_url` and sync the catalogue (once this transaction commits)."""
    from celery import chain

    from integrations.tasks import register_webhook, run_flow

    with transaction.atomic():
        integration = integration_update(
            demo_integration(),
            config=demo_config(simulator_url.rstrip("/")),
            secrets={"api_key": DEMO_API_KEY},
            enabled=True,
        )
        schedules_ensure(integration)
        schedules_apply_recommended(integration, enabled=True)
        transaction.on_commit(
            lambda: register_webhook.apply_async(
                kwargs={"integration_id": integration.pk, "base_url": base_url.rstrip("/")}
            )
        )
        sync = chain(
            run_flow.si(integration_id=integration.pk, flow_key=flow_key, trigger="manual")
            for flow_key in CATALOGUE_SYNC
        )
        transaction.on_commit(sync.apply_async)
    return integration
