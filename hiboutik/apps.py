from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HiboutikAppConfig(AppConfig):
    name = "hiboutik"
    verbose_name = _("Hiboutik")

    def ready(self) -> None:
        from hiboutik.integration import integration_type
        from integrations.registry import register

        register(integration_type())
