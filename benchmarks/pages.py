"""Database queries of the pages operators use all day, requested with Django's test client
by a logged-in admin: the order list, an order's detail and each of its tabs, the product list,
and the mass stock edit (show a grid of 50, save 50 changed rows).

A page's count includes what every page pays: the session, the user, their permissions and the
unread notifications of the top bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from PIL import Image

from benchmarks.checks import check
from benchmarks.data import Shop, import_order, make_products, make_shop, place_order
from benchmarks.measure import RECORDED, SMOKE, Runs, Sample, measure
from benchmarks.query_tables import add_sample, growth, growth_table, query_table
from benchmarks.results import BenchmarkResult
from connect.roles import ADMIN
from inventory.models import Product, StockItem
from inventory.services import product_image_add
from sales.models import Order, RmaStatus
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


@dataclass(frozen=True)
class Sizes:
    orders: tuple[int, ...]
    products: tuple[int, ...]
    detail_lines: int
    grid_rows: int
    runs: Runs


FULL = Sizes(orders=(20, 200), products=(30, 300), detail_lines=10, grid_rows=50, runs=RECORDED)
QUICK = Sizes(orders=(5,), products=(10,), detail_lines=2, grid_rows=5, runs=SMOKE)


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


def _get(client: Client, path: str, **headers: str) -> Any:
    return lambda _argument: client.get(path, headers=headers or None)


def _page(client: Client, runs: Runs, path: str, *, status: int = 200, **headers: str) -> Sample:
    sample = measure(_get(client, path, **headers), runs)
    for response in sample.outcomes:
        check(response.status_code == status, f"GET {path}: {response.status_code}")
    return sample


def _order_lists(client: Client, shop: Shop, sizes: Sizes) -> dict[int, Sample]:
    customers = [
        customer_create(email=f"client{n}@example.fr", first_name="Claire", last_name=f"N{n}")
        for n in range(5)
    ]
    products = make_products(3, prefix="LIST", warehouse=shop.warehouse, stock=100_000)
    url = reverse("sales:order_list")
    results = {}
    made = 0
    for count in sizes.orders:
        while made < count:
            # Half the orders have a customer account, half are guests; one in four is a
            # completed POS sale, the others are new orders holding their stock.
            customer = customers[made % len(customers)] if made % 2 else None
            chosen = products[: 1 + made % 3]
            if made % 4 == 0:
                import_order(shop, chosen, f"list-{made}", customer=customer)
            else:
                place_order(shop, chosen, customer=customer)
            made += 1
        sample = _page(client, sizes.runs, url)
        shown = len(sample.outcomes[-1].context["object_list"])
        check(shown == min(count, ORDER_PAGE_SIZE), f"order list shows {shown} of {count}")
        results[count] = sample
    return results


def _full_order(shop: Shop, lines: int) -> Order:
    """Invoiced, shipped, partly returned and refunded: every tab has rows to show."""
    products = make_products(lines, prefix="FULL", warehouse=shop.warehouse, stock=100)
    order = import_order(shop, products, "full-order", quantity=2)
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


def _order_detail(client: Client, shop: Shop, sizes: Sizes) -> dict[str, Sample]:
    order = _full_order(shop, sizes.detail_lines)
    url = reverse("sales:order_detail", args=[order.number])
    results = {}
    for tab in ORDER_TAB_KEYS:
        results[f"page, tab {tab}"] = _page(client, sizes.runs, f"{url}?tab={tab}")
        # What the browser asks for when the operator clicks the tab: the panel alone.
        results[f"htmx panel, tab {tab}"] = _page(
            client, sizes.runs, f"{url}?tab={tab}", hx_request="true"
        )
    return results


def _product_lists(client: Client, sizes: Sizes) -> dict[int, Sample]:
    url = reverse("inventory:product_list")
    results = {}
    for count in sizes.products:
        missing = count - Product.objects.count()
        check(missing >= 0, f"already {Product.objects.count()} products, more than {count}")
        for product in make_products(missing, prefix=f"CAT{count}"):
            product_image_add(product=product, content=_png(product.pk), filename="photo.png")
        sample = _page(client, sizes.runs, url)
        check(sample.outcomes[-1].context["paginator"].count == count, "product list count")
        results[count] = sample
    return results


def _grid_post(shop: Shop, products: list[Product], bump: int) -> dict[str, str]:
    """The grid as submitted: every row changed from the quantity it was shown with."""
    shown = dict(
        StockItem.objects.filter(warehouse=shop.warehouse, product__in=products).values_list(
            "product_id", "physical"
        )
    )
    data = {}
    for product in products:
        before = shown.get(product.pk, 0)
        data[f"orig-{product.pk}"] = str(before)
        data[f"qty-{product.pk}"] = str(before + bump)
    return data


def _mass_edit(client: Client, shop: Shop, sizes: Sizes) -> dict[str, Sample]:
    url = f"{reverse('inventory:stock_mass_edit')}?warehouse={shop.warehouse.pk}"
    grid = list(Product.objects.order_by("sku")[: sizes.grid_rows])
    check(len(grid) == sizes.grid_rows, f"fewer than {sizes.grid_rows} products for the grid")
    results = {f"GET ({sizes.grid_rows}-row grid)": _page(client, sizes.runs, url)}

    def post(data: dict[str, str], **headers: str) -> Any:
        return client.post(url, data, headers=headers or None)

    sample = measure(post, sizes.runs, prepare=lambda n: _grid_post(shop, grid, 1))
    for response in sample.outcomes:
        check(response.status_code == 302, f"mass edit POST: {response.status_code}")
    results[f"POST {sizes.grid_rows} changed rows, then redirect"] = sample

    sample = measure(
        lambda data: post(data, hx_request="true"),
        sizes.runs,
        prepare=lambda n: _grid_post(shop, grid, 1),
    )
    for response in sample.outcomes:
        summary = response.context["summary"]
        check(
            response.status_code == 200 and summary["changed"] == sizes.grid_rows,
            f"htmx mass edit POST: {response.status_code}, {summary}",
        )
    results[f"htmx POST {sizes.grid_rows} changed rows (grid swapped in place)"] = sample
    return results


def benchmark(sizes: Sizes, environment: dict[str, str]) -> BenchmarkResult:
    shop = make_shop()
    client = _admin_client()
    order_lists = _order_lists(client, shop, sizes)
    detail = _order_detail(client, shop, sizes)
    product_lists = _product_lists(client, sizes)
    mass_edit = _mass_edit(client, shop, sizes)

    lists_table = query_table("List pages (first page of 25)", ["Page", "Rows in the database"])
    for count, sample in order_lists.items():
        add_sample(lists_table, sample, "Order list", count)
    for count, sample in product_lists.items():
        add_sample(lists_table, sample, "Product list (with images)", count)

    detail_table = query_table(
        f"Order detail: an order of {sizes.detail_lines} lines, invoiced, shipped, returned "
        "and refunded",
        ["Request"],
    )
    for label, sample in detail.items():
        add_sample(detail_table, sample, label)

    edit_table = query_table(
        "Mass stock edit (Inventaire > Edition des stocks en masse)", ["Request"]
    )
    for label, sample in mass_edit.items():
        add_sample(edit_table, sample, label)

    growth_rows = growth_table("How the query count grows")
    findings = []
    for label, unit, samples in [
        ("Order list", "order", order_lists),
        ("Product list", "product", product_lists),
    ]:
        row, finding = growth(label, unit, samples)
        if row:
            growth_rows.add(*row)
        if finding:
            findings.append(finding)
    post_sample = next(s for label, s in mass_edit.items() if label.startswith("POST"))
    per_row = post_sample.queries.total / sizes.grid_rows
    findings.append(
        f"Saving the mass stock edit costs {post_sample.queries.total} queries for "
        f"{sizes.grid_rows} changed rows ({per_row:.1f} per row): each row is saved in its own "
        "transaction by design (a bad row must not undo the good ones)."
    )

    tables = [lists_table, detail_table, edit_table]
    if growth_rows.rows:
        tables.append(growth_rows)
    return BenchmarkResult(
        name=NAME,
        title=TITLE,
        environment=environment,
        tables=tables,
        findings=findings,
        data={
            "order_list": {str(n): s.as_dict() for n, s in order_lists.items()},
            "order_detail": {label: s.as_dict() for label, s in detail.items()},
            "product_list": {str(n): s.as_dict() for n, s in product_lists.items()},
            "stock_mass_edit": {label: s.as_dict() for label, s in mass_edit.items()},
        },
    )
