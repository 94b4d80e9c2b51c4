from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connect"

    def ready(self) -> None:
        from connect.roles import ensure_roles_after_migrate
        from connect.sessions import start_session_clock

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="connect.ensure_roles")
        user_logged_in.connect(start_session_clock, dispatch_uid="connect.session_clock")
