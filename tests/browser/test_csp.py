"""No page breaks the Content-Security-Policy: a signed-in administrator follows every link from
the home page (the back office and the Django admin), and the CSP watch of every browser test
(tests/browser/csp.py) fails on any violation. htmx swaps are exercised by the page tests, under
the same watch."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from integrations.models import Notification
from tests.factories import (
    add_image,
    make_admin,
    make_completed_order,
    make_customer,
    make_product,
    make_rma,
    make_store,
    make_warehouse,
    set_stock,
)

pytestmark = pytest.mark.browser

# Links that end the session or only change the language are not pages to check.
SKIPPED = re.compile(r"^/(logout|admin/logout|i18n)/")
MAX_PAGES = 250


# Django admin pages that render one template for every model whatever its fields (Django's
# own, without inline code): one visit each. Lists and forms, which differ by model (widgets,
# inlines, third-party templates), are all visited.
ADMIN_GENERIC = [
    (re.compile(r"^/admin/[^/]+/[^/]+/N/(history|delete)/$"), r"/admin/*/*/N/\1/"),
    (re.compile(r"^/admin/(?!password_change)[^/]+/$"), "/admin/*/"),
]


def shape(url: str) -> str:
    """One visit per kind of page: ids, filters and sort orders render the same templates."""
    path = re.sub(r"\d+", "N", urlsplit(url).path)
    for pattern, generic in ADMIN_GENERIC:
        path = pattern.sub(generic, path)
    return path


def crawl(page, site: str) -> dict[str, int]:
    """Status of every page reachable by links from the home page, one per kind of page."""
    # Some admin forms are heavy (every permission in a widget): a loaded machine needs time.
    page.set_default_navigation_timeout(30_000)
    seen_shapes: set[str] = set()
    statuses: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        statuses[path] = response.status if response else 0
        if not page.url.startswith(site):
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url, _fragment = urldefrag(href)
            if not url.startswith(site):
                continue
            local = url[len(site) :] or "/"
            if SKIPPED.match(local) or shape(local) in seen_shapes:
                continue
            seen_shapes.add(shape(local))
            queue.append(local)
    return statuses


def test_every_page_a_link_leads_to_keeps_the_content_security_policy(page, log_in, site):
    warehouse = make_warehouse("MAIN", name="Dépôt central")
    product = make_product("MUG-01", name="Mug émaillé")
    add_image(product)
    set_stock(product, warehouse, 8)
    store = make_store(warehouse=warehouse)
    order = make_completed_order(store, customer=make_customer(first_name="Léa"))
    make_rma(order, refund=True)
    Notification.objects.create(title="Import en erreur", message="Stock manquant", url="/")
    log_in(make_admin(username="root", is_staff=True, is_superuser=True))

    statuses = crawl(page, site)

    assert {path: status for path, status in statuses.items() if status >= 400} == {}
    shapes = {shape(path) for path in statuses}
    assert {
        "/sales/orders/",
        "/inventory/products/N/",
        "/integrations/",
        "/admin/",
        "/admin/inventory/product/N/change/",
        "/admin/django_celery_beat/periodictask/add/",
        "/admin/axes/accesslog/",
    } <= shapes


def test_the_watch_reports_an_inline_script_the_policy_blocked(browser, site):
    context = browser.new_context(base_url=site)
    tab = context.new_page()
    tab.goto("/login/")
    tab.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.ranInline = true";
        document.body.append(script);
        document.body.setAttribute("onclick", "window.ranHandler = true");
        document.body.click();
    }"""
    )
    assert tab.evaluate("window.ranInline === undefined && window.ranHandler === undefined")
    context.close()

    directives = {violation.get("directive") for violation in browser.violations}
    assert "script-src-elem" in directives
    assert "script-src-attr" in directives
    browser.violations.clear()  # seen on purpose: the test would fail on them otherwise
