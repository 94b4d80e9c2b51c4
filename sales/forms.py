"""Search and filter forms of the sales pages. They only read: every write goes through
`sales.services`."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from connect.search import phone_search, text_search
from inventory.forms import FilterForm
from sales.models import Customer, CustomerGroup, Order, OrderStatus, Rma, RmaStatus, Store

# The filter value meaning "created in Connect" (no integration).
NATIVE_SOURCE = "connect"


def source_label(integration) -> str:
    """Where an order or a return comes from: its integration's name, or Connect."""
    return "Connect" if integration is None else integration.name


class DateRangeMixin(forms.Form):
    """From / to dates (both included, in the shop's time zone) on `date_field`."""

    date_field = ""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter_dates(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data["date_from"]:
            queryset = queryset.filter(**{f"{self.date_field}__date__gte": data["date_from"]})
        if data["date_to"]:
            queryset = queryset.filter(**{f"{self.date_field}__date__lte": data["date_to"]})
        return queryset


class OrderFilterForm(DateRangeMixin, FilterForm):
    date_field = "placed_at"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, customer, external reference")}
        ),
    )
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.objects.all(), required=False, empty_label=_("All stores")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *OrderStatus.choices]
        sources = (
            Order.objects.filter(integration__isnull=False)
            .order_by("integration__name")
            .values_list("integration", "integration__name")
            .distinct()
        )
        self.fields["source"].choices = [
            ("", _("All sources")),
            (NATIVE_SOURCE, source_label(None)),
            *((str(pk), name) for pk, name in sources),
        ]

    def filter(self, orders: QuerySet[Order]) -> QuerySet[Order]:
        data = self.valid_data()
        if query := (data["q"] or "").strip():
            orders = orders.filter(
                text_search(
                    ["number", "customer_name", "customer_email", "external_reference"], query
                )
            )
        if data["store"]:
            orders = orders.filter(store=data["store"])
        if data["status"]:
            orders = orders.filter(status=data["status"])
        if data["source"] == NATIVE_SOURCE:
            orders = orders.filter(integration__isnull=True)
        elif data["source"]:
            orders = orders.filter(integration=int(data["source"]))
        return self.filter_dates(orders, data)


class RmaFilterForm(DateRangeMixin, FilterForm):
    date_field = "created_at"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Return number, order number, customer")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *RmaStatus.choices]

    def filter(self, rmas: QuerySet[Rma]) -> QuerySet[Rma]:
        data = self.valid_data()
        if query := (data["q"] or "").strip():
            rmas = rmas.filter(
                text_search(
                    [
                        "number",
                        "order__number",
                        "order__customer_name",
                        "order__customer_email",
                        "external_reference",
                    ],
                    query,
                )
            )
        if data["status"]:
            rmas = rmas.filter(status=data["status"])
        return self.filter_dates(rmas, data)


class CustomerFilterForm(FilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, email, phone, company")}
        ),
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=CustomerGroup.objects.all(),
        required=False,
        empty_label=_("All groups"),
    )

    def filter(self, customers: QuerySet[Customer]) -> QuerySet[Customer]:
        data = self.valid_data()
        if query := (data["q"] or "").strip():
            condition = text_search(
                ["email", "first_name", "last_name", "company", "phone"], query
            ) | phone_search("phone", query)
            # "Marie Dupont" should find Marie Dupont: match every word against the names.
            words = query.split()
            if len(words) > 1:
                every_word = Q()
                for word in words:
                    every_word &= text_search(["first_name", "last_name"], word)
                condition |= every_word
            customers = customers.filter(condition)
        if data["group"]:
            customers = customers.filter(group=data["group"])
        return customers
