"""Typed values exchanged with Hiboutik: what the client returns and what its create methods take.

All frozen: a flow can keep, compare and hash them. Money and rates are ``Decimal`` (rates as
fractions, ``Decimal("0.2")`` for 20 %, as Hiboutik sends them), ids are ``int`` with Hiboutik's
``0`` meaning "none" kept as is, and date-times are *naive* local times of the store, exactly as
Hiboutik sends them; turning them into aware UTC values needs the store's time zone, which is
the caller's business (:attr:`Store.time_zone`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# Hiboutik silently cuts products_ref_ext to this many characters (measured on a live account).
PRODUCT_REF_EXT_MAX_LENGTH = 20
PAGE_SIZE = 250


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
    stock: tuple[StockLevel, ...] = ()


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
    time_zone: str = ""


@dataclass(frozen=True)
class Warehouse:
    warehouse_id: int
    name: str


@dataclass(frozen=True)
class PaymentType:
    code: str  # "ESP", "CB", "CHE", custom codes; "DIV" marks a split payment on a sale
    label: str = ""
    currency: str = ""


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
    credit_note: bool = False
    line_item_id_return: int = 0  # the original line when this line returns it
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
    amount: Decimal
    payment_detail_id: int | None = None


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
    payment_details: tuple[PaymentDetail, ...] = ()

    @property
    def is_closed(self) -> bool:
        return self.completed_at is not None

    @property
    def returned_line_ids(self) -> tuple[int, ...]:
        """Original line ids this sale gives back (a POS exchange or return)."""
        return tuple(line.line_item_id_return for line in self.lines if line.line_item_id_return)


# --- webhooks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Webhook:
    webhook_id: int
    url: str
    action: str
    label: str = ""
    app_id: str = ""
