"""Create a Connect user with one of the two roles.

    python manage.py createuser marie --role ops
    printf '%s\n' "$PASSWORD" | python manage.py createuser paul --role admin --password-stdin

Without --password-stdin a password is generated and printed once (the database keeps only its
hash). A password given on standard input must pass the password rules; it is never printed.
"""

import secrets
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connect.roles import ADMIN, OPS, ensure_roles


class Command(BaseCommand):
    help = "Create a user in the ops or admin role; prints a generated password unless given one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            choices=[OPS, ADMIN],
            help="ops: orders, returns, refunds, stock; admin: everything, integrations included",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of generating one",
        )

    def handle(self, *args, username: str, role: str, email: str, password_stdin: bool, **options):
        username = username.strip()
        if not username:
            raise CommandError("The username must not be empty.")
        user_model = get_user_model()
        if user_model.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = user_model(username=username, email=email.strip())
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError("Password refused: " + " ".join(error.messages)) from None
        else:
            password = secrets.token_urlsafe(12)
        user.set_password(password)
        # Admins open the Django admin too; its pages check each permission like the others.
        user.is_staff = role == ADMIN
        with transaction.atomic():
            ensure_roles()
            user.save()
            user.groups.add(Group.objects.get(name=role))
        if password_stdin:
            self.stdout.write(f"User {username} created with the {role} role.")
        else:
            self.stdout.write(
                f"User {username} created with the {role} role. Password (shown once): {password}"
            )
