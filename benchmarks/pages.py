"""Database queries of the pages operators use all day, requested with Django's test client
by a logged-in admin: the list pages, an order's detail and each of its tabs, and the mass
stock edit.

A list page must cost the same whatever it shows: each list is measured showing one row, a full
page, and (full and quick runs) a full page of a table ten times bigger, and any query added by
a displayed row breaks an invariant. A page's count includes what every page pays: the session,
the user, their permissions and the unread notifications of the top bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from PIL import Image

from benchmarks.checks import check
from benchmarks.data import Shop, import_order, make_products, make_shop, place_order
from benchmarks.measure import RECORDED, Runs, Sample, measure
from benchmarks.query_tables import Growth, add_sample, growth, growth_table, query_table
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
from connect.roles import ADMIN
from inventory.models import Product, StockItem
from inventory.services import product_image_add
from inventory.views import GRID_SIZE
from inventory.views import PAGE_SIZE as PRODUCT_PAGE_SIZE
from sales.models import Customer, CustomerGroup, Order, Rma, RmaStatus
from sales.services import (
    RefundLineSpec,
    RmaLineSpec,
    customer_create,
    refund_create,
    rma_create,
)
from sales.views import ORDER_TABS
from sales.views import PAGE_SIZE as ORDER_PAGE_SIZE

NAME = "pages"
TITLE = "Pages: database queries"

ORDER_TAB_KEYS = tuple(tab.key for tab in ORDER_TABS)
GRID_PREFIX = "GRID"


@dataclass(frozen=True)
class Sizes:
    tenfold: bool  # also a full page of a table ten times the page size
    detail_lines: tuple[int, int]  # the order detail, measured for both
    edit_rows: tuple[int, int]  # mass stock edit: the changed rows of the two batches
    edit_errors: int  # rows in error in the largest batch
    runs: Runs


SIZES = {
    Mode.FULL: Sizes(
        tenfold=True, detail_lines=(1, 10), edit_rows=(10, 50), edit_errors=5, runs=RECORDED
    ),
    Mode.QUICK: Sizes(
        tenfold=True,
        detail_lines=(1, 10),
        edit_rows=(10, 50),
        edit_errors=5,
        runs=Runs(repeats=2),
    ),
    # Still warmed up: a cold first request pays the caches' queries and would hide growth.
    Mode.SMOKE: Sizes(
        tenfold=False,
        detail_lines=(1, 3),
        edit_rows=(2, 5),
        edit_errors=1,
        runs=Runs(repeats=1),
    ),
}


@dataclass(frozen=True)
class ListPage:
    key: str
    label: str
    unit: str
    page_size: int


LIST_PAGES = (
    ListPage("customer_list", "Customer list", "customer", ORDER_PAGE_SIZE),
    ListPage("product_list", "Product list (with images)", "product", PRODUCT_PAGE_SIZE),
    ListPage("stock_grid", "Mass stock edit grid (GET)", "product", GRID_SIZE),
    ListPage("order_list", "Order list", "order", ORDER_PAGE_SIZE),
    ListPage("rma_list", "Return (RMA) list", "return", ORDER_PAGE_SIZE),
)


def _list_targets(page: ListPage) -> tuple[Target, Target]:
    return (
        Target(
            f"{page.key}_per_displayed_row",
            f"{page.label}: queries added per displayed row (1 → {page.page_size} rows)",
            "<=",
            0,
            invariant=True,
            reason="a query per displayed row (N+1) makes every list slower as it fills",
        ),
        Target(
            f"{page.key}_added_at_10x",
            f"{page.label}: queries added by a table 10× bigger ({page.page_size} → "
            f"{10 * page.page_size:,} rows, one full page shown)",
            "<=",
            0,
            invariant=True,
            reason="a page reads what it shows, whatever the size of the table",
        ),
    )


TARGETS = (
    *(target for page in LIST_PAGES for target in _list_targets(page)),
    Target(
        "detail_per_line",
        "Order detail, worst tab: queries added per order line",
        "<=",
        0,
        invariant=True,
        reason="a tab reads its rows in a fixed number of queries",
    ),
    Target(
        "get_writes",
        "Writes made by any page shown (GET)",
        "==",
        0,
        invariant=True,
        reason="showing a page changes nothing",
    ),
    Target(
        "mass_edit_per_row",
        "Mass stock edit (POST): queries added per changed row",
        "<=",
        0,
        invariant=True,
        reason="a 500-row import must cost what a 10-row one does: one batch",
    ),
    Target(
        "mass_edit_per_error",
        "Mass stock edit (htmx POST): queries added per row in error",
        "<=",
        1,
        invariant=True,
        reason="a bad row may cost its own savepoint, never more",
    ),
)


def describe(sizes: Sizes) -> str:
    tenfold = (
        ", and a full page of a table ten times the page size"
        if sizes.tenfold
        else " (the table ten times bigger is measured in full and quick runs)"
    )
    return f"""\
