"""Forms of the catalogue and stock pages. Validation only: writes go through
`inventory.services`."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, Warehouse

# An IntegerField column: larger values would fail in the database, not in the form.
MAX_QUANTITY = 1_000_000_000
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class FilterForm(forms.Form):
    """The filters of a list page. A bad value (an unknown store, a garbled status) drops that
    filter only: the others still apply, as a shared or edited link would expect."""

    def valid_data(self) -> dict:
        """Each field's cleaned value; None when absent or invalid."""
        if not self.is_bound:
            return dict.fromkeys(self.fields)
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


def search_products(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    query = query.strip()
    if not query:
        return products
    return products.filter(Q(sku__icontains=query) | Q(name__icontains=query) | Q(barcode=query))


class ProductFilterForm(FilterForm):
    ENABLED_CHOICES = [("", _("All products")), ("yes", _("Enabled")), ("no", _("Disabled"))]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU, name, barcode")}),
    )
    enabled = forms.ChoiceField(label=_("Status"), choices=ENABLED_CHOICES, required=False)

    def filter(self, products: QuerySet[Product]) -> QuerySet[Product]:
        data = self.valid_data()
        products = search_products(products, data["q"] or "")
        if data["enabled"]:
            products = products.filter(enabled=data["enabled"] == "yes")
        return products


class StockSearchForm(forms.Form):
    """Which products and which warehouse the mass stock edit shows."""

    q = forms.CharField(
        label=_("Search products"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU, name, barcode")}),
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True), empty_label=None
    )

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.default_warehouse = self.fields["warehouse"].queryset.first()

    def selected_warehouse(self) -> Warehouse | None:
        """The warehouse asked for, the first active one when none is asked for, and None
        (with the form's error) for an unknown or inactive one: never silently another."""
        if not self.is_bound or not self.data.get("warehouse"):
            return self.default_warehouse
        return self.cleaned_data["warehouse"] if self.is_valid() else None

    def search_query(self) -> str:
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get("q", "")


def clean_stock_quantity(raw: str) -> int:
    """A stock count typed in the mass edit grid, with an error that says what is wrong."""
    text = raw.strip()
    if not text:
        raise ValidationError(_("Enter a quantity (0 or more)."), code="required")
    # ASCII digits only: int() would also take "1_000" or Arabic-Indic digits.
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValidationError(
            _("“%(value)s” is not a whole number."), code="invalid", params={"value": text}
        )
    number = int(text)
    if number < 0:
        raise ValidationError(_("A stock quantity cannot be negative."), code="min_value")
    if number > MAX_QUANTITY:
        raise ValidationError(
            _("A stock quantity cannot exceed %(max)s."),
            code="max_value",
            params={"max": MAX_QUANTITY},
        )
    return number


@dataclass
class StockRow:
    """One line of the mass edit grid: a product, its stock in the warehouse, what was typed."""

    product: Product
    physical: int
    reserved: int
    value: str
    error: str = ""
    saved: bool = False

    @property
    def available(self) -> int:
        return self.physical - self.reserved

    @property
    def field_name(self) -> str:
        return f"qty-{self.product.pk}"

    @property
    def original_name(self) -> str:
        return f"orig-{self.product.pk}"


def stock_rows(products) -> list[StockRow]:
    """Grid rows for products annotated with `physical` and `reserved` (see the view)."""
    return [
        StockRow(product=p, physical=p.physical, reserved=p.reserved, value=str(p.physical))
        for p in products
    ]


def posted_product_ids(data) -> list[int]:
    """Product ids of the grid that was submitted (from its `orig-<id>` fields)."""
    ids = []
    for key in data:
        prefix, _, tail = key.partition("-")
        if prefix == "orig" and tail.isdigit():
            ids.append(int(tail))
    return ids


def read_edits(rows: list[StockRow], data) -> dict[int, int]:
    """Validate the rows whose quantity was changed; returns {product id: new quantity}.

    A row is edited when its input differs from the value it was shown with, so a row nobody
    touched never overwrites a change made meanwhile by someone else. Invalid rows keep what was
    typed and get their error; they are left out of the result.
    """
    edits: dict[int, int] = {}
    for row in rows:
        typed = data.get(row.field_name)
        original = data.get(row.original_name, "")
        if typed is None or typed.strip() == original.strip():
            continue
        row.value = typed
        try:
            edits[row.product.pk] = clean_stock_quantity(typed)
        except ValidationError as error:
            row.error = error.messages[0]
    return edits
