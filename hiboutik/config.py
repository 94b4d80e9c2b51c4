"""The configuration of one Hiboutik integration, typed and validated.

An integration row keeps its configuration as JSON, grouped as the Configuration tab groups it
(Général, Import de commande, Guest account, Création de produits, Stock export, Échanges);
:meth:`HiboutikConfig.parse` turns that JSON (or a form's strings) into frozen dataclasses the
flows read, and :meth:`HiboutikConfig.to_json` writes it back. The API key is a secret and is
not part of it (the integration stores it encrypted).

Every problem found is a :class:`ConfigIssue`: the setting's path, a code, its parameters and
an untranslated message id (translated when shown), all collected at once in
:class:`ConfigInvalid` so a form can show every bad setting together. SKU mapping lines are
``hiboutikreference:connectsku`` (split at the first colon: a Connect SKU may contain one, a
Hiboutik reference may not); each bad line is named by its number.

Connect objects (store, warehouses, shipping and payment methods, customer group) are referred
to by id; whether they exist is the form's business, not this pure module's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_noop

from hiboutik.concurrency import DEFAULT_CONCURRENCY, HIBOUTIK_MAX_CONCURRENCY
from hiboutik.ledger import DEFAULT_MONTHLY_QUOTA

ACCOUNT = re.compile(r"^[a-z0-9_]+$")
PAYMENT_TYPE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAPPING_PART_MAX_LENGTH = 64
DEFAULT_RECONCILIATION_MINUTES = 60
DEFAULT_TIME_ZONE = "Europe/Paris"
DEFAULT_LOW_STOCK_THRESHOLD = 2
DEFAULT_DRIFT_ALERT_PRODUCTS = 5

MESSAGES: dict[str, str] = {
    "required": gettext_noop("This setting is required."),
    "invalid_account": gettext_noop(
        "Enter the account name, as in moncompte.hiboutik.com: lowercase letters, digits and "
        "underscores."
    ),
    "invalid_email": gettext_noop("Enter the email address the Hiboutik user logs in with."),
    "invalid_url": gettext_noop("Enter an address starting with http:// or https://."),
    "invalid_integer": gettext_noop("Enter a whole number."),
    "out_of_range": gettext_noop("Enter a number between %(min)s and %(max)s."),
    "invalid_decimal": gettext_noop("Enter a number, e.g. 20 or 5.5."),
    "invalid_boolean": gettext_noop("Choose yes or no."),
    "invalid_date": gettext_noop("Enter a date as YYYY-MM-DD."),
    "invalid_country": gettext_noop("Enter a two-letter country code (ISO 3166), e.g. FR."),
    "invalid_time_zone": gettext_noop("Unknown time zone %(value)s; use e.g. Europe/Paris."),
    "invalid_payment_type": gettext_noop(
        "%(value)s is not a Hiboutik payment type code (letters, digits, underscores)."
    ),
    "invalid_list": gettext_noop("Choose one or more values."),
    "sku_mapping_format": gettext_noop(
        "Line %(line)s (%(text)s): expected hiboutikreference:connectsku, the Hiboutik "
        "reference and the Connect SKU separated by a colon."
    ),
    "sku_mapping_empty": gettext_noop(
        "Line %(line)s (%(text)s): both the Hiboutik reference and the Connect SKU are needed."
    ),
    "sku_mapping_too_long": gettext_noop(
        "Line %(line)s (%(text)s): a reference or SKU is longer than %(max)s characters."
    ),
    "sku_mapping_duplicate": gettext_noop(
        "Line %(line)s: the Hiboutik reference %(reference)s is already mapped on line "
        "%(first_line)s."
    ),
}


@dataclass(frozen=True)
class ConfigIssue:
    """One bad setting: ``path`` is ``section.setting``; ``message`` is an untranslated id to
    translate and fill with ``params`` when shown."""

    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code]

    def text(self, translate=lambda message: message) -> str:
        return (
            translate(self.message) % dict(self.params) if self.params else translate(self.message)
        )


class ConfigInvalid(ValueError):
    def __init__(self, issues: list[ConfigIssue]) -> None:
        super().__init__("; ".join(f"{issue.path}: {issue.text()}" for issue in issues))
        self.issues = issues


@dataclass(frozen=True)
class SkuMapping:
    hiboutik_reference: str
    connect_sku: str
    line: int


@dataclass(frozen=True)
class GeneralSettings:
    account: str = ""  # the account name, as in moncompte.hiboutik.com
    user: str = ""  # the Hiboutik user's login email
    # Empty: https://{account}.hiboutik.com/api; set for the simulator or a staging account.
    api_url: str = ""
    max_concurrency: int = DEFAULT_CONCURRENCY
    monthly_quota: int = DEFAULT_MONTHLY_QUOTA

    @property
    def base_url(self) -> str:
        return self.api_url or f"https://{self.account}.hiboutik.com/api"

    @property
    def ledger_key(self) -> str:
        """The account whose quota and concurrency cap the calls count against."""
        return self.account if not self.api_url else f"{self.account}@{self.api_url}"


@dataclass(frozen=True)
class OrderImportSettings:
    connect_store_id: int | None = None  # the Connect store that receives the orders
    hiboutik_store_id: int | None = None  # the Hiboutik store the sales come from
    force_stock: bool = False
    import_from: date | None = None  # None: sales after the integration was created
    shipping_method_id: int | None = None
    payment_methods: Mapping[str, int] = field(default_factory=dict)  # Hiboutik type → Connect id
    sku_mapping_text: str = ""
    sku_mapping: tuple[SkuMapping, ...] = ()
    reconciliation_minutes: int = DEFAULT_RECONCILIATION_MINUTES
    time_zone: str = DEFAULT_TIME_ZONE  # the Hiboutik store's, for its naive sale times

    def connect_sku_for(self, reference: str) -> str | None:
        for mapping in self.sku_mapping:
            if mapping.hiboutik_reference == reference:
                return mapping.connect_sku
        return None


@dataclass(frozen=True)
class GuestSettings:
    email: str = ""
    customer_group_id: int | None = None
    country: str = "FR"
    region: str = ""


@dataclass(frozen=True)
class ProductCreationSettings:
    default_tax_rate: Decimal | None = None  # percent, e.g. Decimal("20")
    prices_include_tax: bool = True
    disable_stock_management: bool = False
    exclude_disabled_products: bool = True


@dataclass(frozen=True)
class StockExportSettings:
    connect_warehouse_ids: tuple[int, ...] = ()  # summed
    hiboutik_warehouse_id: int | None = None
    # Coalescing: changes wait up to this long between pushes (0: every run pushes), except a
    # product whose available stock falls to `low_stock_threshold` or below, pushed at once.
    push_every_minutes: int = 0
    low_stock_threshold: int = DEFAULT_LOW_STOCK_THRESHOLD
    # The nightly reconciliation notifies when more products than this differed.
    drift_alert_products: int = DEFAULT_DRIFT_ALERT_PRODUCTS


@dataclass(frozen=True)
class ExchangeSettings:
    enabled: bool = False
    back_to_stock: bool = True
    refund: bool = True


@dataclass(frozen=True)
class HiboutikConfig:
    general: GeneralSettings = field(default_factory=GeneralSettings)
    order_import: OrderImportSettings = field(default_factory=OrderImportSettings)
    guest: GuestSettings = field(default_factory=GuestSettings)
    products: ProductCreationSettings = field(default_factory=ProductCreationSettings)
    stock: StockExportSettings = field(default_factory=StockExportSettings)
    exchanges: ExchangeSettings = field(default_factory=ExchangeSettings)

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None) -> HiboutikConfig:
        """The configuration in ``data`` (stored JSON, or a form's strings); raises
        :class:`ConfigInvalid` listing every bad setting. Missing settings take defaults;
        unknown ones are ignored (a setting removed in a later version must not lock an
        integration out)."""
        reader = _Reader(data or {})
        config = cls(
            general=GeneralSettings(
                account=reader.account("general.account"),
                user=reader.email("general.user"),
                api_url=reader.url("general.api_url"),
                max_concurrency=reader.integer(
                    "general.max_concurrency", DEFAULT_CONCURRENCY, 1, HIBOUTIK_MAX_CONCURRENCY
                ),
                monthly_quota=reader.integer(
                    "general.monthly_quota", DEFAULT_MONTHLY_QUOTA, 1, 10_000_000
                ),
            ),
            order_import=OrderImportSettings(
                connect_store_id=reader.identifier("order_import.connect_store_id"),
                hiboutik_store_id=reader.identifier("order_import.hiboutik_store_id"),
                force_stock=reader.boolean("order_import.force_stock", False),
                import_from=reader.date("order_import.import_from"),
                shipping_method_id=reader.identifier("order_import.shipping_method_id"),
                payment_methods=reader.payment_methods("order_import.payment_methods"),
                sku_mapping_text=reader.text("order_import.sku_mapping"),
                sku_mapping=reader.sku_mapping("order_import.sku_mapping"),
                reconciliation_minutes=reader.integer(
                    "order_import.reconciliation_minutes",
                    DEFAULT_RECONCILIATION_MINUTES,
                    5,
                    7 * 24 * 60,
                ),
                time_zone=reader.time_zone("order_import.time_zone"),
            ),
            guest=GuestSettings(
                email=reader.email("guest.email", required=False),
                customer_group_id=reader.identifier("guest.customer_group_id"),
                country=reader.country("guest.country"),
                region=reader.text("guest.region"),
            ),
            products=ProductCreationSettings(
                default_tax_rate=reader.percentage("products.default_tax_rate"),
                prices_include_tax=reader.boolean("products.prices_include_tax", True),
                disable_stock_management=reader.boolean("products.disable_stock_management", False),
                exclude_disabled_products=reader.boolean(
                    "products.exclude_disabled_products", True
                ),
            ),
            stock=StockExportSettings(
                connect_warehouse_ids=reader.identifiers("stock.connect_warehouse_ids"),
                hiboutik_warehouse_id=reader.identifier("stock.hiboutik_warehouse_id"),
                push_every_minutes=reader.integer("stock.push_every_minutes", 0, 0, 24 * 60),
                low_stock_threshold=reader.integer(
                    "stock.low_stock_threshold", DEFAULT_LOW_STOCK_THRESHOLD, 0, 1_000_000
                ),
                drift_alert_products=reader.integer(
                    "stock.drift_alert_products", DEFAULT_DRIFT_ALERT_PRODUCTS, 0, 1_000_000
                ),
            ),
            exchanges=ExchangeSettings(
                enabled=reader.boolean("exchanges.enabled", False),
                back_to_stock=reader.boolean("exchanges.back_to_stock", True),
                refund=reader.boolean("exchanges.refund", True),
            ),
        )
        if reader.issues:
            raise ConfigInvalid(reader.issues)
        return config

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The JSON stored on the integration; :meth:`parse` reads it back unchanged."""
        order = self.order_import
        return {
            "general": _plain(self.general),
            "order_import": {
                "connect_store_id": order.connect_store_id,
                "hiboutik_store_id": order.hiboutik_store_id,
                "force_stock": order.force_stock,
                "import_from": order.import_from.isoformat() if order.import_from else None,
                "shipping_method_id": order.shipping_method_id,
                "payment_methods": dict(order.payment_methods),
                "sku_mapping": order.sku_mapping_text,
                "reconciliation_minutes": order.reconciliation_minutes,
                "time_zone": order.time_zone,
            },
            "guest": _plain(self.guest),
            "products": {
                **_plain(self.products),
                "default_tax_rate": None
                if self.products.default_tax_rate is None
                else str(self.products.default_tax_rate),
            },
            "stock": {
                "connect_warehouse_ids": list(self.stock.connect_warehouse_ids),
                "hiboutik_warehouse_id": self.stock.hiboutik_warehouse_id,
                "push_every_minutes": self.stock.push_every_minutes,
                "low_stock_threshold": self.stock.low_stock_threshold,
                "drift_alert_products": self.stock.drift_alert_products,
            },
            "exchanges": _plain(self.exchanges),
        }


def parse_sku_mapping(
    text: str, path: str = "order_import.sku_mapping"
) -> tuple[tuple[SkuMapping, ...], list[ConfigIssue]]:
    """The mapping lines of ``text`` (blank lines skipped) and the issues of the bad ones."""
    mappings: list[SkuMapping] = []
    issues: list[ConfigIssue] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        reference, colon, sku = line.partition(":")
        reference, sku = reference.strip(), sku.strip()
        params = {"line": number, "text": line}
        if not colon:
            issues.append(ConfigIssue(path, "sku_mapping_format", params))
        elif not reference or not sku:
            issues.append(ConfigIssue(path, "sku_mapping_empty", params))
        elif max(len(reference), len(sku)) > MAPPING_PART_MAX_LENGTH:
            issues.append(
                ConfigIssue(
                    path, "sku_mapping_too_long", {**params, "max": MAPPING_PART_MAX_LENGTH}
                )
            )
        elif reference in first_line:
            issues.append(
                ConfigIssue(
                    path,
                    "sku_mapping_duplicate",
                    {"line": number, "reference": reference, "first_line": first_line[reference]},
                )
            )
        else:
            first_line[reference] = number
            mappings.append(SkuMapping(reference, sku, number))
    return tuple(mappings), issues


def _plain(settings: Any) -> dict[str, Any]:
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


_TRUE = {"1", "true", "on", "yes", "oui"}
_FALSE = {"0", "false", "off", "no", "non", ""}


class _Reader:
    """Reads settings by ``section.name`` path, collecting issues instead of stopping."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.issues: list[ConfigIssue] = []

    def raw(self, path: str) -> Any:
        section, _, name = path.partition(".")
        values = self.data.get(section)
        if not isinstance(values, Mapping):
            return None
        value = values.get(name)
        return value.strip() if isinstance(value, str) else value

    def fail(self, path: str, code: str, **params: Any) -> None:
        self.issues.append(ConfigIssue(path, code, params))

    def text(self, path: str) -> str:
        value = self.raw(path)
        return "" if value is None else str(value)

    def account(self, path: str) -> str:
        value = self.text(path).lower()
        if not value:
            self.fail(path, "required")
        elif not ACCOUNT.match(value):
            self.fail(path, "invalid_account")
        return value

    def email(self, path: str, *, required: bool = True) -> str:
        value = self.text(path)
        if not value:
            if required:
                self.fail(path, "required")
        elif "@" not in value or value.startswith("@") or value.endswith("@"):
            self.fail(path, "invalid_email")
        return value

    def url(self, path: str) -> str:
        value = self.text(path).rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            self.fail(path, "invalid_url")
        return value

    def integer(self, path: str, default: int, low: int, high: int) -> int:
        value = self.raw(path)
        if value in (None, ""):
            return default
        number = self._int(path, value)
        if number is None:
            return default
        if not low <= number <= high:
            self.fail(path, "out_of_range", min=low, max=high)
            return default
        return number

    def identifier(self, path: str) -> int | None:
        value = self.raw(path)
        if value in (None, ""):
            return None
        number = self._int(path, value)
        if number is not None and number < 1:
            self.fail(path, "out_of_range", min=1, max="∞")
            return None
        return number

    def identifiers(self, path: str) -> tuple[int, ...]:
        value = self.raw(path)
        if value in (None, ""):
            return ()
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            self.fail(path, "invalid_list")
            return ()
        found: list[int] = []
        for item in value:
            number = self._int(path, item.strip() if isinstance(item, str) else item)
            if number is None:
                return ()
            if number < 1:
                self.fail(path, "out_of_range", min=1, max="∞")
                return ()
            if number not in found:
                found.append(number)
        return tuple(found)

    def _int(self, path: str, value: Any) -> int | None:
        if isinstance(value, bool):
            self.fail(path, "invalid_integer")
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value):
            return int(value)
        self.fail(path, "invalid_integer")
        return None

    def boolean(self, path: str, default: bool) -> bool:
        value = self.raw(path)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        self.fail(path, "invalid_boolean")
        return default

    def date(self, path: str) -> date | None:
        value = self.raw(path)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(path, "invalid_date")
            return None

    def percentage(self, path: str) -> Decimal | None:
        value = self.raw(path)
        if value in (None, ""):
            return None
        if isinstance(value, bool | float):
            value = str(value) if isinstance(value, float) else "x"
        try:
            rate = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.fail(path, "invalid_decimal")
            return None
        if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
            self.fail(path, "out_of_range", min=0, max=100)
            return None
        # 20 stays 20 (normalize() alone would write it 2E+1), 5.50 becomes 5.5.
        return rate.quantize(Decimal(1)) if rate == rate.to_integral() else rate.normalize()

    def country(self, path: str) -> str:
        value = self.text(path).upper() or "FR"
        if not COUNTRY.match(value):
            self.fail(path, "invalid_country")
        return value

    def time_zone(self, path: str) -> str:
        value = self.text(path) or DEFAULT_TIME_ZONE
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(path, "invalid_time_zone", value=value)
            return DEFAULT_TIME_ZONE
        return value

    def payment_methods(self, path: str) -> dict[str, int]:
        value = self.raw(path)
        if value in (None, ""):
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, "invalid_list")
            return {}
        methods: dict[str, int] = {}
        for payment_type, method in value.items():
            code = str(payment_type).strip()
            if not PAYMENT_TYPE.match(code):
                self.fail(path, "invalid_payment_type", value=code)
                continue
            if method in (None, ""):
                continue  # not mapped: a sale paid this way becomes a record error
            number = self._int(path, method.strip() if isinstance(method, str) else method)
            if number is not None:
                methods[code] = number
        return methods

    def sku_mapping(self, path: str) -> tuple[SkuMapping, ...]:
        mappings, issues = parse_sku_mapping(self.text(path), path)
        self.issues.extend(issues)
        return mappings
