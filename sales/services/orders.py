"""Creating and cancelling orders, recording payments and notes."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from integrations.models import Integration
from inventory.models import Product, Warehouse
from inventory.services import stock_release_many, stock_reserve_many
from sales.exceptions import DuplicateOrder, InvalidOrder, OrderNotCancelable
from sales.models import (
    Customer,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    OrderStatus,
    PaymentMethod,
    ShippingMethod,
    Store,
)
from sales.services.amounts import (
    ZERO,
    LineAmounts,
    excl_tax,
    line_amounts,
    money,
    to_decimal,
)
from sales.services.common import OPEN_STATUSES, event_add, lock_order, status_set
from sales.services.numbers import next_number

DEFAULT_SHIPPING_TAX_RATE = Decimal("20")


@dataclass(frozen=True)
class LineSpec:
    """One line to order. `product` or `sku` names the product; prices default to the
    catalogue's. `discount_amount` is tax included, for the whole row. A source system that
    states the row's totals (a till rounds each unit's net before multiplying) gives them in
    `row_total` (excluding tax) and `row_total_incl_tax`, so the order adds up to its figures
    to the cent; the row's tax is their difference."""

    quantity: int
    product: Product | None = None
    sku: str = ""
    name: str = ""
    unit_price: Decimal | None = None
    unit_price_incl_tax: Decimal | None = None
    tax_rate: Decimal | None = None
    discount_amount: Decimal = ZERO
    external_reference: str = ""
    row_total: Decimal | None = None
    row_total_incl_tax: Decimal | None = None


@dataclass(frozen=True)
class PaymentSpec:
    method: PaymentMethod
    amount: Decimal
    external_reference: str = ""


@dataclass(frozen=True)
class GuestSpec:
    """Who placed an order without a customer account (e.g. an anonymous POS sale)."""

    email: str = ""
    name: str = ""


def as_spec(spec_class: type, value: object) -> object:
    if isinstance(value, spec_class):
        return value
    if isinstance(value, Mapping):
        try:
            return spec_class(**value)
        except TypeError as error:
            raise InvalidOrder(str(error)) from None
    raise InvalidOrder(
        gettext("Expected %(kind)s, got %(value)r.") % {"kind": spec_class.__name__, "value": value}
    )


def _resolve_products(specs: list[LineSpec]) -> list[Product]:
    wanted = {spec.sku.strip() for spec in specs if spec.product is None}
    if "" in wanted:
        raise InvalidOrder(gettext("Every order line needs a product or a SKU."))
    found = Product.objects.in_bulk(wanted, field_name="sku") if wanted else {}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise InvalidOrder(gettext("Unknown SKU(s): %(skus)s") % {"skus": ", ".join(unknown)})
    return [spec.product or found[spec.sku.strip()] for spec in specs]


def build_lines(specs: list[LineSpec]) -> list[OrderLine]:
    lines = []
    for position, (spec, product) in enumerate(
        zip(specs, _resolve_products(specs), strict=True), start=1
    ):
        quantity = spec.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InvalidOrder(
                gettext("Quantity for %(sku)s must be a whole number above 0.")
                % {"sku": product.sku}
            )
        tax_rate = product.tax_rate if spec.tax_rate is None else spec.tax_rate
        tax_rate = to_decimal(tax_rate, gettext("Tax rate"))
        unit_price = (
            None if spec.unit_price is None else to_decimal(spec.unit_price, gettext("Price"))
        )
        unit_price_incl = (
            None
            if spec.unit_price_incl_tax is None
            else to_decimal(spec.unit_price_incl_tax, gettext("Price"))
        )
        if unit_price is None and unit_price_incl is None:
            unit_price = product.price
        amounts = line_amounts(
            quantity=quantity,
            tax_rate=tax_rate,
            unit_price=unit_price,
            unit_price_incl_tax=unit_price_incl,
            discount_amount=to_decimal(spec.discount_amount, gettext("Discount")),
        )
        amounts = _stated_totals(amounts, spec, tax_rate)
        lines.append(
            OrderLine(
                position=position,
                product=product,
                sku=product.sku,
                name=(spec.name or product.name)[:255],
                quantity=quantity,
                tax_rate=tax_rate,
                external_reference=spec.external_reference,
                unit_price=amounts.unit_price,
                unit_price_incl_tax=amounts.unit_price_incl_tax,
                discount_amount=amounts.discount_amount,
                row_total=amounts.row_total,
                tax_amount=amounts.tax_amount,
                row_total_incl_tax=amounts.row_total_incl_tax,
            )
        )
    return lines


