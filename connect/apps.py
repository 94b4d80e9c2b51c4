from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connect"

    def ready(self) -> None:
        from connect.roles import ensure_roles_after_migrate

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="connect.ensure_roles")
