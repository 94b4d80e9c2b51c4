"""`python manage.py demo`: load demo data (stores, warehouses, products, customers, orders).

Safe to run again: only what is missing is created.
"""

from django.core.management.base import BaseCommand

from connect.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load demo data: 2 stores, 2 warehouses, ~50 products with images and stock, "
        "customers, payment and shipping methods, orders in every state and a return. "
        "Re-running adds nothing twice."
    )

    def handle(self, *args, **options) -> None:
        counts = load_demo()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
