"""Presentation helpers for sales pages."""

from django import template

from sales.models import OrderStatus, RmaStatus

register = template.Library()

# Badge colour per status: blue waits for someone, amber is under way, green is done.
STATUS_CLASSES = {
    OrderStatus.NEW: "info",
    OrderStatus.PROCESSING: "warning",
    OrderStatus.COMPLETE: "success",
    OrderStatus.CANCELED: "danger",
    OrderStatus.CLOSED: "",
    RmaStatus.DRAFT: "",
    RmaStatus.AUTHORIZED: "info",
    RmaStatus.RECEIVED: "warning",
}


@register.filter
def status_class(status: str) -> str:
    """CSS modifier of the badge for an order or RMA status ("" for the neutral grey)."""
    return STATUS_CLASSES.get(status, "")


@register.filter
def order_status_label(status: str) -> str:
    """The translated label of an order status code, the code itself when unknown."""
    try:
        return OrderStatus(status).label
    except ValueError:
        return status
