"""An expired session asking for an htmx fragment is sent to the login page, then back to the
page it was on."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_ops

pytestmark = pytest.mark.django_db

MASS_EDIT = reverse("inventory:stock_mass_edit")


def test_a_plain_request_is_redirected_to_the_login_page(client):
    response = client.post(f"{MASS_EDIT}?warehouse=1", {"qty-1": "3"})
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={MASS_EDIT}%3Fwarehouse%3D1"


def test_an_htmx_request_gets_a_client_redirect_back_to_the_page_it_was_on(client):
    response = client.post(
        f"{MASS_EDIT}?warehouse=1",
        {"qty-1": "3"},
        headers={"hx-request": "true", "hx-current-url": f"http://testserver{MASS_EDIT}?q=MUG"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/login/?next={MASS_EDIT}%3Fq%3DMUG"
    assert response.content == b""


def test_a_foreign_current_url_is_not_trusted(client):
    response = client.get(
        f"{MASS_EDIT}?warehouse=1",
        headers={"hx-request": "true", "hx-current-url": "https://evil.example/steal"},
    )
    assert response["HX-Redirect"] == f"/login/?next={MASS_EDIT}%3Fwarehouse%3D1"


def test_signing_in_from_that_redirect_comes_back_to_the_page(client):
    make_ops(username="marie")
    response = client.post(
        f"/login/?next={MASS_EDIT}%3Fq%3DMUG",
        {"username": "marie", "password": PASSWORD, "next": f"{MASS_EDIT}?q=MUG"},
    )
    assert response["Location"] == f"{MASS_EDIT}?q=MUG"


def test_every_page_loads_the_htmx_error_handler(client):
    page = client.get(reverse("login"))
    assert '<script src="/static/js/htmx-errors.js" defer></script>' in page.text
    assert 'id="request-error"' in page.text
    assert 'data-login-url="/login/"' in page.text
