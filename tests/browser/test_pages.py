"""Every page renders in a real browser: login, orders (with each tab), returns, catalogue,
customers, mass stock edit, integrations, notifications, and both languages."""

import re

import pytest
from playwright.sync_api import expect

from integrations.models import Notification
from inventory.models import StockItem, StockMovement
from tests.browser.conftest import screenshot, session_cookie
from tests.factories import (
    PASSWORD,
    add_image,
    make_admin,
    make_completed_order,
    make_customer,
    make_ops,
    make_product,
    make_rma,
    make_store,
    make_warehouse,
    set_stock,
)

pytestmark = pytest.mark.browser


def test_login_form_signs_in_and_rejects_a_wrong_password(page):
    make_ops(username="marie")

    page.goto("/sales/orders/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/sales/orders/"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/sales/orders/$"))
    expect(page.get_by_role("heading", name="Commandes", level=1)).to_be_visible()

    page.locator("summary.user-button").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_order_list_filters_and_detail_tabs(page, log_in):
    store = make_store(name="Boutique Lyon")
    customer = make_customer(first_name="Léa", last_name="Durand", email="lea@example.fr")
    order = make_completed_order(store, customer=customer)
    rma = make_rma(order, refund=True, reason="Taille trop petite")
    other = make_completed_order(make_store(name="Boutique Paris"))
    log_in(make_ops())

    page.goto("/sales/orders/")
    table = page.locator("#order-table")
    expect(table.get_by_role("link", name=order.number)).to_be_visible()
    expect(table.get_by_role("link", name=other.number)).to_be_visible()
    screenshot(page, "order-list")

    page.get_by_label("Rechercher").fill("lea@example")
    page.get_by_role("button", name="Filtrer").click()
    expect(table.get_by_role("link", name=order.number)).to_be_visible()
    expect(table.get_by_role("link", name=other.number)).to_have_count(0)

    table.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", name=f"Commande {order.number}")).to_be_visible()
    panel = page.locator("#tab-panel")
    expect(panel).to_contain_text(order.lines.first().sku)
    screenshot(page, "order-detail-lines")

    # Tabs load in place through htmx: the page (and this marker) survives every click.
    page.evaluate("window.sameDocument = true")
    invoice = order.invoices.get()
    shipment = order.shipments.get()
    refund = order.refunds.get()
    for tab, expected in [
        ("Paiements", refund.number),
        ("Factures", invoice.number),
        ("Expéditions", shipment.number),
        ("Retours", rma.number),
        ("Historique", "Créée"),
        ("Lignes", order.lines.first().name),
    ]:
        page.get_by_role("tab", name=re.compile(tab)).click()
        expect(page.get_by_role("tab", name=re.compile(tab))).to_have_attribute(
            "aria-selected", "true"
        )
        expect(panel).to_contain_text(expected)
        screenshot(page, f"order-detail-{tab.lower()}")
    assert page.evaluate("window.sameDocument === true")

    # The tab is in the address: reloading (or sharing the link) opens the same tab.
    page.get_by_role("tab", name=re.compile("Factures")).click()
    expect(page).to_have_url(re.compile(r"tab=invoices"))
    page.reload()
    expect(page.locator("#tab-panel")).to_contain_text(invoice.number)

    page.goto(f"/sales/orders/{order.number}/?tab=rma")
    page.locator("#tab-panel").get_by_role("link", name=rma.number).click()
    expect(page.get_by_role("heading", name=f"Retour {rma.number}")).to_be_visible()
    expect(page.get_by_text("Taille trop petite")).to_be_visible()
    screenshot(page, "rma-detail")

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Retours clients"
    ).click()
    expect(page.get_by_role("link", name=rma.number)).to_be_visible()
    screenshot(page, "rma-list")


