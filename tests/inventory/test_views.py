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
    assert "Édition des stocks en masse" not in client.get(PRODUCTS).text
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
        ("-9", "Retirer 9 de 5 laisserait -4 : une quantité en stock ne peut pas être négative."),
        ("2.5", "« 2.5 » n’est pas un nombre entier."),
        ("douze", "« douze » n’est pas un nombre entier."),
        ("1_000", "« 1_000 » n’est pas un nombre entier."),
        ("", "Saisissez une quantité (0 ou plus)."),
        ("   ", "Saisissez une quantité (0 ou plus)."),
        ("99999999999", "Une quantité en stock ne peut pas dépasser 1\xa0000\xa0000\xa0000."),
        # int() refuses to read 5,000 digits at all: it used to answer a 500.
        ("9" * 5000, "Une quantité en stock ne peut pas dépasser 1\xa0000\xa0000\xa0000."),
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
    assert response.text.lstrip().startswith('<div id="stock-grid"')
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


# --- Mass stock edit: entries, reasons, crafted posts, links --------------------------------------


def test_relative_entries_add_or_remove_and_the_reason_and_note_are_recorded(client, ops, main):
    mug, cap = make_product("MUG-01"), make_product("CAP-01")
    set_stock(mug, main, 4)
    set_stock(cap, main, 6)
    data = grid_post({mug: "+3", cap: "\u22122"}, originals={mug: 4, cap: 6})
    data.update(reason="receipt", note="Livraison fournisseur")

    client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)

    assert (physical(mug, main), physical(cap, main)) == (7, 4)
    movement = StockMovement.objects.filter(product=mug).first()
    assert (movement.quantity, movement.reason, movement.note) == (
        3,
        "receipt",
        "Livraison fournisseur",
    )


def test_an_unknown_reason_saves_nothing_and_says_so(client, ops, main):
    mug = make_product("MUG-01")
    data = grid_post({mug: "3"})
    data["reason"] = "gift"
    response = client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)
    assert response.status_code == 200
    assert "Rien n’a été enregistré." in response.text
    assert "Sélectionnez un choix valide" in response.text
    assert physical(mug, main) == 0


def test_physical_stock_cannot_be_set_below_the_reserved_quantity(client, ops, main):
    """EPI-SEL-GUERANDE in Lyon: 2 reserved, physical typed 1 used to save (available −1)."""
    salt = make_product("EPI-SEL-GUERANDE")
    set_stock(salt, main, 5)
    stock_reserve(product=salt, warehouse=main, quantity=2)

    response = client.post(
        f"{MASS_EDIT}?warehouse={main.pk}", grid_post({salt: "1"}, originals={salt: 5})
    )

    row = response.context["rows"][0]
    assert row.error == (
        "2 sont réservés pour des commandes en cours : la quantité physique ne peut pas "
        "descendre en dessous. Expédiez ou annulez d’abord ces commandes, ou recomptez."
    )
    assert physical(salt, main) == 5


@pytest.mark.parametrize(
    "field",
    [
        "orig-²",
        "qty-²",
        "orig-" + "9" * 23,
        "orig-\u0663",
        "orig-0",
        "orig--1",
        "orig-1-2",
        "orig-" + "9" * 19,
    ],
)
def test_crafted_field_names_are_ignored_never_a_500(client, ops, main, field):
    product = make_product("MUG-01")
    data = grid_post({product: "4"})
    data[field] = "1"
    response = client.post(f"{MASS_EDIT}?warehouse={main.pk}", data)
    assert response.status_code == 302
    assert physical(product, main) == 4


def test_a_search_or_a_page_without_warehouse_opens_the_default_one_without_error(
    client, ops, main, monkeypatch
):
    monkeypatch.setattr("inventory.views.GRID_SIZE", 2)
    for number in range(5):
        make_product(f"PAP-CARNET-{number}")

    for params in ({"q": "PAP-CARNET"}, {"page": "2"}):
        response = client.get(MASS_EDIT, params)
        assert response.context["warehouse"] == main
        assert "Ce champ est obligatoire" not in response.text
    # The links the grid gives always name the warehouse shown.
    response = client.get(MASS_EDIT, {"q": "PAP-CARNET"})
    assert f"?warehouse={main.pk}&amp;q=PAP-CARNET&amp;page=2" in response.text
    assert f'hx-post="{MASS_EDIT}?warehouse={main.pk}&amp;q=PAP-CARNET"' in response.text


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 1), ("-2", 1), ("9", 3), ("2", 2)])
def test_mass_edit_pages_out_of_range_open_the_nearest_one(
    client, ops, main, monkeypatch, page, shown
):
    monkeypatch.setattr("inventory.views.GRID_SIZE", 2)
    for _ in range(5):
        make_product()
    response = client.get(MASS_EDIT, {"page": page})
    assert response.context["page_obj"].number == shown


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 1), ("5", 2), ("2", 2)])
def test_product_list_pages_out_of_range_open_the_nearest_one(
    client, ops, monkeypatch, page, shown
):
    monkeypatch.setattr("inventory.views.ProductListView.paginate_by", 2)
    for _ in range(3):
        make_product()
    response = client.get(PRODUCTS, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def _save_queries(client, main, products, django_assert_num_queries, expected: int):
    data = grid_post({product: "+1" for product in products}, {p: 3 for p in products})
    with django_assert_num_queries(expected):
        response = client.post(
            f"{MASS_EDIT}?warehouse={main.pk}", data, headers={"hx-request": "true"}
        )
    assert response.context["summary"]["changed"] == len(products)


def test_saving_the_grid_costs_the_same_queries_for_1_row_as_for_50(
    client, ops, main, django_assert_num_queries
):
    """Session, user, permissions (2), warehouse (1), rows shown (1), the service (10 in a test,
    see its tests), rows read again (1), the bell's count from the context processor (1)."""
    products = [make_product() for _ in range(51)]
    for product in products:
        set_stock(product, main, 3)
    _save_queries(client, main, products[:1], django_assert_num_queries, 18)
    _save_queries(client, main, products[1:], django_assert_num_queries, 18)
