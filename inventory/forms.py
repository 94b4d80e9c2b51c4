"""Forms of the catalogue and stock pages. Validation only: writes go through
`inventory.services`."""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from connect.search import text_search
from inventory.models import Product, StockMovement, Warehouse
from inventory.services import EDIT_REASONS

# A grid field name: a product id in ASCII digits, short enough for a 64-bit key (str.isdigit()
# would take "²", and int() of a 23-digit id overflows the database column).
GRID_FIELD = re.compile(r"(?P<kind>orig|qty)-(?P<id>[1-9][0-9]{0,17})")


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
    return products.filter(text_search(["sku", "name"], query) | Q(barcode=query))


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
    # Not required: a link without it (a search, the next page) opens the default warehouse.
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(active=True),
        empty_label=None,
        required=False,
    )

    @cached_property
    def default_warehouse(self) -> Warehouse | None:
        return self.fields["warehouse"].queryset.first()

    def selected_warehouse(self) -> Warehouse | None:
        """The warehouse asked for, the first active one when none is asked for, and None
        (with the form's error) for an unknown or inactive one: never silently another."""
        if not self.is_bound or not self.data.get("warehouse"):
            return self.default_warehouse
        return self.cleaned_data["warehouse"] if self.is_valid() else None

    def query_params(self, warehouse: Warehouse) -> dict[str, object]:
        """The search as URL parameters, always naming the warehouse shown."""
        params: dict[str, object] = {"warehouse": warehouse.pk}
        if query := self.search_query():
            params["q"] = query
        return params

    def search_query(self) -> str:
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get("q", "")


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
    """Product ids of the grid that was submitted (from its `orig-<id>` fields). Any other
    field name, however crafted, is ignored."""
    ids = []
    for key in data:
        match = GRID_FIELD.fullmatch(key)
        if match and match["kind"] == "orig":
            ids.append(int(match["id"]))
    return ids


def read_edits(rows: list[StockRow], data) -> dict[int, str]:
    """The rows whose quantity was changed: {product id: what was typed}, read and checked by
    `stock_set_many`.

    A row is edited when its input differs from the value it was shown with, so a row nobody
    touched never overwrites a change made meanwhile by someone else. Edited rows keep what was
    typed until it is saved.
    """
    edits: dict[int, str] = {}
    for row in rows:
        typed = data.get(row.field_name)
        original = data.get(row.original_name, "")
        if typed is None or typed.strip() == original.strip():
            continue
        row.value = typed
        edits[row.product.pk] = typed
    return edits


class StockEditOptionsForm(forms.Form):
    """Why the typed quantities changed: recorded on every movement the save writes."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(reason.value, reason.label) for reason in EDIT_REASONS],
        initial=StockMovement.Reason.MANUAL,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. yearly count, aisle 4")}),
    )

    def clean_reason(self) -> str:
        # Not given (a form posted by a script): a manual edit, as before reasons existed.
        return self.cleaned_data["reason"] or StockMovement.Reason.MANUAL
