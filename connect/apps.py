from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ConnectConfig(AppConfig):
    name = "connect"
    verbose_name = "Connect"

    def ready(self) -> None:
        from connect.roles import ensure_roles_after_migrate
        from connect.search import register_sqlite_fold
        from connect.sessions import start_session_clock

        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="connect.ensure_roles")
        user_logged_in.connect(start_session_clock, dispatch_uid="connect.session_clock")
        connection_created.connect(register_sqlite_fold, dispatch_uid="connect.sqlite_fold")
