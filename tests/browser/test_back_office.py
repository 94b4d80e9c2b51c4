"""The operators' back office in a real browser, as an ops user made with `createuser`: cancel
an order, open a return from its lines and receive it (back to stock in a chosen warehouse,
refund), never open the integrations' configuration, and every page fits a phone."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import StockItem
from sales.models import OrderStatus, Refund, Rma, RmaStatus
from tests.browser.conftest import create_ops, screenshot, session_cookie, sign_in
from tests.factories import (
    make_completed_order,
    make_customer,
    make_order,
    make_product,
    make_store,
    make_warehouse,
)

pytestmark = pytest.mark.browser


def test_an_ops_user_cancels_an_order(page):
    order = make_order(quantity=3)
    product = order.lines.get().product
    sign_in(page, *create_ops())

    page.goto(f"/sales/orders/{order.number}/")
    page.get_by_text("Annuler la commande").click()
    page.get_by_label("Motif (conservé dans l’historique)").fill("Client injoignable")
    screenshot(page, "order-cancel")
    page.get_by_role("button", name="Confirmer l’annulation").click()

    expect(page.get_by_role("status")).to_contain_text("est annulée")
    expect(page.locator("h1 .badge")).to_have_text("Annulée")
    expect(page.get_by_text("Annuler la commande")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert StockItem.objects.get(product=product, warehouse=order.warehouse).reserved == 0
    page.get_by_role("tab", name=re.compile("Historique")).click()
    expect(page.locator("#tab-panel")).to_contain_text("Client injoignable")


def test_an_ops_user_opens_a_return_and_receives_it_with_refund(page):
    order = make_completed_order(quantity=2)
    line = order.lines.get()
    back_room = make_warehouse("BACK", name="Réserve arrière")
    sign_in(page, *create_ops())

    page.goto(f"/sales/orders/{order.number}/")
    page.get_by_role("link", name="Créer un retour").click()
    page.get_by_label(f"Quantité retournée de {line.sku}").fill("2")
    page.get_by_label("Motif du retour").fill("Taille trop petite")
    page.get_by_role("button", name="Ouvrir le retour").click()

    rma = Rma.objects.get()
    expect(page.get_by_role("heading", name=f"Retour {rma.number}")).to_be_visible()
    page.get_by_role("link", name="Réceptionner…").click()
    page.get_by_label(f"Dépôt de {line.sku}").select_option(label=str(back_room))
    page.get_by_label("Rembourser maintenant les articles retournés").check()
    screenshot(page, "rma-receive")
    page.get_by_role("button", name="Confirmer la réception").click()

    expect(page.get_by_role("status")).to_contain_text("2 articles remis en stock")
    refund = Refund.objects.get()
    expect(page.locator("main")).to_contain_text(refund.number)
    rma.refresh_from_db()
    assert rma.status == RmaStatus.RECEIVED
    assert StockItem.objects.get(product=line.product, warehouse=back_room).physical == 2
    assert refund.amount == order.grand_total

    page.get_by_role("button", name="Marquer comme terminé").click()
    expect(page.locator("h1 .badge")).to_have_text("Terminée")
    page.goto("/sales/returns/")
    expect(page.get_by_test_id("refunded").first).to_contain_text("24,00")


def test_an_ops_user_cannot_open_the_integrations_configuration(page):
    from integrations.models import Integration

    integration = Integration.objects.create(type="hiboutik", name="boutique")
    sign_in(page, *create_ops())
    # Operators follow the runs and errors, but the configuration (credentials) is admins'.
    response = page.goto(f"/integrations/{integration.pk}/configuration/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()


# What sticks out of the screen, to say which element to fix.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (['auto', 'hidden', 'scroll'].includes(getComputedStyle(a).overflowX)) return false;
    }
    return true;
  })
  .slice(0, 4)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""

PHONE_PAGES = [
    "/sales/orders/",
    "/sales/orders/{order}/",
    "/sales/orders/{order}/returns/new/",
    "/sales/returns/",
    "/sales/returns/{rma}/",
    "/sales/returns/{rma}/receive/",
    "/sales/customers/",
    "/inventory/products/",
    "/inventory/products/{product}/",
    "/inventory/stock/mass-edit/",
    "/inventory/stock/import/",
]


def test_the_back_office_fits_a_phone_without_sideways_scrolling(browser, site):
    warehouse = make_warehouse("LYON", name="Entrepôt central (Lyon)")
    store = make_store(warehouse=warehouse)
    customer = make_customer(first_name="Léa", last_name="Durand", city="Lyon")
    product = make_product("EPI-SEL-GUERANDE", name="Fleur de sel de Guérande, pot de 125 g")
    order = make_completed_order(store, customer=customer, products=[product])
    open_order = make_completed_order(store, quantity=2)
    rma = Rma.objects.create(number="RMA-PHONE", order=open_order, status=RmaStatus.AUTHORIZED)
    rma.lines.create(order_line=open_order.lines.get(), quantity=1, back_to_stock=True)
    context = browser.new_context(
        locale="fr-FR", base_url=site, viewport={"width": 390, "height": 844}
    )
    from django.contrib.auth import get_user_model

    username, _ = create_ops("phone")
    context.add_cookies([session_cookie(get_user_model().objects.get(username=username), site)])
    phone = context.new_page()
    overflowing = {}
    for template in PHONE_PAGES:
        url = template.format(order=order.number, rma=rma.number, product=product.pk)
        phone.goto(url)
        expect(phone.locator("main h1")).to_be_visible()
        extra = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if extra > 0:
            overflowing[url] = (extra, phone.evaluate(WIDEST))
            screenshot(phone, "phone-overflow-" + re.sub(r"\W+", "-", url).strip("-"))
    # The menu stays compact: the page's heading is on the first screen.
    phone.goto("/sales/orders/")
    assert phone.locator("main h1").bounding_box()["y"] < 200
    screenshot(phone, "phone-order-list")
    context.close()
    assert overflowing == {}
