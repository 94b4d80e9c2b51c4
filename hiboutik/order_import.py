"""Importing one closed Hiboutik sale as one Connect order.

The rules (which product a line is, who the customer is, which Connect payment method a
Hiboutik payment type is) are checked before anything is written; the order is then created,
invoiced and shipped by `order_import_complete`, in the same transaction as what Hiboutik is
believed to hold (`stock_beliefs_apply_sale`) and the bindings of the order and its lines to
the sale, so a crash at any point leaves either all of it or none of it. An order is unique
per (integration, sale id) in the database: importing a sale again returns its order.

Expected problems with a sale raise `RecordError` (a code, an untranslated message and its
parameters) for the Erreurs tab; Hiboutik's own failures are left to the flow's runner.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_noop

from hiboutik.config import HiboutikConfig
from hiboutik.countries import alpha2_of
from hiboutik.mappers.orders import (
    OrderLinePlan,
    PaymentPlan,
    is_refund,
    order_line_plans,
    payment_plans,
    placed_at,
)
from hiboutik.stock_beliefs import stock_beliefs_apply_sale
from hiboutik.types import Customer as HiboutikCustomer
from hiboutik.types import Sale
from integrations.flows import RecordError
from integrations.models import ExternalBinding, Integration
from integrations.selectors.bindings import binding_scope, object_id_for
from integrations.services.bindings import (
    BindingConflict,
    NewBinding,
    binding_bind,
    bindings_add_many,
)
from inventory.exceptions import InsufficientStock
from inventory.models import Product
from sales.exceptions import InvalidCustomer, InvalidOrder
from sales.models import Customer, CustomerGroup, Order, PaymentMethod, ShippingMethod, Store
from sales.services import (
    GuestSpec,
    LineSpec,
    PaymentSpec,
    customer_create,
    customer_get_by_email,
    order_import_complete,
    order_payment_add,
)

MESSAGES = {
    "negative_order": gettext_noop("do not import negative order"),
    "out_of_stock": gettext_noop(
        "This order cannot be imported because these references are not in stock: %(skus)s"
    ),
    "unknown_product": gettext_noop(
        "No Connect product matches the Hiboutik reference(s) %(references)s: bind the "
        "product, add a line hiboutikreference:connectsku to the SKU mapping or give a Connect "
        "product that SKU, then retry."
    ),
    "unmapped_payment": gettext_noop(
        "The Hiboutik payment type %(payment_types)s has no Connect payment method: choose "
        "one in the configuration (Import de commande), then retry."
    ),
    "invalid_order": gettext_noop("Connect refused the order: %(reason)s"),
    "invalid_customer": gettext_noop(
        "Connect could not create the customer of Hiboutik customer %(customer)s: %(reason)s"
    ),
}
IMPORTED = gettext_noop("The order was imported.")


def record_error(code: str, **params: object) -> RecordError:
    return RecordError(code, MESSAGES[code], params)


@dataclass(frozen=True)
class Imported:
    """What importing a sale did: the order (None when the sale sells nothing, e.g. a return
    sale without replacement), and whether this call created it."""

    order: Order | None
    created: bool
    payments_added: int = 0
    skipped: str = ""  # why no order: "nothing_sold", "other_store", "not_closed"


class SaleImporter:
    """Imports sales for one integration with its configuration; `client` is called only for
    an unknown Hiboutik customer (one call each)."""

    def __init__(self, integration: Integration, config: HiboutikConfig, client_of) -> None:
        self.integration = integration
        self.config = config
        self.settings = config.order_import
        self._client_of = client_of  # a callable: the client is built on first use only
        self.store = Store.objects.select_related("default_warehouse").get(
            pk=self.settings.connect_store_id
        )
        self.shipping_method = (
            ShippingMethod.objects.filter(pk=self.settings.shipping_method_id).first()
            if self.settings.shipping_method_id
            else None
        )
        # Read once per importer (a run imports many sales): the walk-in account and the
        # payment methods the sales name.
        self._guest_customer: Customer | None = None
        self._methods_by_id: dict[int, PaymentMethod] = {}

    # --- the sale ---------------------------------------------------------------------------

    def import_sale(self, sale: Sale) -> Imported:
        existing = Order.objects.filter(
            integration=self.integration, external_reference=str(sale.sale_id)
        ).first()
        if existing is not None:
            return Imported(existing, False, self._add_later_payments(existing, sale))
        if is_refund(sale):
            raise record_error("negative_order")
        plans = order_line_plans(sale)
        if not plans:
            return Imported(None, False, skipped="nothing_sold")
        products = self._products(plans)
        payments = self._payments(payment_plans(sale))
        customer, guest = self._customer(sale)
        lines = [self._line_spec(plan, products[plan.line_item_id]) for plan in plans]
        warehouse = self.store.default_warehouse
        try:
            with transaction.atomic():
                order = order_import_complete(
                    store=self.store,
                    lines=lines,
                    payments=payments,
                    shipping_method=self.shipping_method,
                    integration=self.integration,
                    external_reference=str(sale.sale_id),
                    placed_at=placed_at(sale, self.settings.time_zone),
                    customer=customer,
                    guest=guest,
                    currency=sale.currency,
                    warehouse=warehouse,
                    force_stock=self.settings.force_stock,
                )
                stock_beliefs_apply_sale(integration=self.integration, sale=sale)
                self._bind(order, sale)
        except InsufficientStock as short:
            raise record_error("out_of_stock", skus=", ".join(short.skus)) from None
        except InvalidOrder as refused:
            raise record_error("invalid_order", reason=str(refused)) from None
        return Imported(order, True)

    def _line_spec(self, plan: OrderLinePlan, product: Product) -> LineSpec:
        return LineSpec(
            quantity=plan.quantity,
            product=product,
            name=plan.name,
            unit_price=plan.unit_price,
            unit_price_incl_tax=plan.unit_price_incl_tax,
            tax_rate=plan.tax_rate,
            external_reference=str(plan.line_item_id),
            row_total=plan.row_total,
            row_total_incl_tax=plan.row_total_incl_tax,
        )

    def _bind(self, order: Order, sale: Sale) -> None:
        lines = order.lines.values_list("pk", "external_reference")
        bindings_add_many(
            scope=binding_scope(self.integration, ExternalBinding.ObjectType.ORDER),
            bindings={
                ExternalBinding.ObjectType.ORDER: [NewBinding(order.pk, str(sale.sale_id), {})],
                ExternalBinding.ObjectType.ORDER_LINE: [
                    NewBinding(line_id, line_item_id, {}) for line_id, line_item_id in lines
                ],
            },
        )

    # --- lines ------------------------------------------------------------------------------

    def _products(self, plans: tuple[OrderLinePlan, ...]) -> dict[int, Product]:
        """{line id: product}: the line's bound Hiboutik product (or size), else its reference
        mapped to a SKU, else a Connect product whose SKU is the reference. Three queries
        whatever the number of lines."""
        from hiboutik.selectors import connect_product_ids

        bound = connect_product_ids(
            self.integration,
            [(plan.product_id, plan.size_id) for plan in plans if plan.product_id > 0],
        )
        wanted_skus: dict[int, list[str]] = {}
        for plan in plans:
            if (plan.product_id, plan.size_id) in bound:
                continue
            candidates = []
            for reference in plan.references:
                mapped = self.settings.connect_sku_for(reference)
                if mapped:
                    candidates.append(mapped)
            candidates += list(plan.references)
            wanted_skus[plan.line_item_id] = list(dict.fromkeys(candidates))
        skus = {sku for candidates in wanted_skus.values() for sku in candidates}
        ids = set(bound.values())
        found = Product.objects.filter(pk__in=ids) | Product.objects.filter(sku__in=skus)
        by_id, by_sku = {}, {}
        for product in found:
            by_id[product.pk] = product
            by_sku[product.sku] = product
        products, unknown = {}, []
        for plan in plans:
            object_id = bound.get((plan.product_id, plan.size_id))
            product = by_id.get(object_id) if object_id is not None else None
            if product is None:
                candidates = wanted_skus.get(plan.line_item_id, ())
                product = next((by_sku[sku] for sku in candidates if sku in by_sku), None)
            if product is None:
                unknown.append(plan.reference)
            else:
                products[plan.line_item_id] = product
        if unknown:
            raise record_error("unknown_product", references=", ".join(dict.fromkeys(unknown)))
        return products

    # --- payments ---------------------------------------------------------------------------

    def _methods(self, plans: tuple[PaymentPlan, ...]) -> dict[str, PaymentMethod]:
        mapped = self.settings.payment_methods
        wanted = {mapped[plan.payment_type] for plan in plans if plan.payment_type in mapped}
        if not wanted <= self._methods_by_id.keys():
            self._methods_by_id.update(PaymentMethod.objects.in_bulk(wanted))
        methods = self._methods_by_id
        missing = [
            plan.payment_type
            for plan in plans
            if methods.get(mapped.get(plan.payment_type)) is None
        ]
        if missing:
            raise record_error("unmapped_payment", payment_types=", ".join(dict.fromkeys(missing)))
        return {plan.payment_type: methods[mapped[plan.payment_type]] for plan in plans}

    def _payments(self, plans: tuple[PaymentPlan, ...]) -> list[PaymentSpec]:
        methods = self._methods(plans)
        return [
            PaymentSpec(methods[plan.payment_type], plan.amount, plan.reference) for plan in plans
        ]

    def _add_later_payments(self, order: Order, sale: Sale) -> int:
        """Payments added to the sale after it was imported (a split sale paid later, money
        given back): each one added once, by its reference."""
        known = set(order.payments.values_list("external_reference", flat=True))
        later = tuple(plan for plan in payment_plans(sale) if plan.reference not in known)
        if not later:
            return 0
        methods = self._methods(later)
        for plan in later:
            order_payment_add(
                order=order,
                method=methods[plan.payment_type],
                amount=plan.amount,
                external_reference=plan.reference,
            )
        return len(later)

    # --- customer ---------------------------------------------------------------------------

    def _customer(self, sale: Sale) -> tuple[Customer | None, GuestSpec | None]:
        if not sale.customer_id:
            return self._guest()
        scope = binding_scope(self.integration, ExternalBinding.ObjectType.CUSTOMER)
        object_id = object_id_for(
            scope=scope,
            object_type=ExternalBinding.ObjectType.CUSTOMER,
            external_id=sale.customer_id,
        )
        customer = Customer.objects.filter(pk=object_id).first() if object_id else None
        if customer is not None:
            return customer, None
        fetched = self._client_of().get_customer(sale.customer_id, essential=True)
        return self._customer_from_hiboutik(scope, fetched), None

    def _customer_from_hiboutik(self, scope: str, fetched: HiboutikCustomer) -> Customer:
        """The Connect customer of a Hiboutik customer seen for the first time: the one with
        the same email, else a new one; bound to it in the same transaction."""
        with transaction.atomic():
            customer = customer_get_by_email(fetched.email) if fetched.email else None
            if customer is None:
                customer = self._create_customer(fetched)
            # Already bound to another Hiboutik customer (same email): that binding stays.
            with suppress(BindingConflict):
                binding_bind(
                    scope=scope,
                    object_type=ExternalBinding.ObjectType.CUSTOMER,
                    object_id=customer.pk,
                    external_id=fetched.customer_id,
                )
        return customer

    def _create_customer(self, fetched: HiboutikCustomer) -> Customer:
        values = {
            "first_name": fetched.first_name,
            "last_name": fetched.last_name,
            "company": fetched.company,
            "phone": fetched.phone,
            "country": alpha2_of(fetched.country),
        }
        if not (fetched.email or fetched.last_name or fetched.company):
            values["last_name"] = fetched.first_name or f"Hiboutik {fetched.customer_id}"
        try:
            return customer_create(email=fetched.email, **values)
        except InvalidCustomer as refused:
            if fetched.email:  # an email Connect cannot accept: the customer without it
                try:
                    return customer_create(**values)
                except InvalidCustomer:
                    pass
            raise record_error(
                "invalid_customer", customer=fetched.customer_id, reason=str(refused)
            ) from None

    def _guest(self) -> tuple[Customer | None, GuestSpec | None]:
        """A walk-in sale: the configured guest account (created with its group, country and
        region the first time), or an anonymous order when no guest email is set."""
        guest = self.config.guest
        if not guest.email:
            return None, GuestSpec()
        if self._guest_customer is None:
            self._guest_customer = self._guest_account()
        return self._guest_customer, None

    def _guest_account(self) -> Customer:
        guest = self.config.guest
        customer = customer_get_by_email(guest.email)
        if customer is not None:
            return customer
        group = (
            CustomerGroup.objects.filter(pk=guest.customer_group_id).first()
            if guest.customer_group_id
            else None
        )
        try:
            return customer_create(
                email=guest.email, group=group, country=guest.country, region=guest.region
            )
        except InvalidCustomer:
            found = customer_get_by_email(guest.email)  # created meanwhile by another import
            if found is None:
                raise
            return found
