"""Wording the French and English pages share: one name for returns, French typography, numbers
and dates written one way per language."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.connect.test_locale import _entries
from tests.factories import make_completed_order, make_ops, make_rma

FRENCH = Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po"


def french_texts() -> list[tuple[str, str]]:
    return [(msgid, msgstr) for msgid, msgstr, _ in _entries(FRENCH) if msgid]


def test_french_says_no_worker():
    # Service names in <code> stay as they are named in docker-compose.yml.
    prose = [(m, re.sub(r"<code>.*?</code>|%\(\w+\)s", "", text)) for m, text in french_texts()]
    assert [m for m, text in prose if re.search(r"\bworkers?\b", text, re.I)] == []


# Texts the merchant's documentation states word for word (operators search for them).
KEPT_EXACTLY = {
    "Impossible d'importer cette commande car les référence(s) suivante(s) ne sont pas en "
    "stock : %(skus)s",
}


def test_french_uses_the_typographic_apostrophe():
    # The catalogue writes ’ everywhere; a straight one would stand out on the page.
    straight = [
        text
        for _, text in french_texts()
        if re.search(r"[A-Za-zÀ-ÿ]'[A-Za-zÀ-ÿ]", text.replace("%(", "").replace(")s", ""))
        and text not in KEPT_EXACTLY
    ]
    assert straight == []


def test_the_menu_entry_is_written_with_its_accent():
    texts = dict(french_texts())
    assert texts["Mass stock edit"] == "Édition des stocks en masse"


@pytest.mark.django_db
def test_the_order_tab_and_the_menu_name_returns_alike(client):
    order = make_completed_order()
    make_rma(order)
    client.force_login(make_ops())
    page = client.get(reverse("sales:order_detail", args=[order.number]))
    tabs = [str(tab["label"]) for tab in page.context["tabs"]]
    assert "Retours" in tabs and "RMA" not in tabs
    english = client.get(
        reverse("sales:order_detail", args=[order.number]), headers={"accept-language": "en"}
    )
    assert "Returns" in [str(tab["label"]) for tab in english.context["tabs"]]


@pytest.mark.django_db
def test_english_dates_are_written_one_way_on_a_page(client):
    order = make_completed_order()
    client.force_login(make_ops())
    page = client.get(
        reverse("sales:order_detail", args=[order.number]),
        {"tab": "history"},
        headers={"accept-language": "en"},
    )
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", page.text)  # no 11/24/2026 beside...
    assert not re.search(r"\b[ap]\.m\.", page.text)  # ...nor 3:30 p.m.
    assert re.search(r"Placed on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}", page.text)
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", page.text)
