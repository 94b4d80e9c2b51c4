"""The *Catalogue* tab: what the last catalogue match bound, what it could not, and what the
export will create — reviewed by the admin before the export flows are enabled."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hiboutik.mappers.catalogue import (
    BARCODE_SHARED_CONNECT,
    BARCODE_SHARED_HIBOUTIK,
    HIBOUTIK_TAKEN,
    REF_EXT_SHARED_HIBOUTIK,
    SKU_TOO_LONG,
)
from hiboutik.models import CatalogueMatchItem
from hiboutik.selectors import (
    CATALOGUE_MATCH,
    bound_products_page,
    catalogue_match_items,
    config_or_none,
    last_catalogue_match,
    products_by_id,
    unbound_product_count,
    unbound_products_page,
)
from integrations.models import Integration
from integrations.selectors.bindings import binding_scope
from integrations.views.pages import page_of, render_tab

PAGE_SIZE = 50
LISTS = (
    ("conflicts", _("Conflicts")),
    ("hiboutik", _("Only in Hiboutik")),
    ("connect", _("Only in Connect (to create)")),
    ("matched", _("Bound")),
)
# What each conflict means and what the admin does about it.
CONFLICTS = {
    SKU_TOO_LONG: _(
        "SKU longer than 20 characters: Hiboutik would cut it, so it is neither matched by SKU "
        "nor exported. Shorten the SKU in Connect."
    ),
    BARCODE_SHARED_CONNECT: _(
        "This barcode is on several Connect products: none of them is matched by it. Keep it on "
        "one product."
    ),
    BARCODE_SHARED_HIBOUTIK: _(
        "This barcode is on several Hiboutik products or sizes: the product is not matched by "
        "it. Fix the barcodes in Hiboutik."
    ),
    REF_EXT_SHARED_HIBOUTIK: _(
        "Several Hiboutik products have this reference (products_ref_ext): the product is not "
        "matched. Keep the reference on one product in Hiboutik."
    ),
    HIBOUTIK_TAKEN: _(
        "The Hiboutik product (or size) is already bound to another Connect product: check "
        "which one is right."
    ),
}


@require_GET
def catalogue_review(request: HttpRequest, integration: Integration) -> HttpResponse:
    scope = binding_scope(integration, "product")
    config = config_or_none(integration)
    include_disabled = config is not None and not config.products.exclude_disabled_products
    shown = request.GET.get("list")
    if shown not in dict(LISTS):
        shown = "conflicts"
    conflicts = catalogue_match_items(integration, CatalogueMatchItem.Kind.CONFLICT)
    only_hiboutik = catalogue_match_items(integration, CatalogueMatchItem.Kind.ONLY_HIBOUTIK)
    rows = {
        "conflicts": conflicts,
        "hiboutik": only_hiboutik,
        "connect": unbound_products_page(scope, include_disabled=include_disabled),
        "matched": bound_products_page(scope),
    }[shown]
    page = page_of(request, rows, PAGE_SIZE)
    items = list(page.object_list)
    if shown == "conflicts":
        named = products_by_id(pid for item in items for pid in item.product_ids)
        items = [
            {
                "item": item,
                "meaning": CONFLICTS.get(item.code, item.code),
                "products": [named[pid] for pid in item.product_ids if pid in named],
            }
            for item in items
        ]
    counts = {
        "conflicts": conflicts.count(),
        "hiboutik": only_hiboutik.count(),
        "connect": unbound_product_count(scope, include_disabled=include_disabled),
        "matched": bound_products_page(scope).count(),
    }
    return render_tab(
        request,
        integration,
        "catalogue",
        "hiboutik/catalogue_review.html",
        {
            "run": last_catalogue_match(integration),
            "flow_key": CATALOGUE_MATCH,
            "lists": LISTS,
            "shown": shown,
            "counts": counts,
            "page_obj": page,
            "items": items,
        },
    )