def _stated_totals(amounts: LineAmounts, spec: LineSpec, tax_rate: Decimal) -> LineAmounts:
    """The row's totals as the source system stated them, when it did."""
    if spec.row_total is None and spec.row_total_incl_tax is None:
        return amounts
    incl = amounts.row_total_incl_tax
    if spec.row_total_incl_tax is not None:
        incl = money(to_decimal(spec.row_total_incl_tax, gettext("Row total")))
    excl = (
        excl_tax(incl, tax_rate)
        if spec.row_total is None
        else money(to_decimal(spec.row_total, gettext("Row total")))
    )
    if incl < 0 or excl < 0 or excl > incl:
        raise InvalidOrder(gettext("A row's totals cannot be negative or below their tax."))
    return replace(amounts, row_total=excl, tax_amount=incl - excl, row_total_incl_tax=incl)


def quantities_by_product(lines: Iterable[OrderLine], quantity_of=None) -> dict[Product, int]:
    totals: dict[Product, int] = defaultdict(int)
    for line in lines:
        if line.product is not None:
            totals[line.product] += quantity_of(line) if quantity_of else line.quantity
    # Product-id order: every service locks stock rows in the same order, so never deadlocks.
    return dict(sorted(totals.items(), key=lambda item: item[0].pk))


def find_by_external_reference(
    integration: Integration | None, external_reference: str
) -> Order | None:
    """The order imported from `integration` under `external_reference`, if any."""
    return Order.objects.filter(
        integration=integration, external_reference=external_reference
    ).first()


@dataclass(frozen=True)
class OrderDraft:
    """An order checked and priced, not saved yet: what `order_write` inserts."""

    store: Store
    warehouse: Warehouse
    lines: list[OrderLine]
    payments: list[tuple[PaymentSpec, Decimal]]
    customer: Customer | None
    customer_email: str
    customer_name: str
    currency: str
    shipping_method: ShippingMethod | None
    shipping_incl: Decimal
    shipping_excl: Decimal
    notify_customer: bool
    integration: Integration | None
    external_reference: str
    placed_at: datetime