**What.** The pages operators use all day, requested through Django's test client by a
logged-in admin. Each list page (customers, products, the mass stock edit grid, orders,
returns) is measured showing one row, a full page{tenfold}. The customer and product rows are
varied (some with a group, a company, an image), orders mix completed POS sales and new orders
holding their stock, half with a customer account. Then an order's detail on each of its six
tabs, as a full page and as the htmx panel the browser asks for when a tab is clicked, for an
order of {sizes.detail_lines[0]} and of {sizes.detail_lines[1]} lines (invoiced, shipped,
returned and refunded). Last, the mass stock edit saves {sizes.edit_rows[0]} and
{sizes.edit_rows[1]} changed rows (form post then redirect, and htmx post), and
{sizes.edit_rows[1]} rows of which {sizes.edit_errors} are typed wrong.

**Why.** A list page must cost the same number of queries whatever it shows, and a tab must
read its rows in a fixed number of queries: the invariants below fail the run as soon as a
displayed row or an order line adds one (an N+1). The mass stock edit is how operators count
stock, and a CSV import of hundreds of rows goes through the same service."""


def _admin_client() -> Client:
    user = get_user_model().objects.create_user(username="benchmark-admin")
    user.groups.add(Group.objects.get(name=ADMIN))
    client = Client()
    client.force_login(user)
    return client


def _png(number: int) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (16, 16), (number % 256, number // 256 % 256, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def _page(client: Client, runs: Runs, path: str, *, status: int = 200, **headers: str) -> Sample:
    sample = measure(lambda _argument: client.get(path, headers=headers or None), runs)
    for response in sample.outcomes:
        check(response.status_code == status, f"GET {path}: {response.status_code}")
    return sample


class Rows:
    """Brings one list's table to a number of rows, made through the domain services."""

    def __init__(self, make: Callable[[int], None], count: Callable[[], int]) -> None:
        self.make, self.count = make, count

    def grow_to(self, rows: int) -> None:
        missing = rows - self.count()
        check(missing >= 0, f"already {self.count()} rows, more than {rows}")
        for _ in range(missing):
            self.make(self.count())


def _customers() -> Rows:
    groups = [
        CustomerGroup.objects.create(code=code, name=name)
        for code, name in (("PRO", "Professionnels"), ("VIP", "Clients fidèles"))
    ]

    def make(number: int) -> None:
        customer_create(
            email=f"client{number}@example.fr",
            first_name="Claire",
            last_name=f"Martin {number:05d}",
            company="Atelier Martin" if number % 4 == 1 else "",
            city="Lyon",
            group=groups[number % 2] if number % 3 == 0 else None,
        )

    return Rows(make, Customer.objects.count)


def _products() -> Rows:
    def make(number: int) -> None:
        product = make_products(1, prefix=f"CAT{number:05d}")[0]
        if number % 5:  # most products have an image, not all
            product_image_add(product=product, content=_png(product.pk), filename="photo.png")

    return Rows(make, Product.objects.count)


