"""Errors the sales services raise. Each one means nothing was written."""

from decimal import Decimal

from django.utils.translation import gettext

from inventory.exceptions import InsufficientStock

__all__ = [
    "DuplicateOrder",
    "InsufficientStock",
    "InvalidCustomer",
    "InvalidOrder",
    "InvalidStatusTransition",
    "NothingToInvoice",
    "NothingToShip",
    "OrderNotCancelable",
    "RefundExceedsRemaining",
    "ReturnExceedsShipped",
    "SalesError",
]


class SalesError(Exception):
    """Base class: a sales operation was refused and nothing was written."""


class InvalidOrder(SalesError, ValueError):
    pass


class InvalidCustomer(SalesError, ValueError):
    pass


class DuplicateOrder(SalesError):
    def __init__(self, order: object) -> None:
        self.order = order
        super().__init__(
            gettext("Order %(number)s already has this external reference.")
            % {"number": getattr(order, "number", order)}
        )


class InvalidStatusTransition(SalesError):
    def __init__(self, subject: object, old: str, new: str) -> None:
        self.subject, self.old, self.new = subject, old, new
        super().__init__(
            gettext("%(subject)s cannot go from status “%(old)s” to “%(new)s”.")
            % {"subject": subject, "old": old, "new": new}
        )


class NothingToInvoice(SalesError):
    pass


class NothingToShip(SalesError):
    pass


class OrderNotCancelable(SalesError):
    pass


class ReturnExceedsShipped(SalesError):
    pass


class RefundExceedsRemaining(SalesError):
    def __init__(self, amount: Decimal, remaining: Decimal) -> None:
        self.amount, self.remaining = amount, remaining
        super().__init__(
            gettext("Cannot refund %(amount)s: only %(remaining)s remains refundable.")
            % {"amount": amount, "remaining": remaining}
        )
