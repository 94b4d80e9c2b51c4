"""The Configuration tab of a Hiboutik integration: every setting of `hiboutik.config`, grouped
as merchants know them (Général, Import de commande, Guest account, Création de produits, Stock
export, Échanges).

The settings' shapes are checked by `HiboutikConfig.parse`, whose issues are shown on the
fields they name; this form adds what needs the database: the Connect store, warehouses,
shipping and payment methods and customer group exist, and every Connect SKU of the SKU mapping
is a product (the unknown ones are listed with their line). Hiboutik's stores, warehouses,
taxes and payment types come as pick-lists when Hiboutik could be read with the saved
credentials (`hiboutik.reference`, cached), else as typed ids.

The API key is a password field that is never filled back: empty keeps the stored key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from hiboutik.concurrency import HIBOUTIK_MAX_CONCURRENCY
from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.reference import ReferenceLists, percent, reference_lists
from integrations.forms import Section
from integrations.models import Integration
from inventory.models import Product, Warehouse
from sales.models import CustomerGroup, PaymentMethod, ShippingMethod, Store

# Hiboutik's payment types on every new account: offered even when the lists are not read.
STANDARD_PAYMENT_TYPES = ("ESP", "CB", "CHE")
PAYMENT_PREFIX = "payment__"


SECTIONS: tuple[tuple[str, Any, Any, tuple[str, ...]], ...] = (
    (
        "general",
        _("General"),
        _("The Hiboutik account and the API user Connect calls it as."),
        (
            "general__account",
            "general__user",
            "api_key",
            "general__api_url",
            "general__max_concurrency",
            "general__monthly_quota",
        ),
    ),
    (
        "order_import",
        _("Order import"),
        _(
            "The sales closed at the Hiboutik till become orders of a Connect store, invoiced "
            "and shipped at once."
        ),
        (
            "order_import__hiboutik_store_id",
            "order_import__connect_store_id",
            "order_import__force_stock",
            "order_import__import_from",
            "order_import__shipping_method_id",
            PAYMENT_PREFIX,
            "payment_extra_code",
            "payment_extra_method",
            "order_import__sku_mapping",
            "order_import__reconciliation_minutes",
            "order_import__time_zone",
        ),
    ),
    (
        "guest",
        _("Guest account"),
        _("Used for the sales rung up without a customer."),
        ("guest__email", "guest__customer_group_id", "guest__country", "guest__region"),
    ),
    (
        "products",
        _("Product creation"),
        _(
            "Products belong to the Hiboutik account and are shared by all its stores: with "
            "several stores, only one integration of the account exports products."
        ),
        (
            "products__default_tax_rate",
            "products__prices_include_tax",
            "products__disable_stock_management",
            "products__exclude_disabled_products",
        ),
    ),
    (
        "stock",
        _("Stock export"),
        _("Hiboutik's stock is kept equal to the available stock of the Connect warehouses."),
        (
            "stock__connect_warehouse_ids",
            "stock__hiboutik_warehouse_id",
            "stock__push_every_minutes",
            "stock__low_stock_threshold",
            "stock__drift_alert_products",
        ),
    ),
    (
        "exchanges",
        _("Exchanges"),
        _("What Connect does with the exchanges and returns made at the till."),
        ("exchanges__enabled", "exchanges__back_to_stock", "exchanges__refund"),
    ),
)


def _yes_no() -> list[tuple[str, Any]]:
    return [("1", _("Prices including tax")), ("0", _("Prices excluding tax"))]


class HiboutikConfigForm(forms.Form):
    """`HiboutikConfigForm(data, integration=None, reference=None)`; after `is_valid()`,
    `config()` is the JSON to store and `secrets()` the secrets to change."""

    general__account = forms.CharField(
        label=_("Hiboutik account"),
        max_length=64,
        help_text=_("The account name, as in moncompte.hiboutik.com."),
    )
    general__user = forms.CharField(
        label=_("API user email"),
        max_length=254,
        help_text=_("The login email of the Hiboutik user whose API key Connect uses."),
    )
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    general__api_url = forms.CharField(
        label=_("API address (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "Empty: https://moncompte.hiboutik.com/api. Set it only for a test server or the "
            "simulator."
        ),
    )
    general__max_concurrency = forms.IntegerField(
        label=_("Concurrent calls at most"),
        min_value=1,
        max_value=HIBOUTIK_MAX_CONCURRENCY,
        help_text=_("Shared by every integration of the account; Hiboutik allows 30."),
    )
    general__monthly_quota = forms.IntegerField(
        label=_("Monthly API quota"),
        min_value=1,
        help_text=_("Calls Hiboutik allows the account each month (10,000 unless agreed)."),
    )

    order_import__connect_store_id = forms.ModelChoiceField(
        label=_("Connect store (receives the orders)"),
        queryset=Store.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("— choose a Connect store —"),
        help_text=_("The store of Connect in which the imported sales become orders."),
    )
    order_import__force_stock = forms.BooleanField(
        label=_("Force stock if missing"),
        required=False,
        help_text=_(
            "Off: a sale whose products lack stock in Connect is not imported and shows in "
            "Erreurs until the stock is fixed."
        ),
    )
    order_import__import_from = forms.DateField(
        label=_("Import sales from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: only the sales made after the integration was created."),
    )
    order_import__shipping_method_id = forms.ModelChoiceField(
        label=_("Shipping method of imported orders"),
        queryset=ShippingMethod.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("— none —"),
        help_text=_("Usually store pickup."),
    )
    payment_extra_code = forms.CharField(
        label=_("Another Hiboutik payment type (code)"),
        required=False,
        max_length=32,
    )
    payment_extra_method = forms.ModelChoiceField(
        label=_("Its Connect payment method"),
        queryset=PaymentMethod.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("— not mapped —"),
    )
    order_import__sku_mapping = forms.CharField(
        label=_("SKU mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "One line per product whose Hiboutik reference differs from its Connect SKU: "
            "hiboutikreference:connectsku"
        ),
    )
    order_import__reconciliation_minutes = forms.IntegerField(
        label=_("Check for missed sales every (minutes)"),
        min_value=5,
        max_value=7 * 24 * 60,
        help_text=_(
            "Sales arrive by webhook; this reading of the closed sales catches any missed."
        ),
    )
    order_import__time_zone = forms.CharField(
        label=_("Time zone of the Hiboutik store"),
        required=False,
        max_length=64,
        help_text=_("Hiboutik gives sale times without a zone, e.g. Europe/Paris."),
    )

    guest__email = forms.CharField(label=_("Default email"), required=False, max_length=254)
    guest__customer_group_id = forms.ModelChoiceField(
        label=_("Customer group"),
        queryset=CustomerGroup.objects.order_by("name"),
        required=False,
        empty_label=_("— none —"),
    )
    guest__country = forms.CharField(
        label=_("Country"), required=False, max_length=2, help_text=_("Two letters, e.g. FR.")
    )
    guest__region = forms.CharField(label=_("Region"), required=False, max_length=100)

    products__prices_include_tax = forms.TypedChoiceField(
        label=_("Prices pushed to Hiboutik"),
        choices=_yes_no,
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    products__disable_stock_management = forms.BooleanField(
        label=_("Disable stock management of created products"), required=False
    )
    products__exclude_disabled_products = forms.BooleanField(
        label=_("Exclude disabled products"), required=False
    )

    stock__connect_warehouse_ids = forms.ModelMultipleChoiceField(
        label=_("Connect warehouses exported"),
        queryset=Warehouse.objects.filter(active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The available stock of the warehouses ticked is added up."),
    )
    stock__push_every_minutes = forms.IntegerField(
        required=False,
        label=_("Push stock changes at most every (minutes)"),
        min_value=0,
        max_value=24 * 60,
        help_text=_(
            "0: every run of the stock export pushes what changed. More: changes are gathered "
            "and pushed together, which saves API calls, except low stock (below)."
        ),
    )
    stock__low_stock_threshold = forms.IntegerField(
        required=False,
        label=_("Low stock pushed at once (units)"),
        min_value=0,
        help_text=_(
            "A product whose available stock falls to this or below is pushed at the next run, "
            "so the till does not sell what Connect no longer has."
        ),
    )
    stock__drift_alert_products = forms.IntegerField(
        required=False,
        label=_("Stock differences that raise an alert (products)"),
        min_value=0,
        help_text=_(
            "The nightly stock check notifies when more products than this differed between "
            "Connect and Hiboutik."
        ),
    )

    exchanges__enabled = forms.BooleanField(label=_("Handle exchanges"), required=False)
    exchanges__back_to_stock = forms.BooleanField(
        label=_("Put returned products back in stock"), required=False
    )
    exchanges__refund = forms.BooleanField(label=_("Refund returned products"), required=False)

    def __init__(
        self,
        data=None,
        *,
        integration: Integration | None = None,
        reference: ReferenceLists | None = None,
        **kwargs: Any,
    ) -> None:
        self.integration = integration
        self.stored = _stored_config(integration)
        super().__init__(data, initial=_initial(self.stored), **kwargs)
        self.reference = reference if reference is not None else reference_lists(integration)
        self._hiboutik_choice_fields()
        self._payment_fields()
        self._api_key_help()
        self._parsed: HiboutikConfig | None = None

    # --- building ------------------------------------------------------------------------

    def _api_key_help(self) -> None:
        field = self.fields["api_key"]
        masked = self.integration.masked_secret("api_key") if self.integration else ""
        where = gettext("In Hiboutik: Paramètres > Utilisateurs, wrench icon.")
        if masked:
            field.help_text = gettext("Current key %(masked)s; leave empty to keep it.") % {
                "masked": masked
            } + (" " + where)
            field.widget.attrs["placeholder"] = masked
        else:
            field.required = True
            field.help_text = where

    def _hiboutik_choice_fields(self) -> None:
        lists = self.reference
        order, stock, products = (
            self.stored.order_import,
            self.stored.stock,
            self.stored.products,
        )
        self.fields["order_import__hiboutik_store_id"] = _id_field(
            label=_("Hiboutik store (where the sales come from)"),
            help_text=_(
                "The store of the Hiboutik till whose sales are imported; not the Connect "
                "store above."
            ),
            choices=lists.stores if lists.available else None,
            current=order.hiboutik_store_id,
            empty=_("— choose a Hiboutik store —"),
        )
        self.fields["stock__hiboutik_warehouse_id"] = _id_field(
            label=_("Hiboutik warehouse (receives the stock)"),
            help_text=_("The Hiboutik warehouse whose stock Connect sets."),
            choices=lists.warehouses if lists.available else None,
            current=stock.hiboutik_warehouse_id,
            empty=_("— choose a Hiboutik warehouse —"),
        )
        tax_help = _("Applied to products created in Hiboutik without a tax rate of their own.")
        if lists.available and lists.taxes:
            choices = [("", _("— none —"))]
            choices += [
                (str(rate), f"{_rate_text(rate)} % — {label}") for rate, label in lists.taxes
            ]
            current = products.default_tax_rate
            if current is not None and str(percent(current)) not in dict(choices):
                choices.append((str(percent(current)), f"{_rate_text(current)} %"))
            self.fields["products__default_tax_rate"] = forms.ChoiceField(
                label=_("Default tax"), choices=choices, required=False, help_text=tax_help
            )
        else:
            self.fields["products__default_tax_rate"] = forms.DecimalField(
                label=_("Default tax (%)"),
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=3,
                help_text=tax_help,
            )
        if products.default_tax_rate is not None:
            self.initial["products__default_tax_rate"] = str(percent(products.default_tax_rate))

    def _payment_fields(self) -> None:
        stored = dict(self.stored.order_import.payment_methods)
        if self.reference.available and self.reference.payment_types:
            codes = list(self.reference.payment_types)
        else:
            codes = [(code, code) for code in STANDARD_PAYMENT_TYPES]
        known = {code for code, _label in codes}
        codes += [(code, code) for code in stored if code not in known]
        methods = PaymentMethod.objects.filter(active=True).order_by("name")
        self.payment_codes = [code for code, _label in codes]
        for code, label in codes:
            name = PAYMENT_PREFIX + code
            self.fields[name] = forms.ModelChoiceField(
                label=gettext("Hiboutik payment %(label)s (%(code)s)")
                % {"label": label, "code": code}
                if label != code
                else gettext("Hiboutik payment %(code)s") % {"code": code},
                queryset=methods,
                required=False,
                empty_label=gettext("— not mapped —"),
            )
            if code in stored:
                self.initial[name] = stored[code]

    # --- validation ------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = (cleaned.get("payment_extra_code") or "").strip()
        if code and not cleaned.get("payment_extra_method"):
            self.add_error("payment_extra_method", gettext("Choose the Connect payment method."))
        if self.errors:
            return cleaned
        try:
            self._parsed = HiboutikConfig.parse(self._raw_config(cleaned))
        except ConfigInvalid as invalid:
            self.show_issues(invalid.issues)
            return cleaned
        self._check_skus(self._parsed)
        return cleaned

    def show_issues(self, issues) -> None:
        """Put each issue of the config parser (or of the service) on the field it names."""
        for issue in issues:
            name = issue.path.replace(".", "__")
            if issue.path == "order_import.payment_methods":
                name = "payment_extra_code"
            text = issue.text(gettext)
            if name in self.fields:
                self.add_error(name, text)
            else:
                self.add_error(None, f"{issue.path}: {text}")

    def _check_skus(self, config: HiboutikConfig) -> None:
        mapping = config.order_import.sku_mapping
        if not mapping:
            return
        wanted = {line.connect_sku for line in mapping}
        existing = set(Product.objects.filter(sku__in=wanted).values_list("sku", flat=True))
        unknown = [line for line in mapping if line.connect_sku not in existing]
        if not unknown:
            return
        listed = ", ".join(
            gettext("%(sku)s (line %(line)s)") % {"sku": line.connect_sku, "line": line.line}
            for line in unknown
        )
        self.add_error(
            "order_import__sku_mapping",
            ngettext(
                "This Connect SKU does not exist: %(skus)s. Fix the line or create the product.",
                "These Connect SKUs do not exist: %(skus)s. Fix the lines or create the products.",
                len(unknown),
            )
            % {"skus": listed},
        )

    def _raw_config(self, cleaned: dict[str, Any]) -> dict[str, dict[str, Any]]:
        raw: dict[str, dict[str, Any]] = {}
        for name, value in cleaned.items():
            section, sep, setting = name.partition("__")
            if not sep or section == "payment":
                continue
            raw.setdefault(section, {})[setting] = _plain(value)
        payments = {
            code: _plain(cleaned.get(PAYMENT_PREFIX + code))
            for code in self.payment_codes
            if cleaned.get(PAYMENT_PREFIX + code)
        }
        code = (cleaned.get("payment_extra_code") or "").strip()
        if code and cleaned.get("payment_extra_method"):
            payments[code] = cleaned["payment_extra_method"].pk
        raw.setdefault("order_import", {})["payment_methods"] = payments
        return raw

    # --- results ---------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        assert self._parsed is not None, "call is_valid() first"
        return self._parsed.to_json()

    def secrets(self) -> dict[str, str]:
        return {"api_key": self.cleaned_data.get("api_key", "")}

    def sections(self) -> list[Section]:
        found = []
        for key, title, description, names in SECTIONS:
            fields = []
            for name in names:
                if name == PAYMENT_PREFIX:
                    fields += [self[PAYMENT_PREFIX + code] for code in self.payment_codes]
                else:
                    fields.append(self[name])
            found.append(Section(key, title, description, fields))
        return found

    def notice(self) -> dict[str, str]:
        """Where the pick-lists come from, shown above the form."""
        lists = self.reference
        if lists.available:
            return {
                "level": "info",
                "text": gettext(
                    "Hiboutik's stores, warehouses, taxes and payment types were read on "
                    "%(date)s; reload them after changing them in Hiboutik."
                )
                % {"date": _when(lists.fetched_at)},
            }
        if lists.problem:
            return {
                "level": "warning",
                "text": lists.problem_text()
                + " "
                + gettext(
                    "Type the Hiboutik ids by hand, or fix the credentials, save and reload "
                    "the lists."
                ),
            }
        return {
            "level": "info",
            "text": gettext(
                "Once the credentials are saved, Hiboutik's stores, warehouses, taxes and "
                "payment types are offered in lists."
            ),
        }

    @classmethod
    def refresh_reference(cls, integration: Integration) -> ReferenceLists:
        """*Recharger les listes Hiboutik*: read the pick-lists again."""
        return reference_lists(integration, refresh=True)


def _stored_config(integration: Integration | None) -> HiboutikConfig:
    if integration is None:
        return HiboutikConfig()
    try:
        return HiboutikConfig.parse(integration.config or {})
    except ConfigInvalid:
        return HiboutikConfig()


def _initial(config: HiboutikConfig) -> dict[str, Any]:
    general, order, guest = config.general, config.order_import, config.guest
    products, stock, exchanges = config.products, config.stock, config.exchanges
    return {
        "general__account": general.account,
        "general__user": general.user,
        "general__api_url": general.api_url,
        "general__max_concurrency": general.max_concurrency,
        "general__monthly_quota": general.monthly_quota,
        "order_import__connect_store_id": order.connect_store_id,
        "order_import__hiboutik_store_id": order.hiboutik_store_id,
        "order_import__force_stock": order.force_stock,
        "order_import__import_from": order.import_from,
        "order_import__shipping_method_id": order.shipping_method_id,
        "order_import__sku_mapping": order.sku_mapping_text,
        "order_import__reconciliation_minutes": order.reconciliation_minutes,
        "order_import__time_zone": order.time_zone,
        "guest__email": guest.email,
        "guest__customer_group_id": guest.customer_group_id,
        "guest__country": guest.country,
        "guest__region": guest.region,
        "products__prices_include_tax": "1" if products.prices_include_tax else "0",
        "products__disable_stock_management": products.disable_stock_management,
        "products__exclude_disabled_products": products.exclude_disabled_products,
        "stock__connect_warehouse_ids": list(stock.connect_warehouse_ids),
        "stock__hiboutik_warehouse_id": stock.hiboutik_warehouse_id,
        "stock__push_every_minutes": stock.push_every_minutes,
        "stock__low_stock_threshold": stock.low_stock_threshold,
        "stock__drift_alert_products": stock.drift_alert_products,
        "exchanges__enabled": exchanges.enabled,
        "exchanges__back_to_stock": exchanges.back_to_stock,
        "exchanges__refund": exchanges.refund,
    }


def _id_field(*, label, help_text, choices, current, empty) -> forms.Field:
    """A pick-list of what Hiboutik listed, or a typed id when it could not be read. A saved id
    Hiboutik no longer lists stays choosable (marked), so saving never loses it silently."""
    if choices is None:
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=1,
            help_text=help_text,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    options = [("", empty)] + [(str(pk), f"{name} (#{pk})") for pk, name in choices]
    if current and str(current) not in dict(options):
        options.append(
            (str(current), gettext("#%(id)s (not listed by Hiboutik)") % {"id": current})
        )
    return forms.TypedChoiceField(
        label=label,
        choices=options,
        coerce=int,
        required=False,
        empty_value=None,
        help_text=help_text,
    )


def _when(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _rate_text(rate: Decimal) -> str:
    return localize(percent(rate))


def _plain(value: Any) -> Any:
    """A cleaned value as the config parser reads it: model → id, date → ISO text."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__iter__") and not isinstance(value, str | dict):
        return [_plain(item) for item in value]
    return value
