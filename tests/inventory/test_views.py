"""Catalogue pages and the mass stock edit through the Django test client."""

import pytest
from django.urls import reverse

from inventory.models import StockItem, StockMovement
from inventory.services import stock_reserve
from tests.factories import (
    add_image,
    grant,
    make_ops,
    make_product,
    make_user,
    set_stock,
)
from tests.factories import (
    make_warehouse as new_warehouse,
)

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("inventory:product_list")
MASS_EDIT = reverse("inventory:stock_mass_edit")


@pytest.fixture
def ops(client):
    user = make_ops(username="paul")
    client.force_login(user)
    return user


@pytest.fixture
def main():
    return new_warehouse("MAIN", name="Dépôt central")


def physical(product, warehouse) -> int:
    item = StockItem.objects.filter(product=product, warehouse=warehouse).first()
    return item.physical if item else 0


def grid_post(product_values: dict, originals: dict | None = None) -> dict:
    """The form the grid submits: typed quantities plus the values each row was shown with."""
    data = {}
    for product, value in product_values.items():
        data[f"qty-{product.pk}"] = value
        data[f"orig-{product.pk}"] = str((originals or {}).get(product, 0))
    return data


# --- Rights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [PRODUCTS, reverse("inventory:product_detail", args=[1]), MASS_EDIT]
)
def test_catalogue_pages_need_login_then_the_right_permission(client, url):
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 403


def test_seeing_products_does_not_allow_editing_stock(client, main):
    product = make_product()
    user = grant(make_user(), "inventory.view_product")
    client.force_login(user)
    assert client.get(PRODUCTS).status_code == 200
    assert "Edition des stocks en masse" not in client.get(PRODUCTS).text
    response = client.post(f"{MASS_EDIT}?warehouse={main.pk}", grid_post({product: "5"}))
    assert response.status_code == 403
    assert physical(product, main) == 0


# --- Products ----------------------------------------------------------------------------------


def test_product_list_search_and_enabled_filter(client, ops):
    mug = make_product("MUG-01", name="Mug émaillé", barcode="3700000000017")
    cap = make_product("CAP-01", name="Casquette", enabled=False)

    def skus(params):
        return {p.sku for p in client.get(PRODUCTS, params).context["object_list"]}

    assert skus({}) == {"MUG-01", "CAP-01"}
    assert skus({"q": "émaillé"}) == {"MUG-01"}
    assert skus({"q": "3700000000017"}) == {"MUG-01"}
    assert skus({"q": "cap-0"}) == {"CAP-01"}
    assert skus({"enabled": "yes"}) == {"MUG-01"}
    assert skus({"enabled": "no"}) == {"CAP-01"}
    assert mug.pk and cap.pk


def test_product_list_sums_stock_over_warehouses_and_shows_the_first_image(client, ops, main):
    product = make_product("MUG-01", price="10")
    other = new_warehouse("EAST")
    set_stock(product, main, 5)
    set_stock(product, other, 3)
    stock_reserve(product=product, warehouse=main, quantity=2)
    add_image(product)

    response = client.get(PRODUCTS)
    row = response.context["object_list"][0]
    assert (row.physical, row.available) == (8, 6)
    assert product.images.get().file.url in response.text
    assert "12,00\u00a0€" in response.text


def test_product_list_query_count_is_flat(client, ops, main, django_assert_max_num_queries):
    for _ in range(10):
        set_stock(add_image(make_product()).product, main, 4)
    # session, user, permissions (2), notifications, count, page, images prefetch
    with django_assert_max_num_queries(8):
        response = client.get(PRODUCTS)
    assert len(response.context["object_list"]) == 10


def test_product_detail_shows_stock_per_warehouse_images_and_movements(client, ops, main):
    product = make_product("MUG-01", name="Mug émaillé")
    empty = new_warehouse("EAST", name="Dépôt est")
    retired = new_warehouse("OLD", name="Ancien dépôt", active=False)
    set_stock(product, main, 7, user=ops)
    set_stock(product, retired, 1)
    stock_reserve(product=product, warehouse=main, quantity=3)
    add_image(product)

    response = client.get(reverse("inventory:product_detail", args=[product.pk]))
    rows = {w.code: (w.physical, w.reserved, w.available) for w in response.context["warehouses"]}
    assert rows == {"MAIN": (7, 3, 4), "EAST": (0, 0, 0), "OLD": (1, 0, 1)}
    assert empty.pk and "Ancien dépôt" in response.text
    assert len(response.context["images"]) == 1
    movements = list(response.context["movements"])
    assert [m.quantity for m in movements] == [1, 7]
    assert "Modification manuelle" in response.text and "paul" in response.text


# --- Mass stock edit ---------------------------------------------------------------------------


