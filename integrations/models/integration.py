from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.secrets import decrypt_secrets, mask


class Integration(models.Model):
    """One configured integration: one Hiboutik store, one web shop... Its `type` names an
    entry of the integration type registry (`integrations.registry`), which knows how to read
    `config`, build a client and run the type's flows."""

    type = models.CharField(_("type"), max_length=32)
    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    # JSON of every secret (e.g. {"api_key": ...}), encrypted: see integrations.secrets.
    secrets_encrypted = models.TextField(_("secrets (encrypted)"), blank=True, editable=False)
    # The webhook URL carries a random token; only its SHA-256 is stored, so a database leak
    # does not let anyone post sales. See integrations.webhook_tokens.
    webhook_token_hash = models.CharField(
        _("webhook token hash"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    webhook_nonce = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        ordering = ["name"]
        permissions = [
            ("manage_integrations", _("Can see and configure integrations")),
            ("operate_integrations", _("Can follow integration runs and retry their errors")),
        ]

    def __str__(self) -> str:
        return self.name

    def secret(self, name: str) -> str:
        """A decrypted secret, "" when not set. Never log it, never pass it to a task."""
        return decrypt_secrets(self.secrets_encrypted).get(name, "")

    def masked_secret(self, name: str) -> str:
        return mask(self.secret(name))

    @property
    def type_spec(self):
        """The registry entry of this integration's type (KeyError when not installed)."""
        from integrations.registry import get_type

        return get_type(self.type)

    @property
    def type_label(self) -> str:
        from integrations.registry import find_type

        spec = find_type(self.type)
        return str(spec.label) if spec else self.type
