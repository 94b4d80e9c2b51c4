from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _number_sequences_after_migrate(sender, using, **kwargs) -> None:
    """A database built from the models (no migrations) gets its number sequences too."""
    from django.db import connections

    from sales.services.numbers import database_sequences_create

    database_sequences_create(connections[using])


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        post_migrate.connect(
            _number_sequences_after_migrate, sender=self, dispatch_uid="sales.number_sequences"
        )
