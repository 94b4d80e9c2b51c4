"""The lockout as a person meets it: wrong passwords typed in the form, then the blocked page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, make_ops

pytestmark = pytest.mark.browser


def test_five_wrong_passwords_show_the_blocked_page_even_for_the_right_one(page):
    make_ops(username="marie")
    page.goto("/login/")
    for attempt in range(5):
        page.get_by_label("Identifiant").fill("marie")
        page.get_by_label("Mot de passe").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Se connecter").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Connexion bloquée après trop de tentatives échouées.")
    expect(alert).to_contain_text("Réessayez dans 15 minutes")
    screenshot(page, "login-locked")

    page.get_by_role("link", name="Retour à la connexion").click()
    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Connexion bloquée")
    expect(page).to_have_url(re.compile(r"/login/"))
