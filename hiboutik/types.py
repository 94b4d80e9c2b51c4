"""Typed values exchanged with Hiboutik: what the client returns and what its create methods take.

All frozen: a flow can keep, compare and hash them. Money and rates are ``Decimal`` (rates as
fractions, ``Decimal("0.2")`` for 20 %, as Hiboutik sends them), ids are ``int`` with Hiboutik's
``0`` meaning "none" kept as is, and date-times are *naive* local times of the store, exactly as
Hiboutik sends them; turning them into aware UTC values needs the store's time zone, which is
the caller's business (:meth:`Store.zone`). The client never guesses one: a store whose time
zone Hiboutik did not give (or gave in a form that is not an IANA name) has
:data:`TIME_ZONE_UNKNOWN`, and asking its zone raises, so the caller asks the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from hiboutik.errors import HiboutikTimeZoneUnknown

# Hiboutik silently cuts products_ref_ext to this many characters (measured on a live account).
PRODUCT_REF_EXT_MAX_LENGTH = 20
PAGE_SIZE = 250
# A store's time zone when Hiboutik did not tell it: never replaced by a guess.
TIME_ZONE_UNKNOWN: Final = "unknown"


# --- catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSize:
    size_id: int
    name: str
    barcode: str


@dataclass(frozen=True)
class ProductImage:
    """An image as listed on a product or by ``GET /products_images/``; fields Hiboutik leaves
    out are ``None``/empty."""

    url: str
    image_id: int | None = None
    image_name: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class StockLevel:
    """One row of stock: per warehouse on a product, per product and size in a warehouse."""

    product_id: int
    size_id: int
    warehouse_id: int | None
    quantity: int
    inventory_alert: int = 0
    barcode: str = ""


@dataclass(frozen=True)
class StockChange:
    """A change to apply to one product (and size) in a warehouse: ``quantity`` units more
    (positive) or fewer (negative)."""

    product_id: int
    quantity: int
    size_id: int = 0


@dataclass(frozen=True)
class StockPush:
    """What :meth:`~hiboutik.client.HiboutikClient.push_stock_changes` did: the inventory input
    it validated (``None`` when there was nothing it could apply), the changes applied, the
    decreases the account refused (Hiboutik refusing negative quantities in stock orders: they
    were not applied, and cannot be through the API), and the stock read back afterwards when
    asked (one row per size of each product of the changes, in that warehouse)."""

    inventory_input_id: int | None
    applied: tuple[StockChange, ...] = ()
    refused: tuple[StockChange, ...] = ()
    stock_after: tuple[StockLevel, ...] = ()


@dataclass(frozen=True)
class InventoryInput:
    """A stock order (inventory input) as ``GET /inventory_inputs`` lists it: its stock
    changes apply when it is validated, once."""

    inventory_input_id: int
    label: str = ""
    warehouse_id: int | None = None
    validated: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class InventoryInputDetail:
    """One line of a stock order: ``quantity`` units more (or, negative, fewer) of a product
    and size."""

    detail_id: int
    product_id: int
    size_id: int
    quantity: int


@dataclass(frozen=True)
class Product:
    product_id: int
    name: str
    price: Decimal
    tax_id: int
    barcode: str = ""
    supply_price: Decimal | None = None
    discount_price: Decimal | None = None
    ref_ext: str = ""
    description: str = ""
    category_id: int = 0
    brand_id: int = 0
    supplier_id: int = 0
    size_type_id: int = 0
    stock_managed: bool = True
    archived: bool = False
    display: bool = True
    display_www: bool = False
    supplier_reference: str = ""
    updated_at: datetime | None = None
    sizes: tuple[ProductSize, ...] = ()
    images: tuple[ProductImage, ...] = ()
    # Hiboutik lists stock rows for products without stock management too, with figures that
    # mean nothing: read managed_stock unless you check stock_managed yourself.
    stock: tuple[StockLevel, ...] = ()

    @property
    def managed_stock(self) -> tuple[StockLevel, ...]:
        """The stock rows, or none when the product does not manage stock."""
        return self.stock if self.stock_managed else ()


@dataclass(frozen=True)
class ProductMatch:
    """A barcode search hit: the product and, for a variant barcode, the size it designates."""

    product_id: int
    size_id: int
    barcode: str = ""
    name: str = ""
    ref_ext: str = ""


@dataclass(frozen=True)
class NewProduct:
    """What ``POST /products/`` needs. ``price`` is what Hiboutik stores as the sale price
    (tax included by default); ``tax_id`` is a Hiboutik tax id read from ``/taxes``, not a
    rate. ``ref_ext`` longer than 20 characters is refused rather than silently cut."""

    name: str
    price: Decimal
    tax_id: int
    ref_ext: str = ""
    barcode: str = ""
    supply_price: Decimal | None = None
    stock_managed: bool = True
    archived: bool = False
    display_www: bool | None = None
    category_id: int | None = None
    brand_id: int | None = None
    supplier_id: int | None = None
    size_type_id: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Tax:
    tax_id: int
    rate: Decimal  # fraction: Decimal("0.055") for 5.5 %
    name: str = ""
    enabled: bool = True
    default: bool = False

    @property
    def percent(self) -> Decimal:
        return self.rate * 100


@dataclass(frozen=True)
class Store:
    store_id: int
    name: str
    enabled: bool = True
    warehouse_id: int | None = None
    currency: str = ""
    time_zone: str = TIME_ZONE_UNKNOWN  # an IANA name, or TIME_ZONE_UNKNOWN
    # When the store's fiscal day starts, if Hiboutik says (sales before it belong to the day
    # before: their date_z is the previous day).
    day_start: time | None = None

    @property
    def time_zone_known(self) -> bool:
        return self.time_zone != TIME_ZONE_UNKNOWN

    def zone(self) -> ZoneInfo:
        """The store's time zone; raises :class:`HiboutikTimeZoneUnknown` when Hiboutik did
        not give one, so that the caller asks its configuration instead of guessing."""
        if not self.time_zone_known:
            raise HiboutikTimeZoneUnknown(
                f"Hiboutik did not give the time zone of store {self.store_id} ({self.name!r}); "
                "its sale times cannot be placed in time without one: set it in the "
                "integration's configuration",
                store_id=self.store_id,
            )
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Warehouse:
    warehouse_id: int
    name: str


@dataclass(frozen=True)
class PaymentType:
    code: str  # "ESP", "CB", "CHE", custom codes; "DIV" marks a split payment on a sale
    label: str = ""
    currency: str = ""
    enabled: bool = True


# --- customers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """A customer as Hiboutik reads it back (unprefixed names, unlike the create fields)."""

    customer_id: int
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    phone: str = ""
    country: str = ""
    vat: str = ""
    date_of_birth: date | None = None
    ref_ext: str = ""
    code: str = ""


@dataclass(frozen=True)
class NewCustomer:
    """What ``POST /customers/`` needs; at least one of last name, first name, company or
    email. ``country`` is ISO 3166 alpha-2 as the official connectors send it."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    phone: str = ""
    country: str = ""
    vat: str = ""
    date_of_birth: date | None = None
    ref_ext: str = ""


