"""Sessions end after a time without activity, and a fixed time after sign-in whatever the
activity: a back office that issues refunds must not stay open on a forgotten screen.

The sign-in time and the last activity are kept in the session. The session is saved again (with
a new expiry, which is also the cookie's) at most once a minute, not on every request.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

SIGNED_IN_AT = "_connect_signed_in_at"
SEEN_AT = "_connect_seen_at"
# Seconds between two saves of a session in use: its deadline moves by up to this much late.
REFRESH_EVERY = 60


def now() -> int:
    return int(time.time())


def start_session_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """On sign-in (user_logged_in): both clocks start."""
    moment = now()
    request.session[SIGNED_IN_AT] = moment
    _record_activity(request.session, moment, signed_in_at=moment)


def _record_activity(session: SessionBase, moment: int, signed_in_at: int) -> None:
    session[SEEN_AT] = moment
    left = signed_in_at + settings.SESSION_ABSOLUTE_TIMEOUT - moment
    session.set_expiry(max(1, min(settings.SESSION_IDLE_TIMEOUT, left)))


def ended_session_message(session: SessionBase, moment: int) -> str | None:
    """Why the signed-in session must end now, or None while it may go on."""
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        return None
    if moment - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return gettext("Your session reached its maximum duration: sign in again.")
    if moment - seen_at >= settings.SESSION_IDLE_TIMEOUT:
        return gettext("Your session ended after a period of inactivity: sign in again.")
    return None


class SessionTimeoutMiddleware:
    """Signs out an idle or too old session before the view runs (login pages then take over)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY not in session:
            return self.get_response(request)
        moment = now()
        if SIGNED_IN_AT not in session:
            # A session opened before these clocks existed starts them now.
            session[SIGNED_IN_AT] = moment
            _record_activity(session, moment, signed_in_at=moment)
        message = ended_session_message(session, moment)
        if message is None:
            if moment - session[SEEN_AT] >= REFRESH_EVERY:
                _record_activity(session, moment, signed_in_at=session[SIGNED_IN_AT])
            return self.get_response(request)
        logout(request)
        messages.info(request, message)
        # Signed out, the request meets the login requirement like any other (an htmx one gets
        # a whole-page redirect to the login page: connect/middleware.py).
        return self.get_response(request)