def test_mass_stock_edit_saves_a_quantity_and_reports_a_bad_one(page, log_in):
    warehouse = make_warehouse("MAIN", name="Dépôt central")
    make_warehouse("EAST", name="Dépôt est")
    shirt = make_product("TSHIRT-M", name="T-shirt M")
    cap = make_product("CAP-01", name="Casquette")
    set_stock(shirt, warehouse, 5)
    set_stock(cap, warehouse, 2)
    user = make_ops(username="paul")
    log_in(user)

    page.goto("/inventory/stock/mass-edit/")
    page.get_by_label("Dépôt", exact=True).select_option(label="Dépôt central (MAIN)")
    # The grid is swapped in for the chosen warehouse, then the address says so: typing before
    # that would fill the grid about to be replaced.
    expect(page).to_have_url(re.compile(r"warehouse=\d+"))
    shirt_qty = page.get_by_label("Quantité physique de TSHIRT-M")
    cap_qty = page.get_by_label("Quantité physique de CAP-01")
    expect(shirt_qty).to_have_value("5")
    screenshot(page, "mass-edit")

    shirt_qty.fill("12")
    cap_qty.fill("-3")
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Enregistrer les quantités").click()

    expect(page.get_by_test_id("summary")).to_have_text("1 ligne modifiée.")
    cap_row = page.locator("tr[data-sku='CAP-01']")
    expect(cap_row.locator(".field-error")).to_have_text(
        "Retirer 3 de 2 laisserait -1 : une quantité en stock ne peut pas être négative."
    )
    expect(cap_row.get_by_label("Quantité physique de CAP-01")).to_have_value("-3")
    expect(page.locator("tr[data-sku='TSHIRT-M']")).to_contain_text("Enregistré")
    screenshot(page, "mass-edit-saved")
    assert page.evaluate("window.sameDocument === true")  # saved in place by htmx

    assert StockItem.objects.get(product=shirt, warehouse=warehouse).physical == 12
    assert StockItem.objects.get(product=cap, warehouse=warehouse).physical == 2
    movement = StockMovement.objects.filter(product=shirt).first()
    assert (movement.quantity, movement.reason, movement.user) == (7, "manual", user)

    # The product page shows the new stock and the movement just recorded.
    page.goto(f"/inventory/products/{shirt.pk}/")
    expect(page.locator("tr[data-warehouse='MAIN']")).to_contain_text("12")
    expect(page.locator("#movements")).to_contain_text("Modification manuelle")
    expect(page.locator("#movements")).to_contain_text("paul")


def test_pages_render_in_french_then_english_after_switching(page, log_in):
    order = make_completed_order()
    log_in(make_admin(username="admin1"))

    page.goto(f"/sales/orders/{order.number}/")
    expect(page.get_by_role("navigation", name="Menu principal")).to_contain_text(
        "Édition des stocks en masse"
    )
    expect(page.locator(".summary")).to_contain_text("12,00\u00a0€")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/sales/orders/{order.number}/$"))
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("Mass stock edit")
    expect(page.locator(".summary")).to_contain_text("€12.00")
    screenshot(page, "order-detail-english")

    page.get_by_role("button", name="FR").click()
    expect(page.get_by_role("heading", name=f"Commande {order.number}")).to_be_visible()


def test_catalogue_customer_integration_and_notification_pages(page, log_in):
    warehouse = make_warehouse("MAIN", name="Dépôt central")
    product = make_product("MUG-01", name="Mug émaillé", barcode="3700000000017")
    add_image(product)
    set_stock(product, warehouse, 8)
    customer = make_customer(first_name="Hugo", last_name="Bernard", city="Nantes")
    make_completed_order(make_store(warehouse=warehouse), customer=customer)
    admin = make_admin(username="admin2")
    Notification.objects.create(
        title="Import en erreur", message="Stock manquant", url="/inventory/products/"
    )
    log_in(admin)

    page.goto("/inventory/products/")
    expect(page.get_by_role("link", name="MUG-01")).to_be_visible()
    screenshot(page, "product-list")
    page.get_by_role("link", name="MUG-01").click()
    expect(page.get_by_role("heading", name=re.compile("Mug émaillé"))).to_be_visible()
    expect(page.locator(".gallery img")).to_have_count(1)
    screenshot(page, "product-detail")

    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="Hugo Bernard").click()
    expect(page.get_by_text("Nantes")).to_be_visible()
    screenshot(page, "customer-detail")

    menu.get_by_role("link", name="Intégrations").click()
    expect(page.get_by_text("Aucune intégration configurée")).to_be_visible()
    screenshot(page, "integrations")

    bell = page.locator("#notifications-menu summary")
    expect(bell.get_by_test_id("unread-count")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("button", name=re.compile("Import en erreur"))).to_be_visible()
    screenshot(page, "notifications")
    page.get_by_role("button", name=re.compile("Import en erreur")).click()
    expect(page).to_have_url(re.compile(r"/inventory/products/$"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert Notification.objects.get().reads.exists()


def test_layout_fits_a_phone_screen(browser, site):
    make_completed_order()
    context = browser.new_context(
        locale="fr-FR", base_url=site, viewport={"width": 390, "height": 844}
    )
    context.add_cookies([session_cookie(make_ops(), site)])
    phone = context.new_page()
    phone.goto("/sales/orders/")
    expect(phone.get_by_role("heading", name="Commandes", level=1)).to_be_visible()
    expect(phone.get_by_role("navigation", name="Menu principal")).to_be_visible()
    screenshot(phone, "order-list-phone")
    # Only the data table may be wider than the screen, and it scrolls inside its card.
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
