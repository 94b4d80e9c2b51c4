"""Password guessing is stopped on both login pages: 5 failures lock the username and the client
address (the one the trusted proxy reports, never a header from anyone else) for 15 minutes, with
a translated page saying what to do; an operator's command unlocks."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import make_admin, make_ops

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-42"
LOGIN_PAGES = ["/login/", "/admin/login/"]


@pytest.fixture
def admin():
    return make_admin(username="admin", password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(
    client, page: str, username: str, password: str, address: str = "203.0.113.7", **headers
):
    return client.post(
        page,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def guess(client, page: str, username: str, times: int, **kwargs) -> list[int]:
    return [
        sign_in(client, page, username, f"guess-{n}", **kwargs).status_code for n in range(times)
    ]


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_five_wrong_passwords_lock_the_account_until_an_operator_unlocks_it(client, admin, page):
    # Four failures are answered normally (the form again, 200); the fifth locks.
    assert guess(client, page, "admin", 5) == [200, 200, 200, 200, 429]

    locked = sign_in(client, page, "admin", PASSWORD)
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    assert "Connexion bloquée après trop de tentatives échouées" in locked.text
    assert "Réessayez dans 15 minutes" in locked.text
    # Another address is refused too: the username itself is locked.
    assert sign_in(client, page, "admin", PASSWORD, address="198.51.100.20").status_code == 429

    out = StringIO()
    call_command("axes_reset_username", "admin", stdout=out)
    assert "attempts removed" in out.getvalue()

    assert signed_in(sign_in(client, page, "admin", PASSWORD))


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_one_address_guessing_many_usernames_is_locked_out_for_every_user(client, admin, page):
    for number in range(5):
        sign_in(client, page, f"someone{number}", "guess")

    assert sign_in(client, page, "admin", PASSWORD).status_code == 429
    # The same user from elsewhere is not blocked: only that address is.
    assert signed_in(sign_in(client, page, "admin", PASSWORD, address="198.51.100.20"))

    call_command("axes_reset_ip", "203.0.113.7", stdout=StringIO())
    client.logout()
    assert signed_in(sign_in(client, page, "admin", PASSWORD))


def test_the_lockout_is_counted_across_both_login_pages(client, admin):
    guess(client, "/login/", "admin", 3)
    assert guess(client, "/admin/login/", "admin", 2) == [200, 429]
    assert sign_in(client, "/login/", "admin", PASSWORD).status_code == 429


def test_the_lockout_page_is_in_english_for_an_english_browser(client, admin):
    guess(client, "/login/", "admin", 5)
    response = sign_in(client, "/login/", "admin", PASSWORD, accept_language="en")
    assert "Sign-in blocked after too many failed attempts." in response.text
    assert "Try again in 15 minutes" in response.text


def test_x_forwarded_for_from_an_untrusted_client_cannot_dodge_the_address_lockout(client, admin):
    # A guesser rotating X-Forwarded-For straight at the web server: one address all along.
    for number in range(5):
        sign_in(client, "/login/", f"user{number}", "guess", x_forwarded_for=f"10.9.8.{number}")
    response = sign_in(client, "/login/", "admin", PASSWORD, x_forwarded_for="10.9.9.9")
    assert response.status_code == 429


def test_behind_the_trusted_proxy_each_client_address_is_counted_apart(client, admin, settings):
    settings.TRUSTED_PROXIES = ["172.30.8.2/32"]
    proxy = {"address": "172.30.8.2"}
    guess(client, "/login/", "nobody", 5, x_forwarded_for="203.0.113.50", **proxy)

    # The guesser's address is locked ...
    blocked = sign_in(client, "/login/", "admin", PASSWORD, x_forwarded_for="203.0.113.50", **proxy)
    assert blocked.status_code == 429
    # ... not the proxy, through which everyone else still signs in.
    assert signed_in(
        sign_in(client, "/login/", "admin", PASSWORD, x_forwarded_for="198.51.100.1", **proxy)
    )


def test_a_successful_sign_in_under_the_limit_is_not_blocked(client):
    make_ops(username="marie", password=PASSWORD)
    guess(client, "/login/", "marie", 4)
    assert signed_in(sign_in(client, "/login/", "marie", PASSWORD))
