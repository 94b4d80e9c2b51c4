"""``python -m tests.benchmarks.n_plus_one ARGS``: the benchmarks, with one query per displayed
row added to every list page, as a forgotten ``select_related`` or a per-row lookup would.

Used by test_run.py to prove that the list pages' growth checks fail when they should.
"""

import sys

import benchmarks.run as run


def inject() -> None:
    from inventory import views as inventory_views
    from sales.views import CustomerListView, OrderListView, RmaListView

    # A queryset that forgot its select_related: each row reads its store (orders, returns),
    # its order (returns) or its group (customers) on its own.
    for view in (OrderListView, RmaListView, CustomerListView):
        view.queryset = view.queryset.select_related(None)

    # A per-row lookup added to a page's context.
    product_context = inventory_views.ProductListView.get_context_data

    def product_context_per_row(self, **kwargs):
        context = product_context(self, **kwargs)
        for product in context["object_list"]:
            product.movements.exists()
        return context

    inventory_views.ProductListView.get_context_data = product_context_per_row

    stock_rows = inventory_views.stock_rows

    def stock_rows_per_row(products):
        rows = stock_rows(products)
        for row in rows:
            row.product.images.exists()
        return rows

    inventory_views.stock_rows = stock_rows_per_row


def main() -> int:
    setup = run.setup_django

    def setup_then_inject() -> None:
        setup()
        inject()

    run.setup_django = setup_then_inject
    return run.main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