# --- sales ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleSummary:
    """A short row of ``GET /closed_sales/{store}/{y}/{m}/{d}``."""

    sale_id: int
    store_id: int
    total: Decimal
    customer_id: int = 0
    vendor_id: int = 0
    currency: str = ""
    payment: str = ""
    unique_sale_id: str = ""
    created_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class SaleLine:
    line_item_id: int
    product_id: int  # 0 for a free line
    size_id: int
    quantity: int
    unit_price: Decimal  # product_price: TTC unless the sale has prices_without_taxes
    vat: Decimal  # fraction
    barcode: str = ""
    name: str = ""
    ref_ext: str = ""
    discount: Decimal = Decimal(0)
    stock_withdrawal: bool = True
    # Return markers (architecture.md §3). A return line of another sale has
    # line_item_id_return = the original line; a line exchanged at the till for a credit note
    # stays in its own sale with credit_note set, its credit_note_id and date_return.
    credit_note: bool = False
    credit_note_id: int = 0
    line_item_id_return: int = 0  # the original line when this line returns it
    date_return: datetime | None = None
    stock_managed: bool = True  # the product's product_stock_management when sold
    total_net: Decimal | None = None
    total_tax: Decimal | None = None
    total_gross: Decimal | None = None
    comments: str = ""


@dataclass(frozen=True)
class SaleTax:
    rate: Decimal  # fraction
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    label: str = ""


