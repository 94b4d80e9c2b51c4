"""The mass stock edit in a real browser: a session that expires during a save, unsaved edits,
relative entries with a reason, and the CSV import's preview then apply by an ops user made with
`createuser`."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from inventory.models import StockItem, StockMovement
from tests.browser.conftest import create_ops, screenshot, sign_in
from tests.factories import PASSWORD, make_ops, make_product, make_warehouse, set_stock

pytestmark = pytest.mark.browser


def physical(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


@pytest.fixture
def lyon():
    warehouse = make_warehouse("LYON", name="Entrepôt central (Lyon)")
    return warehouse


def test_a_session_that_expired_during_a_save_goes_to_login_and_back(page, log_in, lyon):
    mug = make_product("MUG-01", name="Mug")
    set_stock(mug, lyon, 4)
    make_ops(username="marie")
    log_in(make_ops(username="paul"))
    page.goto("/inventory/stock/mass-edit/?q=MUG")
    page.get_by_label("Quantité physique de MUG-01").fill("9")

    Session.objects.all().delete()  # logged out in another tab, or timed out
    page.get_by_role("button", name="Enregistrer les quantités").click()

    # The login page, not swapped into the grid: the whole page went there.
    expect(page).to_have_url(re.compile(r"/login/\?next=/inventory/stock/mass-edit/%3Fq%3DMUG"))
    expect(page.locator("#stock-grid")).to_have_count(0)
    assert physical(mug, lyon) == 4
    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/inventory/stock/mass-edit/\?q=MUG$"))
    expect(page.get_by_label("Quantité physique de MUG-01")).to_have_value("4")


def test_a_server_error_during_a_save_is_shown(page, log_in, lyon):
    mug = make_product("MUG-01")
    set_stock(mug, lyon, 4)
    log_in(make_ops())
    page.goto("/inventory/stock/mass-edit/")
    page.route(
        "**/inventory/stock/mass-edit/**",
        lambda route: (
            route.fulfill(status=500, body="boom")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.get_by_label("Quantité physique de MUG-01").fill("9")
    page.get_by_role("button", name="Enregistrer les quantités").click()

    alert = page.locator("#request-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("erreur 500")
    screenshot(page, "mass-edit-server-error")
    page.get_by_role("button", name="Fermer").click()
    expect(alert).to_be_hidden()


def test_unsaved_quantities_are_not_lost_without_a_question(page, log_in, lyon):
    make_warehouse("EAST", name="Dépôt est")
    for sku in ("MUG-01", "MUG-02", "CAP-01"):
        set_stock(make_product(sku), lyon, 4)
    log_in(make_ops())
    page.goto(f"/inventory/stock/mass-edit/?warehouse={lyon.pk}")
    page.get_by_label("Quantité physique de MUG-01").fill("9")

    # Searching with unsaved edits asks; declining keeps the grid and what was typed.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_label("Rechercher des produits").fill("CAP")
    page.wait_for_timeout(800)  # the search fires 400 ms after typing
    expect(page.get_by_label("Quantité physique de MUG-01")).to_have_value("9")
    expect(page.get_by_label("Rechercher des produits")).to_have_value("")

    # Changing the warehouse asks too; accepting loads the other warehouse.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_label("Dépôt", exact=True).select_option(label="Dépôt est (EAST)")
    expect(page.get_by_label("Quantité physique de MUG-01")).to_have_value("0")
    assert messages == ["Des quantités saisies ne sont pas encore enregistrées. Les abandonner ?"]


def test_relative_entries_a_reason_and_the_summary_in_view_after_saving(page, log_in, lyon):
    products = [make_product(f"PAP-{number:02d}") for number in range(30)]
    for product in products:
        set_stock(product, lyon, 10)
    log_in(make_ops())
    page.goto(f"/inventory/stock/mass-edit/?warehouse={lyon.pk}")
    page.get_by_label("Quantité physique de PAP-00").fill("+5")
    page.get_by_label("Quantité physique de PAP-29").fill("−3")
    page.get_by_label("Quantité physique de PAP-28").fill("abc")
    page.get_by_label("Motif").select_option(label="Réception de marchandise")
    page.get_by_label("Note").fill("BL 4411")
    # The save bar stays on screen at the bottom of a long grid.
    save = page.get_by_role("button", name="Enregistrer les quantités")
    expect(save).to_be_in_viewport()
    save.click()

    summary = page.get_by_test_id("summary")
    expect(summary).to_have_text("2 lignes modifiées.")
    expect(summary).to_be_in_viewport()
    expect(page.locator("tr[data-sku='PAP-28'] .field-error")).to_have_text(
        "« abc » n’est pas un nombre entier."
    )
    screenshot(page, "mass-edit-relative")
    assert (physical(products[0], lyon), physical(products[29], lyon)) == (15, 7)
    movement = StockMovement.objects.filter(product=products[0]).first()
    assert (movement.reason, movement.note) == ("receipt", "BL 4411")


def test_csv_import_preview_then_apply(page, lyon, tmp_path):
    mug, cap = make_product("MUG-01", name="Mug"), make_product("CAP-01", name="Casquette")
    set_stock(mug, lyon, 4)
    set_stock(cap, lyon, 6)
    csv_file = tmp_path / "stock.csv"
    csv_file.write_text("SKU;Quantité\nMUG-01;10\nCAP-01;-2\nNOPE-01;3\n", encoding="utf-8")
    sign_in(page, *create_ops())

    page.goto(f"/inventory/stock/mass-edit/?warehouse={lyon.pk}")
    page.get_by_role("link", name="Importer un fichier CSV").click()
    page.get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_label("Motif").select_option(label="Inventaire")
    page.get_by_role("button", name="Prévisualiser les changements").click()

    expect(page.get_by_test_id("import-summary")).to_have_text(
        "2 lignes vont modifier le stock de Entrepôt central (Lyon)."
    )
    expect(page.locator("tr[data-sku='NOPE-01']")).to_contain_text("Référence inconnue.")
    expect(page.locator("tr[data-sku='CAP-01']")).to_contain_text("-2")
    screenshot(page, "stock-import-preview")
    assert physical(mug, lyon) == 4  # nothing saved before applying

    page.get_by_role("button", name="Appliquer 2 changements").click()
    expect(page.get_by_test_id("import-summary")).to_have_text("2 lignes enregistrées.")
    screenshot(page, "stock-import-applied")
    assert (physical(mug, lyon), physical(cap, lyon)) == (10, 4)
    assert set(StockMovement.objects.filter(reason="count").values_list("quantity", flat=True)) == {
        6,
        -2,
    }
