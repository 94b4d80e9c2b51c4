"""Sessions end after 8 hours without activity and 12 hours after sign-in (both configurable)."""

import pytest
from django.contrib.sessions.models import Session

from connect import sessions
from tests.connect.test_settings import SETTINGS_PROBE, clean_environment, run_python
from tests.factories import make_ops

pytestmark = pytest.mark.django_db

HOUR = 3600
PAGE = "/sales/orders/"


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by hand."""

    class Clock:
        moment = 1_800_000_000

        def advance(self, seconds: int) -> None:
            self.moment += seconds

    fake = Clock()
    monkeypatch.setattr(sessions, "now", lambda: fake.moment)
    return fake


@pytest.fixture
def signed_in(client, clock):
    client.force_login(make_ops())
    return client


def is_signed_in(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 200


def test_the_defaults_are_8_hours_idle_and_12_hours_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 8 * HOUR
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * HOUR
    assert settings.SESSION_COOKIE_AGE == 8 * HOUR


def test_a_session_idle_for_8_hours_ends_with_a_message_on_the_login_page(signed_in, clock):
    clock.advance(HOUR)
    assert is_signed_in(signed_in)
    clock.advance(8 * HOUR)

    response = signed_in.get(PAGE, follow=True)

    assert response.redirect_chain[-1][0] == f"/login/?next={PAGE}"
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in signed_in.session
    assert "Votre session s’est terminée après une période d’inactivité" in response.text


def test_activity_keeps_a_session_until_12_hours_after_sign_in(signed_in, clock):
    for _ in range(3):  # a request every 3 h 59: never idle for 8 hours
        clock.advance(4 * HOUR - 60)
        assert is_signed_in(signed_in)
    assert is_signed_in(signed_in)
    clock.advance(12 * HOUR - 3 * (4 * HOUR - 60))

    response = signed_in.get(PAGE, follow=True)

    assert not response.wsgi_request.user.is_authenticated
    assert "Votre session a atteint sa durée maximale" in response.text


def test_the_stored_expiry_follows_activity_but_is_saved_at_most_once_a_minute(signed_in, clock):
    key = signed_in.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    signed_in.get(PAGE)
    first = expiry()
    clock.advance(30)
    signed_in.get(PAGE)
    assert expiry() == first  # no write for a request 30 s later

    clock.advance(HOUR)
    signed_in.get(PAGE)
    assert expiry() > first
    # Near the absolute limit the stored expiry (and the cookie) stop at it, not 8 hours later.
    clock.advance(7 * HOUR)
    signed_in.get(PAGE)
    cookie = signed_in.cookies["sessionid"]
    assert int(cookie["max-age"]) == 12 * HOUR - (8 * HOUR + 30)


def test_an_htmx_request_of_an_ended_session_reloads_the_whole_login_page(signed_in, clock):
    clock.advance(9 * HOUR)
    response = signed_in.get(
        "/sales/orders/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/x/?a=1"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login/?next=/x/%3Fa%3D1"
    assert not response.content


def test_a_session_opened_before_the_clocks_existed_starts_them(client, clock):
    client.force_login(make_ops())
    session = client.session
    del session[sessions.SIGNED_IN_AT], session[sessions.SEEN_AT]
    session.save()

    assert is_signed_in(client)
    clock.advance(8 * HOUR)
    assert not is_signed_in(client)


def test_both_timeouts_are_configurable(tmp_path):
    probe = SETTINGS_PROBE.replace(
        '"allowed_hosts": settings.ALLOWED_HOSTS,',
        '"allowed_hosts": settings.ALLOWED_HOSTS, "idle": settings.SESSION_IDLE_TIMEOUT, '
        '"absolute": settings.SESSION_ABSOLUTE_TIMEOUT, "cookie": settings.SESSION_COOKIE_AGE,',
    )
    env = clean_environment(tmp_path, SESSION_IDLE_TIMEOUT="900", SESSION_ABSOLUTE_TIMEOUT="3600")
    result = run_python(probe, env)
    assert result.returncode == 0, result.stderr
    assert '"idle": 900, "absolute": 3600, "cookie": 900' in result.stdout

    env = clean_environment(tmp_path, SESSION_IDLE_TIMEOUT="7200", SESSION_ABSOLUTE_TIMEOUT="3600")
    result = run_python(SETTINGS_PROBE, env)
    assert "SESSION_ABSOLUTE_TIMEOUT must be at least SESSION_IDLE_TIMEOUT" in result.stderr
