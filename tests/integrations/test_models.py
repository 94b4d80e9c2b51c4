import pytest

from integrations.models import Notification
from tests.factories import make_ops

pytestmark = pytest.mark.django_db


def test_unread_for_holds_own_and_broadcast_unread_notifications():
    user, other = make_ops(), make_ops()
    mine = Notification.objects.create(title="Mine", user=user)
    everyone = Notification.objects.create(title="Everyone")
    Notification.objects.create(title="Other's", user=other)
    read = Notification.objects.create(title="Read", user=user)
    read.mark_read()

    assert set(Notification.objects.unread_for(user)) == {mine, everyone}
    assert set(Notification.objects.for_user(user)) == {mine, everyone, read}


def test_mark_read_keeps_the_first_reading_time():
    notification = Notification.objects.create(title="Erreur d'import", level="error")
    notification.mark_read()
    first = Notification.objects.get().read_at
    assert first is not None

    again = Notification.objects.get()
    again.mark_read()
    assert Notification.objects.get().read_at == first
    assert again.is_read