def _grid_products(shop: Shop) -> Rows:
    def make(number: int) -> None:
        make_products(
            1,
            prefix=f"{GRID_PREFIX}{number:05d}",
            warehouse=shop.warehouse,
            stock=number % 7,  # some rows without stock: they have no StockItem yet
        )

    return Rows(make, lambda: Product.objects.filter(sku__startswith=GRID_PREFIX).count())


def _orders(shop: Shop) -> Rows:
    customers = list(Customer.objects.order_by("pk")[:5])
    products = make_products(3, prefix="LIST", warehouse=shop.warehouse, stock=1_000_000)

    def make(number: int) -> None:
        # Half the orders have a customer account, half are guests; one in four is a
        # completed POS sale, the others are new orders holding their stock.
        customer = customers[number % len(customers)] if number % 2 and customers else None
        chosen = products[: 1 + number % 3]
        if number % 4 == 0:
            import_order(shop, chosen, f"list-{number}", customer=customer)
        else:
            place_order(shop, chosen, customer=customer)

    return Rows(make, Order.objects.count)


def _returns(shop: Shop) -> Rows:
    """Returns of one unit each, ten on each of several sales (some with a customer)."""
    products = make_products(3, prefix="RMA", warehouse=shop.warehouse, stock=1_000_000)
    customers = list(Customer.objects.order_by("pk")[:3])
    sales: list[Order] = []

    def make(number: int) -> None:
        if number % 10 == 0:
            customer = customers[len(sales) % len(customers)] if len(sales) % 2 else None
            sales.append(
                import_order(
                    shop, products, f"rma-sale-{len(sales)}", quantity=4, customer=customer
                )
            )
        order = sales[-1]
        line = list(order.lines.all())[number % 3]
        rma_create(
            order=order,
            lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=number % 2 == 0)],
            status=RmaStatus.RECEIVED if number % 3 else RmaStatus.AUTHORIZED,
        )

    return Rows(make, Rma.objects.count)


def _shown(response: Any) -> int:
    context = response.context
    if "page_obj" in context and context["page_obj"] is not None:
        return len(context["page_obj"].object_list)
    return len(context["rows"])


def _measure_list(client: Client, page: ListPage, rows: Rows, path: str, sizes: Sizes) -> dict:
    results: dict[int, Sample] = {}
    counts = (1, page.page_size, 10 * page.page_size) if sizes.tenfold else (1, page.page_size)
    for count in counts:
        rows.grow_to(count)
        sample = _page(client, sizes.runs, path)
        shown = _shown(sample.outcomes[-1])
        check(shown == min(count, page.page_size), f"{page.label} shows {shown} of {count}")
        results[count] = sample
    return results


def _list_pages(client: Client, shop: Shop, sizes: Sizes) -> dict[str, dict[int, Sample]]:
    # In this order: each list's table is grown only once the lists counting the same rows
    # (customers before orders, products before the grid's products) are measured.
    grid = (
        reverse("inventory:stock_mass_edit")
        + "?"
        + urlencode({"warehouse": shop.warehouse.pk, "q": GRID_PREFIX})
    )
    makers = {
        "customer_list": (_customers, reverse("sales:customer_list")),
        "product_list": (_products, reverse("inventory:product_list")),
        "stock_grid": (lambda: _grid_products(shop), grid),
        "order_list": (lambda: _orders(shop), reverse("sales:order_list")),
        "rma_list": (lambda: _returns(shop), reverse("sales:rma_list")),
    }
    results = {}
    for page in LIST_PAGES:
        make_rows, path = makers[page.key]
        results[page.key] = _measure_list(client, page, make_rows(), path, sizes)
    return results


