"""The *Inventaire* tab: every bound product with Connect's available stock, the stock
Hiboutik is believed to hold, whether they agree and when it was last pushed; *Forcer la
resynchronisation* for one product or all."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from hiboutik.selectors import config_or_none
from integrations.models import Integration
from integrations.selectors.bindings import binding_scope
from integrations.selectors.external_stock import stock_sync_rows
from integrations.services.external_stock import external_stock_resync
from integrations.views.pages import page_of, render_tab

PAGE_SIZE = 50


class InventorySearch(forms.Form):
    q = forms.CharField(label=_("SKU"), required=False, max_length=64)


class ResyncForm(forms.Form):
    """One product (`product`) or every bound one (`all`)."""

    product = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("product"):
            raise forms.ValidationError(_("Choose a product, or all of them."))
        return cleaned


@require_http_methods(["GET", "POST"])
def inventory(request: HttpRequest, integration: Integration) -> HttpResponse:
    scope = binding_scope(integration, "product")
    if request.method == "POST":
        return _resync(request, integration, scope)
    search = InventorySearch(request.GET)
    sku = search.cleaned_data["q"] if search.is_valid() else ""
    config = config_or_none(integration)
    warehouse_ids = config.stock.connect_warehouse_ids if config else ()
    rows = stock_sync_rows(integration, scope=scope, warehouse_ids=warehouse_ids, sku=sku)
    page = page_of(request, rows, PAGE_SIZE)
    return render_tab(
        request,
        integration,
        "inventory",
        "hiboutik/inventory_tab.html",
        {
            "search": search,
            "searched": bool(sku),
            "page_obj": page,
            "rows": list(page.object_list),
            "configured": bool(warehouse_ids and config and config.stock.hiboutik_warehouse_id),
        },
    )


def _resync(request: HttpRequest, integration: Integration, scope: str) -> HttpResponse:
    form = ResyncForm(request.POST)
    if form.is_valid():
        product = None if form.cleaned_data["all"] else [form.cleaned_data["product"]]
        marked = external_stock_resync(integration=integration, scope=scope, product_ids=product)
        messages.success(
            request,
            ngettext(
                "%(count)s product will be compared and pushed by the next stock export.",
                "%(count)s products will be compared and pushed by the next stock export.",
                marked,
            )
            % {"count": marked}
            if marked
            else gettext("No bound product to resynchronise."),
        )
    else:
        messages.error(request, " ".join(form.non_field_errors()) or gettext("Nothing chosen."))
    return redirect(request.get_full_path())
