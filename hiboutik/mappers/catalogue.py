"""Connect's catalogue as Hiboutik holds it: what a product is created with, the state pushed
(and compared on the next change), and how Connect's products are matched with a Hiboutik
catalogue at go-live. Pure: Connect data comes in as plain values, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from hiboutik.product_refs import product_ref
from hiboutik.types import PRODUCT_REF_EXT_MAX_LENGTH, NewProduct, Product, Tax

CENT = Decimal("0.01")
RATE = Decimal("0.01")

# The attributes products.update pushes, one PUT each, in this order.
PRICE, TAX, BARCODE = "product_price", "product_vat", "product_barcode"


@dataclass(frozen=True)
class ConnectProduct:
    """What the Hiboutik flows read of a Connect product."""

    product_id: int
    sku: str
    name: str
    price: Decimal  # tax excluded, 4 places
    tax_rate: Decimal  # percent
    barcode: str = ""
    cost: Decimal = Decimal(0)
    enabled: bool = True

    @property
    def sku_fits(self) -> bool:
        """Hiboutik keeps 20 characters of ``products_ref_ext``: a longer SKU would be cut."""
        return len(self.sku) <= PRODUCT_REF_EXT_MAX_LENGTH


def shelf_price(product: ConnectProduct, *, prices_include_tax: bool) -> Decimal:
    """The price Hiboutik is given, to the cent: tax included (Hiboutik's own convention) or
    excluded, as the integration's *Product prices* setting says."""
    price = product.price * (1 + product.tax_rate / 100) if prices_include_tax else product.price
    return price.quantize(CENT, ROUND_HALF_UP)


def rate_text(rate_percent: Decimal) -> str:
    return str(Decimal(rate_percent).quantize(RATE, ROUND_HALF_UP))


def tax_id_for(rate_percent: Decimal, taxes: Iterable[Tax]) -> int | None:
    """The Hiboutik tax whose rate equals ``rate_percent`` (an enabled one first), or None:
    a rate Hiboutik does not have is never replaced by a near one."""
    wanted = Decimal(rate_percent).quantize(RATE, ROUND_HALF_UP)
    found = [tax for tax in taxes if tax.percent.quantize(RATE, ROUND_HALF_UP) == wanted]
    found.sort(key=lambda tax: (not tax.enabled, tax.tax_id))
    return found[0].tax_id if found else None


def product_state(
    product: ConnectProduct, *, prices_include_tax: bool, tax_id: int | None
) -> dict[str, object]:
    """What Connect wants Hiboutik to hold of the product, as stored on its binding once
    pushed. The tax is kept both as Connect's rate (compared without any call) and as the
    Hiboutik tax id it was sent as. An empty barcode means "none given", never "clear it"."""
    state: dict[str, object] = {
        PRICE: str(shelf_price(product, prices_include_tax=prices_include_tax)),
        "tax_rate": rate_text(product.tax_rate),
        TAX: tax_id,
    }
    if product.barcode:
        state[BARCODE] = product.barcode
    return state


def new_product(
    product: ConnectProduct, *, tax_id: int, prices_include_tax: bool, stock_managed: bool
) -> NewProduct:
    return NewProduct(
        name=product.name,
        price=shelf_price(product, prices_include_tax=prices_include_tax),
        tax_id=tax_id,
        ref_ext=product.sku,
        barcode=product.barcode,
        supply_price=product.cost.quantize(CENT, ROUND_HALF_UP),
        stock_managed=stock_managed,
    )


def observed_state(product: Product, size_id: int, taxes: Mapping[int, Tax]) -> dict[str, object]:
    """The state a Hiboutik product (or one size of it) holds, in the shape of
    :func:`product_state`, so that a product bound at go-live is compared with what Hiboutik
    really has and only what differs is pushed."""
    tax = taxes.get(product.tax_id)
    barcode = product.barcode
    if size_id:
        barcode = next((size.barcode for size in product.sizes if size.size_id == size_id), "")
    return {
        PRICE: str(product.price.quantize(CENT, ROUND_HALF_UP)),
        "tax_rate": rate_text(tax.percent) if tax is not None else None,
        TAX: product.tax_id,
        BARCODE: barcode,
    }


@dataclass(frozen=True)
class Change:
    attribute: str
    value: object


def product_changes(
    desired: Mapping[str, object],
    pushed: Mapping[str, object],
    tax_id: Callable[[], int | None],
    *,
    size_bound: bool = False,
) -> list[Change]:
    """The one-attribute updates that make Hiboutik hold ``desired`` where it holds
    ``pushed``. The tax compares rates; only a changed rate asks ``tax_id()`` (which may read
    Hiboutik's taxes) for the id to send, and raises ``LookupError`` when there is none. A
    product bound to one size of a Hiboutik product gets no barcode change: the barcode
    attribute is the whole product's, not the size's."""
    changes = []
    if desired.get(PRICE) != pushed.get(PRICE):
        changes.append(Change(PRICE, Decimal(str(desired[PRICE]))))
    if desired.get("tax_rate") != pushed.get("tax_rate"):
        wanted = tax_id()
        if wanted is None:
            raise LookupError(desired.get("tax_rate"))
        if wanted != pushed.get(TAX):
            changes.append(Change(TAX, wanted))
    barcode = desired.get(BARCODE)
    if barcode and barcode != pushed.get(BARCODE) and not size_bound:
        changes.append(Change(BARCODE, barcode))
    return changes


# --- go-live matching ------------------------------------------------------------------------

SKU_TOO_LONG = "sku_too_long"
BARCODE_SHARED_CONNECT = "barcode_shared_connect"
BARCODE_SHARED_HIBOUTIK = "barcode_shared_hiboutik"
REF_EXT_SHARED_HIBOUTIK = "ref_ext_shared_hiboutik"
HIBOUTIK_TAKEN = "hiboutik_taken"


@dataclass(frozen=True)
class Match:
    product_id: int  # Connect
    hiboutik_id: int
    size_id: int
    by: str  # "sku" or "barcode"

    @property
    def ref(self) -> str:
        return product_ref(self.hiboutik_id, self.size_id)


@dataclass(frozen=True)
class Conflict:
    code: str
    product_ids: tuple[int, ...] = ()  # Connect
    hiboutik_id: int = 0
    size_id: int = 0
    reference: str = ""
    barcode: str = ""
    name: str = ""


@dataclass(frozen=True)
class HiboutikOnly:
    hiboutik_id: int
    name: str
    reference: str
    barcode: str


@dataclass
class MatchResult:
    matches: list[Match] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    only_hiboutik: list[HiboutikOnly] = field(default_factory=list)


def match_catalogue(
    connect: Iterable[ConnectProduct],
    hiboutik: Iterable[Product],
    *,
    bound: Mapping[int, str],
) -> MatchResult:
    """Bind Connect products to a Hiboutik catalogue: by SKU = ``products_ref_ext`` first,
    then by barcode (a size's own barcode binds the Connect product to that size, as Connect
    keeps one product per variant). ``bound`` holds the bindings that exist already
    ({Connect id: product ref}); they are kept as they are.

    Nothing ambiguous is bound: a barcode on two Connect products, or on two Hiboutik products
    or sizes, a reference on two Hiboutik products, a SKU Hiboutik would cut to 20 characters,
    a Hiboutik product (or size) another Connect product already has; each is a conflict for
    the admin. Hiboutik products nothing in Connect matched are listed too."""
    connect = list(connect)
    hiboutik = list(hiboutik)
    result = MatchResult()
    by_ref: dict[str, list[Product]] = defaultdict(list)
    by_barcode: dict[str, list[tuple[Product, int]]] = defaultdict(list)
    for product in hiboutik:
        if product.ref_ext:
            by_ref[product.ref_ext].append(product)
        if product.barcode:
            by_barcode[product.barcode].append((product, 0))
        for size in product.sizes:
            if size.barcode and size.barcode != product.barcode:
                by_barcode[size.barcode].append((product, size.size_id))
    connect_barcodes: dict[str, list[int]] = defaultdict(list)
    for product in connect:
        if product.barcode:
            connect_barcodes[product.barcode].append(product.product_id)

    taken: dict[str, int] = {ref: product_id for product_id, ref in bound.items()}
    reported_barcodes: set[str] = set()
    reported_refs: set[str] = set()
    for product in connect:
        if product.product_id in bound:
            continue
        target: tuple[Product, int, str] | None = None
        if not product.sku_fits:
            result.conflicts.append(
                Conflict(
                    SKU_TOO_LONG, (product.product_id,), reference=product.sku, name=product.name
                )
            )
        else:
            found = by_ref.get(product.sku, [])
            if len(found) == 1:
                target = (found[0], 0, "sku")
            elif len(found) > 1 and product.sku not in reported_refs:
                reported_refs.add(product.sku)
                result.conflicts.append(
                    Conflict(
                        REF_EXT_SHARED_HIBOUTIK,
                        (product.product_id,),
                        hiboutik_id=found[0].product_id,
                        reference=product.sku,
                        name=product.name,
                    )
                )
                continue
        if target is None and product.barcode:
            owners = connect_barcodes[product.barcode]
            hits = by_barcode.get(product.barcode, [])
            if len(owners) > 1:
                if product.barcode not in reported_barcodes and hits:
                    reported_barcodes.add(product.barcode)
                    result.conflicts.append(
                        Conflict(
                            BARCODE_SHARED_CONNECT,
                            tuple(owners),
                            hiboutik_id=hits[0][0].product_id,
                            barcode=product.barcode,
                            name=product.name,
                        )
                    )
                continue
            if len(hits) > 1:
                result.conflicts.append(
                    Conflict(
                        BARCODE_SHARED_HIBOUTIK,
                        (product.product_id,),
                        hiboutik_id=hits[0][0].product_id,
                        barcode=product.barcode,
                        name=product.name,
                    )
                )
                continue
            if hits:
                target = (hits[0][0], hits[0][1], "barcode")
        if target is None:
            continue
        found_product, size_id, how = target
        ref = product_ref(found_product.product_id, size_id)
        if ref in taken:
            result.conflicts.append(
                Conflict(
                    HIBOUTIK_TAKEN,
                    (product.product_id, taken[ref]),
                    hiboutik_id=found_product.product_id,
                    size_id=size_id,
                    reference=product.sku,
                    barcode=product.barcode,
                    name=found_product.name,
                )
            )
            continue
        taken[ref] = product.product_id
        result.matches.append(Match(product.product_id, found_product.product_id, size_id, how))

    bound_ids = {int(ref.split(":", 1)[0]) for ref in taken}
    result.only_hiboutik = [
        HiboutikOnly(product.product_id, product.name, product.ref_ext, product.barcode)
        for product in hiboutik
        if product.product_id not in bound_ids
    ]
    return result
