"""Integration secrets (API keys, tokens) encrypted at rest with the FIELD_ENCRYPTION_KEY keys.

`MultiFernet`: the first key encrypts, every key decrypts, so keys rotate without downtime
(`manage.py rotate_secrets` is not needed: re-saving re-encrypts with the first key). A secret is
never shown back whole: `mask()` gives `••••` and its last four characters.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretsUnreadable(Exception):
    """The stored secrets cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt_secrets(values: dict[str, str]) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise SecretsUnreadable(
            "the integration's secrets cannot be decrypted with FIELD_ENCRYPTION_KEY; "
            "was the key changed without keeping the old one after it?"
        ) from None


def mask(secret: str) -> str:
    """`••••` plus the last four characters (none of them when the secret is that short)."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) > 8 else "")