def order_draft(
    *,
    store: Store,
    lines: Iterable[LineSpec | Mapping],
    payments: Iterable[PaymentSpec | Mapping] = (),
    customer: Customer | None = None,
    guest: GuestSpec | Mapping | None = None,
    shipping_method: ShippingMethod | None = None,
    shipping_amount: Decimal | str = ZERO,
    shipping_tax_rate: Decimal | str = DEFAULT_SHIPPING_TAX_RATE,
    currency: str = "",
    warehouse: Warehouse | None = None,
    placed_at: datetime | None = None,
    integration: Integration | None = None,
    external_reference: str = "",
    notify_customer: bool = True,
) -> OrderDraft:
    """Check and price an order (the arguments of `order_create`), writing nothing; raises
    `InvalidOrder`. Looks up the lines' SKUs (one query) when they name no product."""
    specs = [as_spec(LineSpec, line) for line in lines]
    if not specs:
        raise InvalidOrder(gettext("An order needs at least one line."))
    payment_specs = [as_spec(PaymentSpec, payment) for payment in payments]
    guest_spec = as_spec(GuestSpec, guest) if guest is not None else GuestSpec()
    if placed_at is None:
        placed_at = timezone.now()
    elif timezone.is_naive(placed_at):
        raise InvalidOrder(gettext("The order date must carry a time zone."))
    external_reference = external_reference.strip()
    if external_reference and integration is None:
        raise InvalidOrder(gettext("An external reference needs its integration."))
    shipping_incl = money(to_decimal(shipping_amount, gettext("Shipping amount")))
    shipping_rate = to_decimal(shipping_tax_rate, gettext("Tax rate"))
    if shipping_incl < 0:
        raise InvalidOrder(gettext("The shipping amount cannot be negative."))
    order_lines = build_lines(specs)
    amounts = []
    for payment in payment_specs:
        if not isinstance(payment.method, PaymentMethod):
            raise InvalidOrder(gettext("Every payment needs a payment method."))
        amount = money(to_decimal(payment.amount, gettext("Payment amount")))
        if amount == 0:
            raise InvalidOrder(gettext("A payment amount cannot be zero."))
        amounts.append(amount)
    if customer is not None:
        email = customer.email
        name = customer.full_name or customer.company
    else:
        email, name = guest_spec.email.strip().lower(), guest_spec.name.strip()
    return OrderDraft(
        store=store,
        warehouse=warehouse or store.default_warehouse,
        lines=order_lines,
        payments=list(zip(payment_specs, amounts, strict=True)),
        customer=customer,
        customer_email=email,
        customer_name=name[:200],
        currency=(currency or store.currency).upper(),
        shipping_method=shipping_method,
        shipping_incl=shipping_incl,
        shipping_excl=excl_tax(shipping_incl, shipping_rate),
        notify_customer=notify_customer,
        integration=integration,
        external_reference=external_reference,
        placed_at=placed_at,
    )


def order_write(*, draft: OrderDraft, stock_reserved: bool, user: object = None) -> Order:
    """Insert a drafted order, its lines, payments and creation event, in the caller's
    transaction (no savepoint of its own). The draft's lines become the saved order's lines,
    with their ids. `stock_reserved`: the caller reserved its stock in the same transaction."""
    order_lines = draft.lines
    order = Order.objects.create(
        number=next_number("order"),
        store=draft.store,
        warehouse=draft.warehouse,
        customer=draft.customer,
        customer_email=draft.customer_email,
        customer_name=draft.customer_name,
        currency=draft.currency,
        subtotal=sum((line.row_total for line in order_lines), ZERO),
        shipping_amount=draft.shipping_excl,
        tax_total=sum((line.tax_amount for line in order_lines), ZERO)
        + (draft.shipping_incl - draft.shipping_excl),
        discount_total=sum((line.discount_amount for line in order_lines), ZERO),
        grand_total=sum((line.row_total_incl_tax for line in order_lines), ZERO)
        + draft.shipping_incl,
        shipping_method=draft.shipping_method,
        notify_customer=draft.notify_customer,
        integration=draft.integration,
        external_reference=draft.external_reference,
        placed_at=draft.placed_at,
        stock_reserved=stock_reserved,
    )
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderPayment.objects.bulk_create(
        OrderPayment(
            order=order,
            method=spec.method,
            amount=amount,
            external_reference=spec.external_reference,
        )
        for spec, amount in draft.payments
    )
    event_add(
        order=order,
        kind=OrderEvent.Kind.CREATED,
        message=gettext_noop("Order created."),
        user=user,
        new_status=order.status,
        data={
            "integration": draft.integration.pk if draft.integration is not None else None,
            "external_reference": draft.external_reference,
            "notify_customer": draft.notify_customer,
        },
    )
    return order


