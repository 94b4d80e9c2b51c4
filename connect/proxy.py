"""The client's address and scheme, believed from forwarding headers only when a trusted proxy
sent them.

Behind a TLS proxy every request comes from the proxy's address; the proxy says who the client
is (X-Forwarded-For) and whether it spoke HTTPS (X-Forwarded-Proto). From anyone else these
headers are lies waiting to happen (a guesser rotating X-Forwarded-For would dodge the per-address
login lockout), so they are removed before anything reads them.
"""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FORWARDING_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REAL_IP",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in entries)


def trusted_networks(entries: list[str]) -> tuple[IPv4Network | IPv6Network, ...]:
    """TRUSTED_PROXIES as networks (the settings have checked every entry)."""
    return _networks(tuple(entries))


def is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address.strip())
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return any(ip in network for network in networks)


def client_address(forwarded_for: str, peer: str, networks) -> str:
    """The client as the trusted proxies saw it: the right-most X-Forwarded-For entry that is
    not itself a trusted proxy (entries further left were written by the client and anyone)."""
    for entry in reversed([item.strip() for item in forwarded_for.split(",")]):
        try:
            ip_address(entry)
        except ValueError:
            return peer
        if not is_trusted(entry, networks):
            return entry
    return peer


class TrustedProxyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        networks = trusted_networks(settings.TRUSTED_PROXIES)
        peer = meta.get("REMOTE_ADDR", "")
        if is_trusted(peer, networks):
            if meta.get("HTTP_X_FORWARDED_FOR"):
                meta["REMOTE_ADDR"] = client_address(meta["HTTP_X_FORWARDED_FOR"], peer, networks)
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


def request_client_address(request: HttpRequest) -> str | None:
    """The address the login lockout counts (REMOTE_ADDR once the middleware has set it)."""
    return request.META.get("REMOTE_ADDR") or None