def _full_order(shop: Shop, lines: int) -> Order:
    """Invoiced, shipped, partly returned and refunded: every tab has rows to show."""
    products = make_products(lines, prefix=f"FULL{lines}", warehouse=shop.warehouse, stock=100)
    order = import_order(shop, products, f"full-order-{lines}", quantity=2)
    order_lines = list(order.lines.all())
    rma = rma_create(
        order=order,
        lines=[
            RmaLineSpec(order_line=line, quantity=1, back_to_stock=True) for line in order_lines
        ],
        status=RmaStatus.RECEIVED,
    )
    refund_create(
        order=order,
        rma=rma,
        lines=[RefundLineSpec(order_line=line, quantity=1) for line in order_lines],
    )
    return order


def _order_detail(client: Client, shop: Shop, sizes: Sizes) -> dict[str, dict[int, Sample]]:
    results: dict[str, dict[int, Sample]] = {}
    for lines in sizes.detail_lines:
        url = reverse("sales:order_detail", args=[_full_order(shop, lines).number])
        for tab in ORDER_TAB_KEYS:
            results.setdefault(f"page, tab {tab}", {})[lines] = _page(
                client, sizes.runs, f"{url}?tab={tab}"
            )
            # What the browser asks for when the operator clicks the tab: the panel alone.
            results.setdefault(f"htmx panel, tab {tab}", {})[lines] = _page(
                client, sizes.runs, f"{url}?tab={tab}", hx_request="true"
            )
    return results


def _grid_post(shop: Shop, products: list[Product], bump: int, errors: int = 0) -> dict:
    """The grid as submitted: every row changed from the quantity it was shown with, the
    first ``errors`` rows typed wrong (a count in words)."""
    shown = dict(
        StockItem.objects.filter(warehouse=shop.warehouse, product__in=products).values_list(
            "product_id", "physical"
        )
    )
    data = {}
    for index, product in enumerate(products):
        before = shown.get(product.pk, 0)
        data[f"orig-{product.pk}"] = str(before)
        data[f"qty-{product.pk}"] = "douze" if index < errors else str(before + bump)
    return data


def _mass_edit(client: Client, shop: Shop, sizes: Sizes) -> dict[str, Sample]:
    url = f"{reverse('inventory:stock_mass_edit')}?warehouse={shop.warehouse.pk}"
    small, large = sizes.edit_rows
    grid = list(Product.objects.filter(sku__startswith=GRID_PREFIX).order_by("sku")[:large])
    if len(grid) < large:
        _grid_products(shop).grow_to(large)
        grid = list(Product.objects.filter(sku__startswith=GRID_PREFIX).order_by("sku")[:large])

    def post(data: dict[str, str], **headers: str) -> Any:
        return client.post(url, data, headers=headers or None)

    results = {}
    for rows in (small, large):
        sample = measure(
            post, sizes.runs, prepare=lambda n, rows=rows: _grid_post(shop, grid[:rows], 1)
        )
        for response in sample.outcomes:
            check(response.status_code == 302, f"mass edit POST: {response.status_code}")
        results[f"POST {rows} changed rows, then redirect"] = sample

    sample = measure(
        lambda data: post(data, hx_request="true"),
        sizes.runs,
        prepare=lambda n: _grid_post(shop, grid, 1),
    )
    for response in sample.outcomes:
        summary = response.context["summary"]
        check(
            response.status_code == 200 and summary["changed"] == large,
            f"htmx mass edit POST: {response.status_code}, {summary}",
        )
    results[f"htmx POST {large} changed rows (grid swapped in place)"] = sample

    errors = sizes.edit_errors
    sample = measure(
        lambda data: post(data, hx_request="true"),
        sizes.runs,
        prepare=lambda n: _grid_post(shop, grid, 1, errors=errors),
    )
    for response in sample.outcomes:
        summary = response.context["summary"]
        check(
            response.status_code == 200
            and summary["failed"] == errors
            and summary["changed"] == large - errors,
            f"mass edit POST with {errors} bad rows: {response.status_code}, {summary}",
        )
    results[f"htmx POST {large} rows, {errors} typed wrong (shown with their errors)"] = sample
    return results


