"""Creating and changing integrations: configuration, secrets, enabling, the webhook token."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from integrations.models import Integration
from integrations.registry import get_type
from integrations.secrets import decrypt_secrets, encrypt_secrets
from integrations.webhook_tokens import derive_token, new_nonce, token_hash


class IntegrationInvalid(ValueError):
    """Bad input for an integration; `issues` lists what the type's config parser said."""

    def __init__(self, message: str, issues: list | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


def _checked_config(type_key: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as the type stores it, after its parser accepted it."""
    spec = get_type(type_key)
    try:
        parsed = spec.parse_config(config)
    except ValueError as error:
        raise IntegrationInvalid(str(error), getattr(error, "issues", [])) from error
    to_json = getattr(parsed, "to_json", None)
    return to_json() if callable(to_json) else dict(config)


def integration_create(
    *,
    type: str,
    name: str,
    config: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
    enabled: bool = True,
) -> Integration:
    """A new integration with its webhook token; its flows get their schedule rows with the
    recommended schedule, disabled until someone enables them."""
    from integrations.services.schedules import schedules_ensure

    name = name.strip()
    if not name:
        raise IntegrationInvalid("an integration needs a name")
    stored = _checked_config(type, config or {})
    with transaction.atomic():
        integration = Integration.objects.create(
            type=type,
            name=name,
            enabled=enabled,
            config=stored,
            secrets_encrypted=encrypt_secrets({k: v for k, v in (secrets or {}).items() if v}),
        )
        _set_webhook_nonce(integration, new_nonce())
        schedules_ensure(integration)
    return integration


def integration_update(
    integration: Integration,
    *,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
    enabled: bool | None = None,
) -> Integration:
    """Change what is given. In `secrets`, an empty value keeps the stored one (the form
    never shows it back), so saving a form without retyping the key keeps the key."""
    from integrations.services.schedules import schedules_sync

    with transaction.atomic():
        locked = Integration.objects.select_for_update().get(pk=integration.pk)
        fields = ["updated_at"]
        if name is not None and name.strip() != locked.name:
            locked.name = name.strip()
            fields.append("name")
        if config is not None:
            locked.config = _checked_config(locked.type, config)
            fields.append("config")
        if secrets:
            current = decrypt_secrets(locked.secrets_encrypted)
            current.update({key: value for key, value in secrets.items() if value})
            locked.secrets_encrypted = encrypt_secrets(current)
            fields.append("secrets_encrypted")
        if enabled is not None and enabled != locked.enabled:
            locked.enabled = enabled
            fields.append("enabled")
        locked.save(update_fields=fields)
        if "name" in fields or "enabled" in fields:
            schedules_sync(locked)
    return locked


def integration_set_enabled(integration: Integration, enabled: bool) -> Integration:
    """Disabling an integration disables every schedule of it (kept, re-enabled with it)."""
    return integration_update(integration, enabled=enabled)


def _set_webhook_nonce(integration: Integration, nonce: str) -> str:
    token = derive_token(integration.pk, nonce)
    integration.webhook_nonce = nonce
    integration.webhook_token_hash = token_hash(token)
    integration.save(update_fields=["webhook_nonce", "webhook_token_hash"])
    return token


def webhook_token_rotate(integration: Integration) -> str:
    """A new webhook token; the old URL answers 404 from now on."""
    with transaction.atomic():
        locked = Integration.objects.select_for_update().get(pk=integration.pk)
        token = _set_webhook_nonce(locked, new_nonce())
    integration.webhook_nonce = locked.webhook_nonce
    integration.webhook_token_hash = locked.webhook_token_hash
    return token


def webhook_url(integration: Integration, base_url: str | None = None) -> str | None:
    """The full URL to give the other side, or None when it cannot be shown again (SECRET_KEY
    changed since: rotate to get a new one)."""
    if not integration.webhook_nonce:
        return None
    token = derive_token(integration.pk, integration.webhook_nonce)
    if token_hash(token) != integration.webhook_token_hash:
        return None
    path = reverse("webhook", kwargs={"type_key": integration.type, "token": token})
    return (base_url or settings.PUBLIC_BASE_URL).rstrip("/") + path
