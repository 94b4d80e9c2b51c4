"""`python manage.py demo [--simulator-url URL] [--base-url URL]`: load the demo data and set up
the `hiboutik-demo` integration against the Hiboutik simulator.

Safe to run again: only what is missing is created, and the integration is updated in place.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from connect.demo.integration import DEMO_NAME, configure_demo_integration
from connect.demo.loader import load_demo

SINGULAR = {
    "warehouses": "warehouse",
    "stores": "store",
    "products": "product",
    "customers": "customer",
    "orders": "order",
    "returns": "return",
}


class Command(BaseCommand):
    help = (
        "Load demo data: 2 stores, 2 warehouses, ~50 products with images and stock, "
        "customers, payment and shipping methods, orders in every state and a return; and the "
        f"{DEMO_NAME} integration against the Hiboutik simulator, every setting filled, the "
        "recommended schedules on and its sale webhook registered by the worker. Re-running "
        "adds nothing twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--simulator-url",
            default=settings.HIBOUTIK_SIMULATOR_URL,
            help="the simulator's API root (default: %(default)s)",
        )
        parser.add_argument(
            "--base-url",
            default=settings.PUBLIC_BASE_URL,
            help="Connect's address, for the webhook the simulator calls (default: %(default)s)",
        )

    def handle(self, *args, simulator_url: str, base_url: str, **options) -> None:
        counts = load_demo()
        summary = ", ".join(
            f"{count} {name if count != 1 else SINGULAR.get(name, name)}"
            for name, count in counts.items()
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        if not simulator_url.startswith(("http://", "https://")):
            self.stderr.write(f"--simulator-url must be an http(s) URL, got {simulator_url!r}")
            raise SystemExit(2)
        integration = configure_demo_integration(simulator_url=simulator_url, base_url=base_url)
        self.stdout.write(
            self.style.SUCCESS(
                f"Integration {integration.name} ready against {simulator_url}; its sale "
                f"webhook to {base_url} is registered by the worker."
            )
        )
