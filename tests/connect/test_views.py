import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_admin, make_ops, make_user

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_the_login_page(client):
    for url in ["/", reverse("sales:order_list"), reverse("integrations:integration_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_french_by_default_and_english_on_request(client):
    french = client.get(reverse("login"))
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    assert "Se connecter" in french.text and "Mot de passe" in french.text

    english = client.get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text and "Password" in english.text


def test_login_with_the_right_password_lands_on_the_first_allowed_page(client):
    make_ops(username="marie")
    refused = client.post(reverse("login"), {"username": "marie", "password": "wrong"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("login"), {"username": "marie", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("sales:order_list")
    assert response.status_code == 200


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(make_ops())
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("sales:order_list")).status_code == 302


def test_home_without_any_role_explains_it_with_403(client):
    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 403
    assert "Aucune page disponible pour votre compte" in response.text


def test_home_of_an_ops_user_without_orders_right_goes_to_the_next_allowed_page(client):
    from tests.factories import grant

    user = grant(make_user(), "inventory.view_product")
    client.force_login(user)
    response = client.get("/")
    assert response["Location"] == reverse("inventory:product_list")


def test_language_switch_sets_the_language_and_returns_to_the_page(client):
    client.force_login(make_admin())
    url = reverse("sales:order_list")
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url

    page = client.get(url)
    assert '<html lang="en">' in page.text
    assert "Mass stock edit" in page.text and "Édition des stocks en masse" not in page.text

    client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert "Édition des stocks en masse" in client.get(url).text


def test_language_switch_works_before_login_and_refuses_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Sign in" in client.get(reverse("login")).text


def test_permission_denied_page_is_translated_and_keeps_the_layout(client):
    client.force_login(make_ops())
    response = client.get(reverse("integrations:integration_add"))
    assert response.status_code == 403
    assert "Accès refusé" in response.text
    assert 'aria-label="Menu principal"' in response.text
