"""Reads the Hiboutik flows and pages share: which Connect product a Hiboutik product (or
size) is, which integrations share a Hiboutik account."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast

from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.mappers.catalogue import ConnectProduct
from hiboutik.mappers.customers import ConnectCustomer
from hiboutik.models import CatalogueMatchItem
from hiboutik.product_refs import product_ref
from integrations.models import (
    ExternalBinding,
    FlowRun,
    Integration,
    IntegrationError,
    IntegrationEvent,
)
from integrations.selectors.bindings import binding_scope, bindings_in_scope, object_ids_for
from inventory.models import Product, ProductImage
from sales.models import Customer, Order

TYPE_KEY = "hiboutik"
CATALOGUE_MATCH = "catalogue.match"


def connect_product_ids(
    integration: Integration, refs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """{(Hiboutik product id, size id): Connect product id} for those bound, in one query. A
    size not bound on its own falls back to its product bound whole (Connect keeps one product
    for every size of it)."""
    wanted = {(int(product_id), int(size_id)) for product_id, size_id in refs}
    candidates = {product_ref(pid, size) for pid, size in wanted if pid > 0}
    candidates |= {product_ref(pid) for pid, _ in wanted if pid > 0}
    bound = object_ids_for(
        scope=binding_scope(integration, "product"), object_type="product", external_ids=candidates
    )
    found = {}
    for pid, size in wanted:
        if pid <= 0:
            continue
        object_id = bound.get(product_ref(pid, size)) or bound.get(product_ref(pid))
        if object_id is not None:
            found[pid, size] = object_id
    return found


def config_or_none(integration: Integration) -> HiboutikConfig | None:
    try:
        return HiboutikConfig.parse(integration.config or {})
    except ConfigInvalid:
        return None


def account_integrations(integration: Integration) -> list[Integration]:
    """The Hiboutik integrations on the same account as `integration` (itself included),
    oldest first."""
    config = config_or_none(integration)
    if config is None:
        return [integration]
    key = config.general.ledger_key
    same = []
    for other in Integration.objects.filter(type=TYPE_KEY).order_by("pk"):
        parsed = config if other.pk == integration.pk else config_or_none(other)
        if parsed is not None and parsed.general.ledger_key == key:
            same.append(other)
    return same


def catalogue_owner(integration: Integration) -> Integration | None:
    """The integration that pushes products and customers for the account: every store of a
    Hiboutik account shares one catalogue, so only one of its integrations may create products
    (two would create the same one twice). It is the oldest enabled one."""
    enabled = [other for other in account_integrations(integration) if other.enabled]
    return enabled[0] if enabled else None


# --- catalogue and customers, as the export flows and the review page read them --------------

PRODUCT_FIELDS = ("pk", "sku", "name", "price", "tax_rate", "barcode", "cost", "enabled")


def _connect_product(row: tuple) -> ConnectProduct:
    pk, sku, name, price, tax_rate, barcode, cost, enabled = row
    return ConnectProduct(pk, sku, name, price, tax_rate, barcode, cost, enabled)


def _bound(scope: str, object_type: str):
    return ExternalBinding.objects.filter(
        scope=scope, object_type=object_type, object_id=OuterRef("pk")
    )


def catalogue_products() -> Iterator[ConnectProduct]:
    """Every Connect product, in id order, read in chunks (the go-live match)."""
    rows = Product.objects.order_by("pk").values_list(*PRODUCT_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield _connect_product(row)


def product_bindings(scope: str) -> dict[int, str]:
    """{Connect product id: Hiboutik product ref} of every product bound in `scope`."""
    return dict(
        bindings_in_scope(scope=scope, object_type="product").values_list(
            "object_id", "external_id"
        )
    )


def _failed_since_changed(integration: Integration, flow_key: str, record_type: str):
    return _failed_since(integration, flow_key, record_type, "updated_at")


def _failed_since(integration: Integration, flow_key: str, record_type: str, changed: str):
    """An open error of this flow on the record, seen since the record last changed: the
    record waits for the operator's *Réessayer* or for its next change, so a run does not
    spend its calls failing on it again."""
    return IntegrationError.objects.filter(
        integration=integration,
        flow_key=flow_key,
        record_type=record_type,
        record_id=Cast(OuterRef("pk"), CharField()),
        status=IntegrationError.Status.OPEN,
        last_seen_at__gte=OuterRef(changed),
    )


def unbound_products(
    scope: str,
    *,
    include_disabled: bool,
    after: int = 0,
    limit: int = 1000,
    waiting: tuple[Integration, str] | None = None,
) -> list[ConnectProduct]:
    """Connect products with no binding in `scope`, by id after `after` (one query); with
    `waiting` (integration, flow key), not those whose last failure there is newer than their
    last change."""
    products = Product.objects.filter(~Exists(_bound(scope, "product")), pk__gt=after)
    if waiting is not None:
        products = products.filter(~Exists(_failed_since_changed(*waiting, "product")))
    if not include_disabled:
        products = products.filter(enabled=True)
    return [
        _connect_product(row)
        for row in products.order_by("pk").values_list(*PRODUCT_FIELDS)[:limit]
    ]


def unbound_product_count(scope: str, *, include_disabled: bool) -> int:
    products = Product.objects.filter(~Exists(_bound(scope, "product")))
    if not include_disabled:
        products = products.filter(enabled=True)
    return products.count()


def unbound_products_page(scope: str, *, include_disabled: bool) -> QuerySet[Product]:
    """For the review page: products the export will create, by SKU."""
    products = Product.objects.filter(~Exists(_bound(scope, "product")))
    if not include_disabled:
        products = products.filter(enabled=True)
    return products.order_by("sku").only("pk", "sku", "name", "barcode")


@dataclass(frozen=True)
class BoundRow:
    """A dirty binding with what it binds."""

    binding_id: int
    external_id: str
    pushed_state: dict
    mark_seq: int
    item: Any


def _dirty(scope: str, object_type: str, after: int, limit: int, read) -> list[BoundRow]:
    """Bindings of `object_type` marked changed in `scope`, by binding id after `after`, each
    with what `read(ids)` ({id: item}) says of its object (two queries)."""
    bindings = list(
        ExternalBinding.objects.filter(
            scope=scope, object_type=object_type, dirty=True, pk__gt=after
        )
        .order_by("pk")
        .values_list("pk", "object_id", "external_id", "pushed_state", "mark_seq")[:limit]
    )
    items = read([binding[1] for binding in bindings])
    return [
        BoundRow(pk, external_id, pushed or {}, seq, items[object_id])
        for pk, object_id, external_id, pushed, seq in bindings
        if object_id in items
    ]


def _products(ids: list[int]) -> dict[int, ConnectProduct]:
    rows = Product.objects.filter(pk__in=ids).values_list(*PRODUCT_FIELDS)
    return {row[0]: _connect_product(row) for row in rows}


def dirty_products(scope: str, *, after: int = 0, limit: int = 1000) -> list[BoundRow]:
    """Bound products marked changed in `scope` (two queries)."""
    return _dirty(scope, "product", after, limit, _products)


@dataclass(frozen=True)
class UnsentImage:
    image_id: int
    product_id: int
    hiboutik_id: int
    content_hash: str
    rank: int  # 0 for the product's first image
    sku: str = ""


def unsent_images(
    scope: str,
    *,
    after: int = 0,
    limit: int = 1000,
    waiting: tuple[Integration, str] | None = None,
    only: int | None = None,
) -> list[UnsentImage]:
    """Images of products bound whole (not to one size) in `scope` that have no binding yet,
    by image id after `after`, each with its rank among its product's images (three
    queries); `only` keeps one image (a retry)."""
    product_refs = ExternalBinding.objects.filter(
        scope=scope, object_type="product", object_id=OuterRef("product_id")
    ).values("external_id")[:1]
    images = ProductImage.objects.filter(~Exists(_bound(scope, "product_image")), pk__gt=after)
    if waiting is not None:
        images = images.filter(~Exists(_failed_since(*waiting, "product_image", "created_at")))
    if only is not None:
        images = images.filter(pk=only)
    rows = list(
        images.annotate(hiboutik_ref=Subquery(product_refs))
        .filter(hiboutik_ref__isnull=False)
        .exclude(hiboutik_ref__contains=":")
        .order_by("pk")
        .values_list("pk", "product_id", "hiboutik_ref", "content_hash", "product__sku")[:limit]
    )
    ranks: dict[int, int] = {}
    ordered = ProductImage.objects.filter(product_id__in={row[1] for row in rows}).order_by(
        "product_id", "position", "pk"
    )
    previous, rank = None, 0
    for image_id, product_id in ordered.values_list("pk", "product_id"):
        rank = rank + 1 if product_id == previous else 0
        previous = product_id
        ranks[image_id] = rank
    return [
        UnsentImage(pk, product_id, int(ref), content_hash, ranks.get(pk, 0), sku)
        for pk, product_id, ref, content_hash, sku in rows
    ]


def image_content(image_id: int) -> tuple[bytes, str]:
    """The bytes and file name of a product image."""
    image = ProductImage.objects.get(pk=image_id)
    with image.file.open("rb") as handle:
        return handle.read(), image.file.name.rsplit("/", 1)[-1]


CUSTOMER_FIELDS = ("pk", "first_name", "last_name", "email", "company", "phone", "country")


def _connect_customer(row: tuple) -> ConnectCustomer:
    return ConnectCustomer(*row)


def unbound_customers(
    scope: str,
    *,
    after: int = 0,
    limit: int = 1000,
    waiting: tuple[Integration, str] | None = None,
) -> list[ConnectCustomer]:
    """Customers with no binding in `scope`, as :func:`unbound_products` for products."""
    customers = Customer.objects.filter(~Exists(_bound(scope, "customer")), pk__gt=after)
    if waiting is not None:
        customers = customers.filter(~Exists(_failed_since_changed(*waiting, "customer")))
    return [
        _connect_customer(row)
        for row in customers.order_by("pk").values_list(*CUSTOMER_FIELDS)[:limit]
    ]


def _customers(ids: list[int]) -> dict[int, ConnectCustomer]:
    rows = Customer.objects.filter(pk__in=ids).values_list(*CUSTOMER_FIELDS)
    return {row[0]: _connect_customer(row) for row in rows}


def dirty_customers(scope: str, *, after: int = 0, limit: int = 1000) -> list[BoundRow]:
    """Bound customers marked changed in `scope` (two queries)."""
    return _dirty(scope, "customer", after, limit, _customers)


def catalogue_match_items(integration: Integration, kind: str) -> QuerySet[CatalogueMatchItem]:
    return CatalogueMatchItem.objects.filter(integration=integration, kind=kind).order_by("pk")


def last_catalogue_match(integration: Integration) -> FlowRun | None:
    return (
        FlowRun.objects.filter(integration=integration, flow_key=CATALOGUE_MATCH, target="")
        .order_by("-created_at", "-id")
        .first()
    )


def connect_product(product_id: int) -> ConnectProduct | None:
    row = Product.objects.filter(pk=product_id).values_list(*PRODUCT_FIELDS).first()
    return _connect_product(row) if row else None


def still_unbound(scope: str, product_ids: Iterable[int]) -> set[int]:
    """Those of `product_ids` that exist and have no binding in `scope` (one query)."""
    return set(
        Product.objects.filter(pk__in=set(product_ids))
        .filter(~Exists(_bound(scope, "product")))
        .values_list("pk", flat=True)
    )


def bound_products_page(scope: str) -> QuerySet[Product]:
    """For the review page: products bound in `scope`, with their Hiboutik reference."""
    refs = ExternalBinding.objects.filter(
        scope=scope, object_type="product", object_id=OuterRef("pk")
    ).values("external_id")[:1]
    return (
        Product.objects.filter(Exists(_bound(scope, "product")))
        .annotate(hiboutik_ref=Subquery(refs))
        .order_by("sku")
        .only("pk", "sku", "name", "barcode")
    )


def products_by_id(product_ids: Iterable[int]) -> dict[int, Product]:
    return {
        product.pk: product
        for product in Product.objects.filter(pk__in=set(product_ids)).only("pk", "sku", "name")
    }


def last_customer_id() -> int:
    """The highest customer id Connect has (0 with none): customers made later have higher."""
    return Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def unbound_customer_ids(scope: str, customer_ids: Iterable[int]) -> set[int]:
    """Those of `customer_ids` that exist and have no binding in `scope` (one query)."""
    return set(
        Customer.objects.filter(pk__in=set(customer_ids))
        .filter(~Exists(_bound(scope, "customer")))
        .values_list("pk", flat=True)
    )


def connect_customer(customer_id: int) -> ConnectCustomer | None:
    row = Customer.objects.filter(pk=customer_id).values_list(*CUSTOMER_FIELDS).first()
    return _connect_customer(row) if row else None


def bound_row(scope: str, object_type: str, object_id: int) -> BoundRow | None:
    """One product or customer with its binding in `scope`, marked or not (a retry)."""
    binding = (
        ExternalBinding.objects.filter(scope=scope, object_type=object_type, object_id=object_id)
        .values_list("pk", "external_id", "pushed_state", "mark_seq")
        .first()
    )
    item = connect_product(object_id) if object_type == "product" else connect_customer(object_id)
    if binding is None or item is None:
        return None
    pk, external_id, pushed, seq = binding
    return BoundRow(pk, external_id, pushed or {}, seq, item)


def sale_received_since(integration: Integration, moment: datetime) -> bool:
    """Whether a sale event (a webhook, or a sale a reconciliation fetched) arrived after
    `moment`."""
    return IntegrationEvent.objects.filter(
        integration=integration, type="sale", received_at__gt=moment
    ).exists()


def sales_known(integration: Integration, sale_ids: Iterable[int]) -> set[int]:
    """Those of `sale_ids` Connect already has: imported as an order, recorded as an error of
    the order import (open, resolved or deleted) or received as a sale event. Three queries."""
    wanted = {str(sale_id) for sale_id in sale_ids}
    if not wanted:
        return set()
    known = set(
        Order.objects.filter(integration=integration, external_reference__in=wanted).values_list(
            "external_reference", flat=True
        )
    )
    known |= set(
        IntegrationError.objects.filter(
            integration=integration, record_type="sale", record_id__in=wanted - known
        ).values_list("record_id", flat=True)
    )
    known |= set(
        IntegrationEvent.objects.filter(
            integration=integration, type="sale", external_id__in=wanted - known
        ).values_list("external_id", flat=True)
    )
    return {int(sale_id) for sale_id in known}
