"""The CSV import page: preview writes nothing, apply saves the good lines, errors per line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import StockItem, StockMovement
from inventory.services import stock_reserve
from tests.factories import grant, make_ops, make_product, make_user, make_warehouse, set_stock

pytestmark = pytest.mark.django_db

IMPORT = reverse("inventory:stock_import")


@pytest.fixture
def ops(client):
    user = make_ops(username="paul")
    client.force_login(user)
    return user


@pytest.fixture
def main():
    return make_warehouse("MAIN", name="Dépôt central")


def physical(product, warehouse) -> int:
    item = StockItem.objects.filter(product=product, warehouse=warehouse).first()
    return item.physical if item else 0


def upload(text: str, name: str = "stock.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_the_import_needs_the_stock_editing_right(client, main):
    assert client.get(IMPORT).status_code == 302
    client.force_login(grant(make_user(), "inventory.view_product"))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"warehouse": main.pk, "file": upload("A;1")}).status_code == 403


def test_preview_shows_every_line_and_writes_nothing(client, ops, main):
    mug, cap, salt = make_product("MUG-01"), make_product("CAP-01"), make_product("SALT-01")
    set_stock(mug, main, 4)
    set_stock(cap, main, 6)
    set_stock(salt, main, 5)
    stock_reserve(product=salt, warehouse=main, quantity=3)
    text = "SKU;Quantité\nMUG-01;10\nCAP-01;-2\nSALT-01;1\nNOPE-01;3\nMUG-01;2\n"

    response = client.post(IMPORT, {"warehouse": main.pk, "reason": "count", "file": upload(text)})

    assert response.status_code == 200
    lines = {line.number: line for line in response.context["lines"]}
    assert (lines[2].physical, lines[2].new, lines[2].change) == (4, 10, 6)
    assert (lines[3].physical, lines[3].new, lines[3].change) == (6, 4, -2)
    assert lines[4].error.code == "below_reserved"
    assert lines[5].error.code == "unknown_sku"
    assert lines[6].error.code == "duplicate"
    assert response.context["counts"] == {"total": 5, "errors": 3, "changes": 2, "saved": 0}
    assert "2 lignes vont modifier le stock de Dépôt central." in response.text
    assert "3 lignes contiennent des erreurs et ne seront pas enregistrées." in response.text
    assert "Référence inconnue." in response.text
    assert "Appliquer 2 changements" in response.text
    assert (physical(mug, main), physical(cap, main)) == (4, 6)
    assert not StockMovement.objects.filter(reason="count").exists()


def test_apply_saves_the_previewed_lines_with_the_reason(client, ops, main):
    mug, cap = make_product("MUG-01"), make_product("CAP-01")
    set_stock(mug, main, 4)
    text = "MUG-01;+3\r\nCAP-01;7\r\nNOPE-01;1\r\n"
    preview = client.post(IMPORT, {"warehouse": main.pk, "reason": "receipt", "file": upload(text)})
    set_stock(mug, main, 5)  # a sale elsewhere meanwhile: "+3" applies to what is there

    response = client.post(
        IMPORT,
        {
            "warehouse": main.pk,
            "reason": "receipt",
            "note": "BL 4411",
            "content": preview.context["content"],
            "action": "apply",
        },
    )

    assert (physical(mug, main), physical(cap, main)) == (8, 7)
    assert response.context["counts"]["saved"] == 2
    assert "2 lignes enregistrées." in response.text
    movement = StockMovement.objects.filter(product=mug).first()
    assert (movement.quantity, movement.reason, movement.note, movement.user) == (
        3,
        "receipt",
        "BL 4411",
        ops,
    )
    assert "Référence inconnue." in response.text


def test_a_windows_1252_file_is_read(client, ops, main):
    cream = make_product("CRÈME-01")
    response = client.post(
        IMPORT, {"warehouse": main.pk, "file": upload("CRÈME-01;3", encoding="cp1252")}
    )
    assert response.context["lines"][0].product == cream


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choisissez un fichier CSV."),
        ({"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04\x00\x00")}, "Ce n’est pas un fichier"),
    ],
)
def test_no_file_or_a_binary_one_is_said_plainly(client, ops, main, data, message):
    response = client.post(IMPORT, {"warehouse": main.pk, **data})
    assert response.status_code == 200
    assert response.context["lines"] is None
    assert message in response.text


def test_the_form_opens_on_the_warehouse_asked_for(client, ops, main):
    other = make_warehouse("EAST", name="Dépôt est")
    response = client.get(IMPORT, {"warehouse": other.pk})
    assert f'<option value="{other.pk}" selected>' in response.text
