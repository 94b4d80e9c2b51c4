import pytest

from integrations.models import Notification
from tests.factories import make_admin, make_ops, make_user

pytestmark = pytest.mark.django_db


def test_unread_for_holds_own_and_broadcast_unread_notifications():
    user, other = make_ops(), make_ops()
    mine = Notification.objects.create(title="Mine", user=user)
    everyone = Notification.objects.create(title="Everyone")
    Notification.objects.create(title="Other's", user=other)
    read = Notification.objects.create(title="Read", user=user)
    read.mark_read(user)

    assert set(Notification.objects.unread_for(user)) == {mine, everyone}
    assert set(Notification.objects.visible_to(user)) == {mine, everyone, read}


def test_read_state_is_per_user_and_keeps_the_first_reading_time():
    first, second = make_ops(), make_ops()
    notification = Notification.objects.create(title="Erreur d'import", level="error")
    notification.mark_read(first)
    read_at = notification.reads.get().read_at
    notification.mark_read(first)
    assert notification.reads.get().read_at == read_at
    assert list(Notification.objects.unread_for(second)) == [notification]
    states = dict(Notification.objects.with_read_state(first).values_list("pk", "is_read"))
    assert states == {notification.pk: True}


def test_a_notification_needing_a_permission_is_hidden_from_users_without_it():
    alert = Notification.objects.create(
        title="Quota", permission="integrations.operate_integrations"
    )
    assert list(Notification.objects.visible_to(make_ops())) == [alert]
    assert list(Notification.objects.visible_to(make_admin())) == [alert]
    assert list(Notification.objects.visible_to(make_user())) == []
