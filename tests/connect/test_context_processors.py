import pytest
from django.test import RequestFactory
from django.utils import translation

from connect.context_processors import menu_for, navigation
from integrations.models import Notification
from tests.factories import grant, make_admin, make_ops, make_user

pytestmark = pytest.mark.django_db


def _labels(menu) -> list[tuple[str, list[str]]]:
    with translation.override("en"):
        return [(str(s["label"]), [str(i["label"]) for i in s["items"]]) for s in menu]


def test_ops_menu_has_the_integrations_they_operate():
    assert _labels(menu_for(make_ops())) == [
        ("Sales", ["Orders", "Customer returns", "Customers"]),
        ("Catalogue", ["Products"]),
        ("Inventory", ["Mass stock edit"]),
        ("Integrations", ["Integrations"]),
    ]


def test_integrations_show_for_either_integration_permission():
    for permission in ["manage_integrations", "operate_integrations"]:
        user = grant(make_user(), f"integrations.{permission}")
        assert _labels(menu_for(user)) == [("Integrations", ["Integrations"])]


def test_admin_menu_has_every_section():
    labels = _labels(menu_for(make_admin()))
    assert labels[-1] == ("Integrations", ["Integrations"])
    assert len(labels) == 4


def test_user_without_role_gets_no_menu():
    assert menu_for(make_user()) == []


def test_current_page_is_marked_active():
    menu = menu_for(make_ops(), "/sales/returns/RMA-1/")
    active = [i["url"] for s in menu for i in s["items"] if i["active"]]
    assert active == ["/sales/returns/"]


def test_navigation_counts_unread_notifications_for_the_user():
    user, other = make_ops(), make_ops()
    Notification.objects.create(title="Pour tous")
    Notification.objects.create(title="Pour moi", user=user)
    Notification.objects.create(title="Pour un autre", user=other)
    request = RequestFactory().get("/sales/orders/")
    request.user = user
    context = navigation(request)
    assert context["unread_notifications"] == 2
    assert context["menu"]


def test_navigation_is_empty_for_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/login/")
    request.user = AnonymousUser()
    assert navigation(request) == {}
