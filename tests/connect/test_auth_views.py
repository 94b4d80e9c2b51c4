"""Signing out from a typed address, signing in from a link to the sign-out page, and the
admin's title."""

import pytest
from django.contrib.auth.models import User

from tests.factories import PASSWORD, make_ops

pytestmark = pytest.mark.django_db


def test_get_logout_shows_the_button_instead_of_a_blank_405(client):
    client.force_login(make_ops())
    page = client.get("/logout/")
    assert page.status_code == 200
    assert "Se déconnecter de Connect ?" in page.text
    assert '<form method="post" action="/logout/">' in page.text
    assert "_auth_user_id" in client.session  # a GET never signs out
    client.post("/logout/")
    assert "_auth_user_id" not in client.session


def test_get_logout_while_signed_out_goes_to_the_login_page(client):
    response = client.get("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_signing_in_from_a_link_to_logout_does_not_sign_out_again(client):
    make_ops(username="marie")
    response = client.post(
        "/login/?next=/logout/", {"username": "marie", "password": PASSWORD, "next": "/logout/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" in client.session


def test_the_admin_is_titled_as_connect(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    page = client.get("/admin/")
    assert "Administration de Connect" in page.text
    assert "Django" not in page.text.split("<title>")[1].split("</title>")[0]
