"""Forwarding headers are believed from the trusted proxies only."""

import pytest
from django.test import RequestFactory

from connect.proxy import TrustedProxyMiddleware, client_address, trusted_networks
from tests.connect.test_settings import SETTINGS_PROBE, clean_environment, run_python

PROXY = "172.30.8.2"
NETWORKS = trusted_networks(["172.30.8.2/32", "::1/128"])


def seen_by_the_view(settings, remote_addr: str, **headers) -> dict:
    settings.TRUSTED_PROXIES = ["172.30.8.2/32"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)
    seen = {}

    def view(request):
        seen.update(
            address=request.META["REMOTE_ADDR"],
            secure=request.is_secure(),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
        )

    TrustedProxyMiddleware(view)(request)
    return seen


def test_the_trusted_proxy_gives_the_client_address_and_scheme(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = seen_by_the_view(
        settings, PROXY, x_forwarded_for="203.0.113.9", x_forwarded_proto="https"
    )
    assert seen == {"address": "203.0.113.9", "secure": True, "forwarded_for": "203.0.113.9"}


def test_anyone_else_s_forwarding_headers_are_dropped(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = seen_by_the_view(
        settings, "198.51.100.4", x_forwarded_for="203.0.113.9", x_forwarded_proto="https"
    )
    assert seen == {"address": "198.51.100.4", "secure": False, "forwarded_for": None}


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # The client wrote the left part itself: only what the proxy appended counts.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        ("203.0.113.9, 172.30.8.2", "203.0.113.9"),
        ("2001:db8::1", "2001:db8::1"),
        ("not-an-address", PROXY),
        ("172.30.8.2", PROXY),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(forwarded_for, client):
    assert client_address(forwarded_for, PROXY, NETWORKS) == client


def test_the_default_trusts_only_a_proxy_on_this_machine(settings):
    assert settings.TRUSTED_PROXIES == ["127.0.0.1/32", "::1/128"]


def test_a_bad_trusted_proxy_stops_the_start_with_its_name(tmp_path):
    result = run_python(SETTINGS_PROBE, clean_environment(tmp_path, TRUSTED_PROXIES="proxy"))
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy' is not an IP address or network" in result.stderr
