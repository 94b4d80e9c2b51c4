"""Errors the inventory services raise. Callers (views, flows) show them to people as they are."""

from collections.abc import Iterable

from django.utils.translation import gettext


class InventoryError(Exception):
    """Base class: a stock or catalogue operation was refused and nothing was written."""


class InvalidQuantity(InventoryError, ValueError):
    pass


class InvalidReason(InventoryError, ValueError):
    pass


class InsufficientStock(InventoryError):
    """Not enough stock for one or more products; `skus` lists them all, sorted."""

    def __init__(self, skus: Iterable[str], warehouse: object = None) -> None:
        self.skus = sorted(set(skus))
        self.warehouse = warehouse
        message = gettext("Insufficient stock for: %(skus)s") % {"skus": ", ".join(self.skus)}
        if warehouse is not None:
            message = f"{message} ({warehouse})"
        super().__init__(message)


class DuplicateSku(InventoryError):
    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__(gettext("A product with SKU %(sku)s already exists.") % {"sku": sku})


class InvalidProduct(InventoryError, ValueError):
    pass


class InvalidImage(InventoryError, ValueError):
    pass