def order_create(
    *,
    store: Store,
    lines: Iterable[LineSpec | Mapping],
    payments: Iterable[PaymentSpec | Mapping] = (),
    customer: Customer | None = None,
    guest: GuestSpec | Mapping | None = None,
    shipping_method: ShippingMethod | None = None,
    shipping_amount: Decimal | str = ZERO,
    shipping_tax_rate: Decimal | str = DEFAULT_SHIPPING_TAX_RATE,
    currency: str = "",
    warehouse: Warehouse | None = None,
    placed_at: datetime | None = None,
    integration: Integration | None = None,
    external_reference: str = "",
    reserve_stock: bool = True,
    notify_customer: bool = True,
    user: object = None,
) -> Order:
    """Create an order (status new). `shipping_amount` is tax included.

    With `reserve_stock` the ordered quantities are reserved in the order's warehouse (the
    store's default unless given) and an `InsufficientStock` listing every short SKU is raised
    when they are not available.
    """
    draft = order_draft(
        store=store,
        lines=lines,
        payments=payments,
        customer=customer,
        guest=guest,
        shipping_method=shipping_method,
        shipping_amount=shipping_amount,
        shipping_tax_rate=shipping_tax_rate,
        currency=currency,
        warehouse=warehouse,
        placed_at=placed_at,
        integration=integration,
        external_reference=external_reference,
        notify_customer=notify_customer,
    )
    with transaction.atomic():
        if draft.external_reference:
            existing = find_by_external_reference(integration, draft.external_reference)
            if existing is not None:
                raise DuplicateOrder(existing)
        if reserve_stock:
            # Reserved before the order number is taken: stock rows are locked before number
            # counters in every order service. Lists every short SKU, reserves nothing then.
            stock_reserve_many(
                warehouse=draft.warehouse, quantities=quantities_by_product(draft.lines)
            )
        # The reservation above belongs to the same transaction.
        return order_write(draft=draft, stock_reserved=reserve_stock, user=user)


def order_cancel(*, order: Order, user: object = None, reason: str = "") -> Order:
    """Cancel an order that nothing has been invoiced or shipped from; frees its reservation."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in OPEN_STATUSES:
            raise OrderNotCancelable(
                gettext("Order %(number)s is %(status)s: it cannot be canceled.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        lines = list(locked.lines.select_related("product"))
        if any(line.qty_invoiced or line.qty_shipped for line in lines):
            raise OrderNotCancelable(
                gettext(
                    "Order %(number)s is already invoiced or shipped: "
                    "create a return or a refund instead."
                )
                % {"number": locked.number}
            )
        if locked.stock_reserved:
            outstanding = quantities_by_product(lines, lambda line: line.qty_to_ship)
            stock_release_many(
                warehouse=locked.warehouse,
                quantities={
                    product: quantity for product, quantity in outstanding.items() if quantity
                },
            )
            locked.stock_reserved = False
            locked.save(update_fields=["stock_reserved", "updated_at"])
        OrderLine.objects.filter(order=locked).update(qty_canceled=F("quantity"))
        status_set(
            locked,
            OrderStatus.CANCELED,
            user=user,
            kind=OrderEvent.Kind.CANCELED,
            message=gettext_noop("Order canceled."),
            note=reason.strip(),
        )
    order.refresh_from_db()
    return order


def order_payment_add(
    *,
    order: Order,
    method: PaymentMethod,
    amount: Decimal | str,
    external_reference: str = "",
    user: object = None,
) -> OrderPayment:
    amount = money(to_decimal(amount, gettext("Payment amount")))
    if amount == 0:
        raise InvalidOrder(gettext("A payment amount cannot be zero."))
    with transaction.atomic():
        locked = lock_order(order)
        payment = OrderPayment.objects.create(
            order=locked,
            method=method,
            amount=amount,
            external_reference=external_reference,
        )
        event_add(
            order=locked,
            kind=OrderEvent.Kind.PAYMENT,
            message=gettext_noop("Payment of %(amount)s by %(method)s."),
            params={
                "amount": str(amount),
                "currency": locked.currency,
                "method": method.name,
            },
            user=user,
            data={"payment_id": payment.pk, "amount": str(amount)},
        )
    return payment


def order_note_add(*, order: Order, message: str, user: object = None) -> OrderEvent:
    """A free comment in the order's history."""
    message = message.strip()
    if not message:
        raise InvalidOrder(gettext("A note cannot be empty."))
    return event_add(order=order, kind=OrderEvent.Kind.NOTE, note=message, user=user)
