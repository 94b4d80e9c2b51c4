"""Make sure an administrator exists and print how to log in.

The password is generated once into the data folder (or taken from ADMIN_PASSWORD), so every
`make run` prints the same login. A password changed later in the UI is never overwritten,
unless asked with --reset-password.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connect.env import persistent_secret
from connect.roles import ADMIN


def new_admin_password() -> str:
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = "Create the administrator if missing (superuser in the admin group) and print its login."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@connect.local")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="set the password back to the stored one if it was changed",
        )

    def handle(self, *args, username: str, email: str, reset_password: bool, **options) -> None:
        username = username.strip()
        if not username:
            raise CommandError("--username must not be empty.")
        password = persistent_secret(
            "ADMIN_PASSWORD", settings.DATA_DIR / "admin_password", new_admin_password
        )
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model.objects.filter(username=username).first()
            created = user is None
            if created:
                user = user_model.objects.create_superuser(username, email, password)
            else:
                user.is_superuser = user.is_staff = user.is_active = True
                if reset_password:
                    user.set_password(password)
                user.save()
            group, _ = Group.objects.get_or_create(name=ADMIN)
            user.groups.add(group)

        if created or user.check_password(password):
            self.stdout.write(f"Admin login: {username} / {password}")
        else:
            source = (
                "ADMIN_PASSWORD"
                if os.environ.get("ADMIN_PASSWORD", "").strip()
                else settings.DATA_DIR / "admin_password"
            )
            self.stdout.write(
                f"Admin login: {username} (its password was changed since it was set; "
                f"`python manage.py ensure_admin --reset-password` sets it back to {source})"
            )
