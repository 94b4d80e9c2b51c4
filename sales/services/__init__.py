"""Sales domain services: the only code that writes orders and what follows them.

They know nothing of any external system; integrations call them with plain data.
"""

from sales.services.customers import customer_create, customer_get_by_email, customer_update
from sales.services.invoicing import order_invoice
from sales.services.order_import import order_import_complete
from sales.services.orders import (
    GuestSpec,
    LineSpec,
    PaymentSpec,
    order_cancel,
    order_create,
    order_note_add,
    order_payment_add,
)
from sales.services.refunds import RefundLineSpec, refund_create, refundable_amount
from sales.services.return_receipt import RmaReceipt, RmaReceiptLine, rma_receive, rma_refund
from sales.services.returns import RmaLineSpec, rma_create, rma_set_status
from sales.services.shipping import order_ship

__all__ = [
    "GuestSpec",
    "LineSpec",
    "PaymentSpec",
    "RefundLineSpec",
    "RmaLineSpec",
    "RmaReceipt",
    "RmaReceiptLine",
    "customer_create",
    "customer_get_by_email",
    "customer_update",
    "order_cancel",
    "order_create",
    "order_import_complete",
    "order_invoice",
    "order_note_add",
    "order_payment_add",
    "order_ship",
    "refund_create",
    "refundable_amount",
    "rma_create",
    "rma_receive",
    "rma_refund",
    "rma_set_status",
]
