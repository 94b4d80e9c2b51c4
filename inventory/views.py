"""Catalogue and stock pages: product list and detail, mass stock edit. Writes go through
`inventory.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView

from connect.pagination import NearestPageMixin, nearest_page
from inventory.forms import (
    ProductFilterForm,
    StockEditOptionsForm,
    StockRow,
    StockSearchForm,
    posted_product_ids,
    read_edits,
    search_products,
    stock_rows,
)
from inventory.models import Product, ProductImage, StockItem, Warehouse
from inventory.services import stock_set_many

PAGE_SIZE = 25
GRID_SIZE = 50
RECENT_MOVEMENTS = 20


def _stock_of(product: Product, field: str) -> Coalesce:
    """For each warehouse row: `field` of this product's StockItem there, 0 when none."""
    rows = StockItem.objects.filter(product=product, warehouse=OuterRef("pk")).values(field)
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), 0)


def _stock_in(warehouse: Warehouse, field: str) -> Coalesce:
    """For each product row: `field` of its StockItem in `warehouse`, 0 when none."""
    rows = StockItem.objects.filter(product=OuterRef("pk"), warehouse=warehouse).values(field)
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), 0)


class ProductListView(PermissionRequiredMixin, NearestPageMixin, ListView):
    permission_required = "inventory.view_product"
    template_name = "inventory/product_list.html"
    paginate_by = PAGE_SIZE

    def get_filter_form(self) -> ProductFilterForm:
        if not hasattr(self, "_filter_form"):
            self._filter_form = ProductFilterForm(self.request.GET or None)
        return self._filter_form

    def get_queryset(self) -> QuerySet[Product]:
        products = Product.objects.annotate(
            physical=Coalesce(Sum("stock_items__physical"), 0),
            available=Coalesce(Sum(F("stock_items__physical") - F("stock_items__reserved")), 0),
        ).prefetch_related(
            Prefetch("images", ProductImage.objects.order_by("position", "id"), to_attr="gallery")
        )
        return self.get_filter_form().filter(products).order_by("sku")

    def get_context_data(self, **kwargs) -> dict:
        form = self.get_filter_form()
        return super().get_context_data(
            filter_form=form, filtered=form.is_bound and form.has_changed(), **kwargs
        )


class ProductDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "inventory.view_product"
    template_name = "inventory/product_detail.html"
    context_object_name = "product"
    queryset = Product.objects.all()

    def get_context_data(self, **kwargs) -> dict:
        product = self.object
        # Every active warehouse, plus inactive ones still holding this product's stock.
        warehouses = (
            Warehouse.objects.filter(Q(active=True) | Q(stock_items__product=product))
            .distinct()
            .annotate(
                physical=_stock_of(product, "physical"), reserved=_stock_of(product, "reserved")
            )
            .annotate(available=F("physical") - F("reserved"))
            .order_by("name")
        )
        return super().get_context_data(
            warehouses=warehouses,
            images=product.images.order_by("position", "id"),
            movements=product.movements.select_related("warehouse", "user")[:RECENT_MOVEMENTS],
            can_edit_stock=self.request.user.has_perm("inventory.change_stockitem"),
            **kwargs,
        )


def _grid_products(warehouse: Warehouse) -> QuerySet[Product]:
    return Product.objects.annotate(
        physical=_stock_in(warehouse, "physical"), reserved=_stock_in(warehouse, "reserved")
    ).order_by("sku")


def _summary(changed: int, failed: int) -> dict:
    summary = {
        "changed": changed,
        "failed": failed,
        "text": ngettext("%(count)s row changed.", "%(count)s rows changed.", changed)
        % {"count": number_format(changed, force_grouping=True)},
    }
    if failed:
        summary["errors"] = ngettext(
            "%(count)s row has an error and was not saved.",
            "%(count)s rows have errors and were not saved.",
            failed,
        ) % {"count": number_format(failed, force_grouping=True)}
    return summary


def _save_grid(
    request: HttpRequest, warehouse: Warehouse, options: StockEditOptionsForm
) -> tuple[list[StockRow], dict]:
    """Apply the submitted grid; returns its rows (with errors and saved marks) and a summary.
    Four queries for the page's rows however many there are, plus the service's constant."""
    ids = posted_product_ids(request.POST)
    rows = stock_rows(_grid_products(warehouse).filter(pk__in=ids))
    edits = read_edits(rows, request.POST)
    if not options.is_valid():
        return rows, {
            "changed": 0,
            "failed": len(edits),
            "text": gettext("Nothing was saved."),
            "errors": gettext("Check the reason and the note below, then save again."),
        }
    result = stock_set_many(
        warehouse=warehouse,
        quantities=edits,
        reason=options.cleaned_data["reason"],
        note=options.cleaned_data["note"],
        user=request.user,
    )

    # Show the rows as they are now, keeping what was typed where it was refused.
    fresh = {p.pk: p for p in _grid_products(warehouse).filter(pk__in=[r.product.pk for r in rows])}
    for row in rows:
        pk = row.product.pk
        row.physical, row.reserved = fresh[pk].physical, fresh[pk].reserved
        if pk in result.errors:
            row.error = str(result.errors[pk])
        else:
            row.value = str(row.physical)
            row.saved = result.movements.get(pk) is not None
    return rows, _summary(len(result.changed), len(result.errors))


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_stockitem", raise_exception=True)
def stock_mass_edit(request: HttpRequest) -> HttpResponse:
    """Inventaire > Édition des stocks en masse: type new physical quantities (or `+N` / `−N`
    changes), give a reason, save them all.

    Works as a plain form (post, then redirect back) and with htmx (the grid is swapped in
    place). A bad row is shown with its error, the others save.
    """
    search = StockSearchForm(request.GET or None)
    warehouse = search.selected_warehouse()
    options = StockEditOptionsForm(request.POST if request.method == "POST" else None)
    context = {"search": search, "warehouse": warehouse, "summary": None, "options": options}
    if warehouse is None:
        return render(request, "inventory/stock_mass_edit.html", context)
    context["grid_query"] = urlencode(search.query_params(warehouse))

    if request.method == "POST":
        rows, summary = _save_grid(request, warehouse, options)
        if not summary["failed"] and not request.htmx:
            messages.success(request, summary["text"])
            return redirect(request.get_full_path())
        context.update(rows=rows, summary=summary, page_obj=None)
    else:
        products = search_products(_grid_products(warehouse), search.search_query())
        page = nearest_page(Paginator(products, GRID_SIZE), request.GET.get("page"))
        context.update(rows=stock_rows(page.object_list), page_obj=page)

    template = "inventory/stock_grid.html" if request.htmx else "inventory/stock_mass_edit.html"
    return render(request, template, context)