def run(sizes: Sizes) -> Outcome:
    shop = make_shop()
    client = _admin_client()
    lists = _list_pages(client, shop, sizes)
    detail = _order_detail(client, shop, sizes)
    mass_edit = _mass_edit(client, shop, sizes)
    outcome = Outcome()

    lists_table = query_table("List pages", ["Page", "Rows in the table", "Rows shown"])
    growth_rows = growth_table()
    for page in LIST_PAGES:
        samples = lists[page.key]
        for count, sample in samples.items():
            add_sample(lists_table, sample, page.label, count, min(count, page.page_size))
        _list_figures(outcome, page, samples, growth_rows)

    detail_table = query_table(
        "Order detail: an order invoiced, shipped, returned and refunded", ["Request", "Lines"]
    )
    worst: Growth | None = None
    for label, by_lines in detail.items():
        for lines, sample in by_lines.items():
            add_sample(detail_table, sample, label, lines)
        tab = growth(f"Order detail, {label}", "line", by_lines)
        if tab is not None and (worst is None or tab.per_unit > worst.per_unit):
            worst = tab
    if worst is not None:
        growth_rows.add(*worst.row())
        outcome.figures["detail_per_line"] = worst.per_unit
        outcome.explanations["detail_per_line"] = f"{worst.operation}: {worst.explanation()}"

    edit_table = query_table(
        "Mass stock edit (Inventaire > Edition des stocks en masse)", ["Request"]
    )
    for label, sample in mass_edit.items():
        add_sample(edit_table, sample, label)
    _mass_edit_figures(outcome, sizes, mass_edit, growth_rows)

    gets = [s for samples in lists.values() for s in samples.values()]
    gets += [s for by_lines in detail.values() for s in by_lines.values()]
    outcome.figures["get_writes"] = max(sample.queries.writes for sample in gets)
    outcome.tables = [lists_table, detail_table, edit_table, growth_rows]
    return outcome


def _list_figures(
    outcome: Outcome, page: ListPage, samples: dict[int, Sample], table: Table
) -> None:
    one, full = 1, page.page_size
    shown = growth(
        f"{page.label}, rows shown", "displayed row", {n: samples[n] for n in (one, full)}
    )
    table.add(*shown.row())
    outcome.figures[f"{page.key}_per_displayed_row"] = shown.per_unit
    outcome.explanations[f"{page.key}_per_displayed_row"] = shown.explanation()
    if 10 * full in samples:
        bigger = growth(
            f"{page.label}, rows in the table", "row", {n: samples[n] for n in (full, 10 * full)}
        )
        table.add(*bigger.row())
        outcome.figures[f"{page.key}_added_at_10x"] = bigger.added
        outcome.explanations[f"{page.key}_added_at_10x"] = bigger.explanation()


def _mass_edit_figures(
    outcome: Outcome, sizes: Sizes, samples: dict[str, Sample], table: Table
) -> None:
    small, large = sizes.edit_rows
    by_rows = {rows: samples[f"POST {rows} changed rows, then redirect"] for rows in (small, large)}
    rows = growth("Mass stock edit POST", "changed row", by_rows)
    table.add(*rows.row())
    outcome.figures["mass_edit_per_row"] = rows.per_unit
    outcome.explanations["mass_edit_per_row"] = rows.explanation()
    errors = sizes.edit_errors
    clean = next(
        s for label, s in samples.items() if label.startswith(f"htmx POST {large} changed")
    )
    with_errors = next(s for label, s in samples.items() if "typed wrong" in label)
    above = with_errors.queries.total - clean.queries.total
    outcome.figures["mass_edit_per_error"] = above / errors
    outcome.explanations["mass_edit_per_error"] = (
        f"{large} rows of which {errors} typed wrong cost {with_errors.queries.total} queries, "
        f"{above} more than {large} good rows (htmx POST, the grid swapped in place both times)"
    )
