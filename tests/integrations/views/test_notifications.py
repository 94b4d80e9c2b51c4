from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from connect.tasks import HEARTBEAT_CACHE_KEY, record_heartbeat
from integrations.models import Notification
from tests.factories import make_admin, make_ops, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    user = make_ops()
    client.force_login(user)
    return user


def test_notification_pages_need_login(client):
    for name in ["notification_list", "notification_dropdown"]:
        assert client.get(reverse(f"integrations:{name}")).status_code == 302


def test_list_shows_own_and_broadcast_notifications_only(client, ops):
    Notification.objects.create(title="Erreur d'import 1001", user=ops)
    Notification.objects.create(title="Quota à 80 %")
    Notification.objects.create(title="Secret d'un autre", user=make_ops())
    response = client.get(reverse("integrations:notification_list"))
    assert response.status_code == 200
    assert "Erreur d&#x27;import 1001" in response.text
    assert "Quota à 80 %" in response.text
    assert "Secret" not in response.text
    assert "Tout marquer comme lu" in response.text


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-3", 1), ("abc", 1), ("2", 2), ("99", 2)])
def test_list_pages_out_of_range_open_the_nearest_page(client, ops, asked, shown):
    Notification.objects.bulk_create(
        Notification(title=f"Alerte {n}", user=ops)
        for n in range(30)  # two pages of 25
    )
    response = client.get(reverse("integrations:notification_list"), {"page": asked})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_bell_shows_the_unread_count(client, ops):
    Notification.objects.create(title="A", user=ops)
    Notification.objects.create(title="B")
    page = client.get(reverse("integrations:notification_list"))
    assert '<span class="counter" data-testid="unread-count">2</span>' in page.text


def test_dropdown_lists_unread_first_then_newest(client, ops):
    now = timezone.now()
    old_unread = Notification.objects.create(title="old unread", created_at=now - timedelta(days=2))
    new_read = Notification.objects.create(title="new read", created_at=now)
    new_read.mark_read(ops)
    Notification.objects.create(title="mid unread", created_at=now - timedelta(days=1))
    response = client.get(
        reverse("integrations:notification_dropdown"), headers={"hx-request": "true"}
    )
    titles = [n.title for n in response.context["notifications"]]
    assert titles == ["mid unread", "old unread", "new read"]
    assert "<html" not in response.text
    assert old_unread.pk


def test_opening_marks_read_and_follows_the_link(client, ops):
    notification = Notification.objects.create(
        title="Erreur", url="/sales/orders/?q=CMD-1", user=ops
    )
    response = client.post(reverse("integrations:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/sales/orders/?q=CMD-1"
    assert not Notification.objects.unread_for(ops).filter(pk=notification.pk).exists()


def test_opening_never_redirects_off_site(client, ops):
    notification = Notification.objects.create(title="Phish", url="https://evil.example/x")
    response = client.post(reverse("integrations:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("integrations:notification_list")


def test_opening_needs_post_and_cannot_touch_someone_elses(client, ops):
    foreign = Notification.objects.create(title="Not yours", user=make_ops())
    url = reverse("integrations:notification_open", args=[foreign.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404
    assert not foreign.reads.exists()


def test_mark_all_read_only_touches_what_the_user_sees_and_only_for_them(client, ops):
    Notification.objects.create(title="mine", user=ops)
    everyone = Notification.objects.create(title="all")
    other_user = make_ops()
    foreign = Notification.objects.create(title="other", user=other_user)
    client.post(reverse("integrations:notification_read_all"))
    assert Notification.objects.unread_for(ops).count() == 0
    assert not foreign.reads.exists()
    # Reading a broadcast alert does not read it for the other operators.
    assert set(Notification.objects.unread_for(other_user)) == {everyone, foreign}


def test_integration_alerts_are_only_for_those_who_may_act_on_them(client, ops):
    alert = Notification.objects.create(
        title="Import error", permission="integrations.operate_integrations"
    )
    nobody = make_user()
    client.force_login(nobody)
    assert Notification.objects.visible_to(nobody).count() == 0
    assert (
        client.post(reverse("integrations:notification_open", args=[alert.pk])).status_code == 404
    )
    client.post(reverse("integrations:notification_read_all"))
    assert not alert.reads.exists()
    assert list(Notification.objects.unread_for(ops)) == [alert]


def test_integrations_page_is_for_admins_and_operators(client, ops):
    url = reverse("integrations:integration_list")
    assert client.get(url).status_code == 200

    client.force_login(make_user())
    assert client.get(url).status_code == 403

    client.force_login(make_admin())
    french = client.get(url)
    assert french.status_code == 200
    assert "Aucune intégration configurée" in french.text
    english = client.get(url, headers={"accept-language": "en"})
    assert "No integration configured" in english.text


def test_integration_list_says_when_no_worker_runs(client):
    cache.delete(HEARTBEAT_CACHE_KEY)
    client.force_login(make_admin())
    url = reverse("integrations:integration_list")

    page = client.get(url, headers={"accept-language": "en"})

    assert "Stopped" in page.text
    assert "No worker has ever checked in" in page.text


def test_integration_list_shows_a_running_worker_in_both_languages(client):
    record_heartbeat.apply()  # what beat makes the worker run every interval
    client.force_login(make_admin())
    url = reverse("integrations:integration_list")

    english = client.get(url, headers={"accept-language": "en"})
    french = client.get(url)

    assert "Running" in english.text
    assert "scheduled flows and imports are running" in english.text
    assert "En marche" in french.text


def test_integration_list_says_when_the_worker_stopped_beating(client):
    stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_INTERVAL * 4)
    cache.set(HEARTBEAT_CACHE_KEY, {"at": stale.isoformat(), "worker": "w1"}, timeout=None)
    client.force_login(make_admin())

    page = client.get(reverse("integrations:integration_list"), headers={"accept-language": "en"})

    assert "Stopped" in page.text
    assert "No worker has checked in since" in page.text


def test_the_bell_count_refreshes_itself(client, ops):
    url = reverse("integrations:notification_count")
    empty = client.get(url, headers={"hx-request": "true"})
    assert 'data-testid="unread-count"' not in empty.text
    assert 'hx-trigger="every 60s"' in empty.text
    Notification.objects.create(
        title="Import error", permission="integrations.operate_integrations"
    )
    counted = client.get(url, headers={"hx-request": "true"})
    assert '<span class="counter" data-testid="unread-count">1</span>' in counted.text
    assert "<html" not in counted.text
