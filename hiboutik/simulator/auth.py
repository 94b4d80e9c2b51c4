"""HTTP Basic (login email + API key) and optional OAuth bearer tokens
(hiboutik-api.md §1.2). Returns the caller's role or raises 401."""

from __future__ import annotations

import base64
import binascii
import hmac

from hiboutik.simulator.config import SimulatorConfig
from hiboutik.simulator.errors import unauthorized

ADMIN = "admin"
READONLY = "readonly"


def authenticate(config: SimulatorConfig, authorization: str | None) -> str:
    if not authorization:
        raise unauthorized("Authentication required: HTTP Basic with your email and API key")
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        token = credentials.strip()
        if config.oauth_token and hmac.compare_digest(token, config.oauth_token):
            return ADMIN
        raise unauthorized("Invalid or expired access token")
    if scheme != "basic":
        raise unauthorized(f"Unsupported authentication scheme {scheme!r}")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized("Malformed Basic credentials") from None
    user, _, key = decoded.partition(":")
    if _same(user, config.user) and _same(key, config.api_key):
        return ADMIN
    if (
        config.readonly_user is not None
        and config.readonly_key is not None
        and _same(user, config.readonly_user)
        and _same(key, config.readonly_key)
    ):
        return READONLY
    raise unauthorized("Invalid credentials: check the user email and the API key")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
