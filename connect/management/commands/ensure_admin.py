"""Make sure an administrator exists and say how to log in.

A generated password is printed once, when it is set, and never written anywhere: the database
keeps only its hash. `--reset-password` (what `make admin` runs) sets a new one and prints it.
ADMIN_PASSWORD, when set, is used instead of a generated password and never printed.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connect.roles import ADMIN

# Where older versions kept the generated password in plain text; removed on the next run.
PLAIN_TEXT_COPY = "admin_password"


def new_admin_password() -> str:
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = (
        "Create the administrator if missing (superuser in the admin group) and print its "
        "login; --reset-password sets a new password and prints it once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@connect.local")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="set a new password (ADMIN_PASSWORD, or a generated one printed once)",
        )

    def handle(self, *args, username: str, email: str, reset_password: bool, **options) -> None:
        username = username.strip()
        if not username:
            raise CommandError("--username must not be empty.")
        from_environment = os.environ.get("ADMIN_PASSWORD", "").strip()
        legacy_file = Path(settings.DATA_DIR) / PLAIN_TEXT_COPY
        legacy_password = legacy_file.read_text().strip() if legacy_file.is_file() else ""

        user_model = get_user_model()
        new_password = None
        with transaction.atomic():
            user = user_model.objects.select_for_update().filter(username=username).first()
            created = user is None
            if created or reset_password:
                new_password = from_environment or new_admin_password()
            if created:
                user = user_model.objects.create_superuser(username, email, new_password)
            else:
                user.is_superuser = user.is_staff = user.is_active = True
                if new_password:
                    user.set_password(new_password)
                user.save()
            group, _ = Group.objects.get_or_create(name=ADMIN)
            user.groups.add(group)
        # Delete the plain-text copy only once the database no longer needs it to be shown.
        legacy_file.unlink(missing_ok=True)

        reset_hint = "`make admin` (manage.py ensure_admin --reset-password) sets a new one"
        if new_password and from_environment:
            self.stdout.write(f"Admin login: {username} with the password in ADMIN_PASSWORD")
        elif new_password:
            self.stdout.write(f"Admin login: {username} / {new_password}")
            self.stdout.write(f"  (shown only now: only its hash is kept; {reset_hint})")
        elif legacy_password and user.check_password(legacy_password):
            self.stdout.write(f"Admin login: {username} / {legacy_password}")
            self.stdout.write(
                f"  (shown for the last time: {legacy_file} is deleted, only the password's "
                f"hash is kept; {reset_hint})"
            )
        else:
            self.stdout.write(
                f"Admin login: {username} (password shown when it was set; {reset_hint})"
            )
