"""The secret token in an integration's webhook URL.

Webhooks carry no signature, so the URL itself is the secret. The token is derived from
SECRET_KEY and a random nonce kept on the integration (HMAC-SHA256), and only its SHA-256 is
stored: a copy of the database alone cannot post sales, yet the page can show the URL again
at any time. Rotating draws a new nonce, which changes the token and invalidates the old URL.
Checking a token never needs SECRET_KEY — only the stored hash — so changing the key (with
SECRET_KEY_FALLBACKS or not) never breaks a URL already registered with the other side; the
page then says to rotate to show it again.
"""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode

from django.conf import settings

# Compared against when the token matches no integration, so an unknown token takes the same
# path and time as a known one.
_DUMMY_HASH = hashlib.sha256(b"connect-no-such-webhook").hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def derive_token(integration_id: int, nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"connect-webhook:{integration_id}:{nonce}".encode(),
        hashlib.sha256,
    ).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hashes_match(stored: str | None, token: str) -> bool:
    """Constant-time comparison of `token`'s hash with `stored` (None: no integration)."""
    return hmac.compare_digest(stored or _DUMMY_HASH, token_hash(token)) and stored is not None