@dataclass(frozen=True)
class PaymentDetail:
    payment_type: str
    amount: Decimal  # may be negative: money given back
    payment_detail_id: int | None = None


@dataclass(frozen=True)
class CashFlow:
    """A payment added to a sale after its day was closed (``cash_flow`` on the sale)."""

    payment_type: str
    amount: Decimal
    cash_flow_id: int | None = None
    date_time: datetime | None = None
    currency: str = ""
    comments: str = ""


@dataclass(frozen=True)
class GivenBack:
    """A sold line given back at the till, in either shape architecture.md §3 names: a line of
    a return sale pointing at the original one (``original_sale_id`` is then unknown: find the
    sale by its line), or the original sale's own line exchanged for a credit note."""

    line_item_id: int  # the original line
    quantity: int
    original_sale_id: int | None
    credit_note_id: int = 0
    date_return: datetime | None = None


@dataclass(frozen=True)
class CreditNote:
    """A pending credit note (*avoir*) of ``GET /credit_notes/{store}``: ``code`` is what is
    typed to spend it."""

    credit_note_id: int
    code: str
    store_id: int
    amount: Decimal | None  # None when Hiboutik does not say (its field name is unknown)
    customer_id: int = 0
    sale_id: int = 0  # the sale whose line it gave back, when Hiboutik says
    line_item_id: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True)
class Sale:
    """The full sale of ``GET /sales/{id}``, or of a ``sale`` webhook body once parsed."""

    sale_id: int
    store_id: int
    total: Decimal
    customer_id: int = 0
    vendor_id: int = 0
    currency: str = ""
    payment: str = ""
    unique_sale_id: str = ""
    created_at: datetime | None = None
    completed_at: datetime | None = None  # None while the sale is open
    ext_ref: str = ""
    prices_without_taxes: bool = False
    duty_free: bool = False
    warehouse_id: int | None = None
    total_net: Decimal | None = None
    total_tax: Decimal | None = None
    total_gross: Decimal | None = None
    lines: tuple[SaleLine, ...] = ()
    taxes: tuple[SaleTax, ...] = ()
    # Payments: on a DIV sale the lines, what they add up to and what is still due (negative:
    # overpaid); payment lines may be added, negative too, after the sale is closed, and those
    # added after its day was closed come as cash_flow.
    payment_details: tuple[PaymentDetail, ...] = ()
    payment_total: Decimal | None = None
    balance: Decimal | None = None
    cash_flow: tuple[CashFlow, ...] = ()
    fiscal_day: date | None = None  # date_z: the day of the Z report the sale belongs to

    @property
    def is_closed(self) -> bool:
        return self.completed_at is not None

    @property
    def returned_line_ids(self) -> tuple[int, ...]:
        """Original line ids this sale gives back (a return sale's lines)."""
        return tuple(line.line_item_id_return for line in self.lines if line.line_item_id_return)

    @property
    def credited_lines(self) -> tuple[SaleLine, ...]:
        """This sale's own lines exchanged at the till for a credit note."""
        return tuple(
            line for line in self.lines if line.credit_note and not line.line_item_id_return
        )

    @property
    def given_back(self) -> tuple[GivenBack, ...]:
        """Every line this sale says was given back, whichever way the till recorded it: a
        return sale's lines (the originals are in other sales) and this sale's own lines
        exchanged for a credit note (a ``sale`` webhook re-sends the original sale then)."""
        returned = tuple(
            GivenBack(
                line.line_item_id_return, line.quantity, None, line.credit_note_id, line.date_return
            )
            for line in self.lines
            if line.line_item_id_return
        )
        credited = tuple(
            GivenBack(
                line.line_item_id,
                line.quantity,
                self.sale_id,
                line.credit_note_id,
                line.date_return,
            )
            for line in self.credited_lines
        )
        return returned + credited


# --- webhooks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Webhook:
    webhook_id: int
    url: str
    action: str
    label: str = ""
    app_id: str = ""
