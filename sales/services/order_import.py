"""Importing a sale that is already complete elsewhere (e.g. a closed POS sale)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_noop

from integrations.models import Integration
from inventory.exceptions import InsufficientStock
from inventory.models import StockMovement, Warehouse
from inventory.services import StockMove, apply_moves, stock_missing_locked
from sales.exceptions import InvalidOrder
from sales.models import Customer, Order, OrderEvent, ShippingMethod, Store
from sales.services.amounts import ZERO
from sales.services.common import event_add
from sales.services.invoicing import invoice_write
from sales.services.orders import (
    GuestSpec,
    LineSpec,
    PaymentSpec,
    as_spec,
    find_by_external_reference,
    order_draft,
    order_write,
    quantities_by_product,
)
from sales.services.shipping import shipment_write


def order_import_complete(
    *,
    store: Store,
    lines: Iterable[LineSpec | Mapping],
    payments: Iterable[PaymentSpec | Mapping],
    shipping_method: ShippingMethod | None,
    integration: Integration,
    external_reference: str,
    placed_at: datetime,
    customer: Customer | None = None,
    guest: GuestSpec | Mapping | None = None,
    currency: str = "",
    warehouse: Warehouse | None = None,
    force_stock: bool = False,
    shipping_amount: Decimal | str = ZERO,
    user: object = None,
) -> Order:
    """Create, ship and invoice an order in ONE transaction, without notifying the customer.

    Stock is taken from `warehouse` (the store's default unless given). When some products
    lack physical stock: with `force_stock` the missing quantity is first added by a "forced
    for import" movement; otherwise `InsufficientStock` lists every short SKU and nothing is
    written. An (integration, external_reference) already imported returns that order
    unchanged; the database's unique constraint backs this up when two imports race.
    """
    external_reference = external_reference.strip()
    if integration is None or not external_reference:
        raise InvalidOrder(gettext("An imported order needs its integration and reference."))
    existing = find_by_external_reference(integration, external_reference)
    if existing is not None:
        return existing
    specs = [as_spec(LineSpec, line) for line in lines]
    if not specs:
        raise InvalidOrder(gettext("An order needs at least one line."))
    try:
        with transaction.atomic():
            # Checked and priced first (the SKUs looked up once); nothing is written before
            # the stock rows are locked.
            draft = order_draft(
                store=store,
                lines=specs,
                payments=payments,
                customer=customer,
                guest=guest,
                shipping_method=shipping_method,
                shipping_amount=shipping_amount,
                currency=currency,
                warehouse=warehouse,
                placed_at=placed_at,
                integration=integration,
                external_reference=external_reference,
                notify_customer=False,
            )
            warehouse = draft.warehouse
            wanted = quantities_by_product(draft.lines)
            # Stock rows are locked before the first document number is taken: every order
            # service locks the order, then stock rows, then number counters. Counted under
            # that lock, the shortfall stays true until commit, so the forced top-up always
            # covers the sale.
            missing, locked_items = stock_missing_locked(warehouse=warehouse, quantities=wanted)
            if missing and not force_stock:
                raise InsufficientStock([product.sku for product in missing], warehouse)
            # No order of this reference was found above; one committed since then makes the
            # INSERT fail on the unique constraint (handled below).
            order = order_write(draft=draft, stock_reserved=False, user=user)
            if missing:
                # Whole quantities above 0, on rows locked above: no savepoint, no check more.
                apply_moves(
                    [StockMove(product, warehouse, qty) for product, qty in missing.items()],
                    {(p.pk, warehouse.pk): locked_items[p.pk, warehouse.pk] for p in missing},
                    reason=StockMovement.Reason.FORCED_IMPORT,
                    reference=order,
                    reference_label="",
                    user=user,
                    note=gettext("Stock forced to import %(source)s sale %(reference)s.")
                    % {"source": integration.name, "reference": external_reference},
                    allow_negative=False,
                )
                event_add(
                    order=order,
                    kind=OrderEvent.Kind.STOCK_FORCED,
                    message=gettext_noop("Missing stock added to import the order: %(skus)s."),
                    params={"skus": ", ".join(f"{p.sku} +{q}" for p, q in missing.items())},
                    user=user,
                    data={"forced": {product.sku: qty for product, qty in missing.items()}},
                )
            # The order is this transaction's own, unseen by others until commit: it needs no
            # lock, and its lines are the ones in memory (with their ids).
            order_lines = draft.lines
            shipment_write(
                order=order,
                lines=order_lines,
                picked=[(line, line.quantity) for line in order_lines],
                warehouse=warehouse,
                locked_items=locked_items,
                user=user,
            )
            # Invoiced last: the invoice number's counter is gapless, so its row stays locked
            # until commit; taken last, it is held for a few statements, not the whole import.
            invoice_write(order=order, lines=order_lines, invoiced_before={}, first=True, user=user)
    except IntegrityError:
        # A concurrent import of the same sale committed first: return its order.
        existing = find_by_external_reference(integration, external_reference)
        if existing is not None:
            return existing
        raise
    return order