def test_mass_edit_lists_products_with_their_stock_in_the_chosen_warehouse(client, ops, main):
    other = new_warehouse("EAST", name="Dépôt est")
    mug = make_product("MUG-01")
    make_product("CAP-01")
    set_stock(mug, main, 4)
    set_stock(mug, other, 9)

    response = client.get(MASS_EDIT, {"warehouse": other.pk, "q": "MUG"})
    rows = response.context["rows"]
    assert [(r.product.sku, r.physical) for r in rows] == [("MUG-01", 9)]
    assert f'name="qty-{mug.pk}" value="9"' in response.text

    default = client.get(MASS_EDIT)
    assert default.context["warehouse"] == main  # the first active warehouse by name
    assert {r.product.sku for r in default.context["rows"]} == {"MUG-01", "CAP-01"}


def test_mass_edit_saves_changed_rows_as_manual_movements(client, ops, main):
    mug, cap, hat = make_product("MUG-01"), make_product("CAP-01"), make_product("HAT-01")
    set_stock(mug, main, 4)
    data = grid_post({mug: "10", cap: "3", hat: "0"}, originals={mug: 4})

    response = client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)

    assert response.status_code == 302
    assert response["Location"] == f"{MASS_EDIT}?warehouse={main.pk}"
    assert (physical(mug, main), physical(cap, main), physical(hat, main)) == (10, 3, 0)
    movement = StockMovement.objects.filter(product=mug).first()
    assert (movement.quantity, movement.reason, movement.user) == (6, "manual", ops)
    assert not StockMovement.objects.filter(product=hat).exists()
    page = client.get(response["Location"])
    assert "2 lignes modifiées." in page.text


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("-2", "Une quantité en stock ne peut pas être négative."),
        ("2.5", "« 2.5 » n’est pas un nombre entier."),
        ("douze", "« douze » n’est pas un nombre entier."),
        ("1_000", "« 1_000 » n’est pas un nombre entier."),
        ("", "Saisissez une quantité (0 ou plus)."),
        ("   ", "Saisissez une quantité (0 ou plus)."),
        ("99999999999", "Une quantité en stock ne peut pas dépasser 1000000000."),
    ],
)
def test_a_bad_row_gets_its_error_and_saves_nothing_while_other_rows_save(
    client, ops, main, typed, error
):
    bad, good = make_product("BAD-01"), make_product("GOOD-01")
    set_stock(bad, main, 5)
    data = grid_post({bad: typed, good: "7"}, originals={bad: 5})

    response = client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)

    assert response.status_code == 200
    rows = {row.product.sku: row for row in response.context["rows"]}
    assert rows["BAD-01"].error == error
    assert rows["BAD-01"].value == typed
    assert rows["GOOD-01"].saved and not rows["GOOD-01"].error
    assert physical(bad, main) == 5
    assert (
        not StockMovement.objects.filter(product=bad, reason="manual").exclude(quantity=5).exists()
    )
    assert physical(good, main) == 7
    assert 'aria-invalid="true"' in response.text
    assert "1 ligne modifiée." in response.text
    assert "1 ligne contient une erreur et n’a pas été enregistrée." in response.text


def test_untouched_rows_never_overwrite_a_change_made_meanwhile(client, ops, main):
    product = make_product()
    set_stock(product, main, 5)
    data = grid_post({product: "5"}, originals={product: 5})  # shown 5, left as is
    set_stock(product, main, 2)  # a sale elsewhere, while the grid was open

    client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)

    assert physical(product, main) == 2


def test_htmx_save_answers_with_the_grid_only(client, ops, main):
    product = make_product("MUG-01")
    response = client.post(
        f"{MASS_EDIT}?warehouse={main.pk}",
        grid_post({product: "4"}),
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="stock-grid">')
    assert "<html" not in response.text
    assert "1 ligne modifiée." in response.text
    assert physical(product, main) == 4


def test_unknown_or_inactive_warehouse_is_refused_and_nothing_is_saved(client, ops, main):
    product = make_product()
    retired = new_warehouse("OLD", active=False)
    for warehouse_id in [retired.pk, 999999, "abc"]:
        response = client.post(f"{MASS_EDIT}?warehouse={warehouse_id}", grid_post({product: "9"}))
        assert response.status_code == 200
        assert response.context["warehouse"] is None
        assert "Sélectionnez un choix valide" in response.text
    assert not StockItem.objects.filter(product=product).exists()


def test_mass_edit_page_in_english(client, ops, main):
    make_product()
    response = client.get(MASS_EDIT, headers={"accept-language": "en"})
    assert "Mass stock edit" in response.text and "Save quantities" in response.text


def test_mass_edit_without_any_warehouse_says_so(client, ops):
    response = client.get(MASS_EDIT)
    assert response.status_code == 200
    assert "Aucun dépôt actif" in response.text
