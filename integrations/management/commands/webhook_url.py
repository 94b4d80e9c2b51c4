"""`python manage.py webhook_url <integration> [--rotate]`: print the full URL to give the other
side for its webhooks; `--rotate` issues a new token first, and the old URL answers 404 from
then on (register the new one, e.g. with *Enregistrer le webhook*)."""

from django.core.management.base import BaseCommand, CommandError

from integrations.management.arguments import add_integration_argument, integration_argument
from integrations.services.integrations import webhook_token_rotate, webhook_url


class Command(BaseCommand):
    help = "Print an integration's webhook URL; --rotate replaces its token (old URL refused)."

    def add_arguments(self, parser) -> None:
        add_integration_argument(parser)
        parser.add_argument(
            "--rotate", action="store_true", help="issue a new token; the old URL stops working"
        )
        parser.add_argument(
            "--base-url", default=None, help="Connect's public address (PUBLIC_BASE_URL otherwise)"
        )

    def handle(self, *args, integration: str, rotate: bool, base_url: str | None, **options):
        found = integration_argument(integration)
        if rotate:
            webhook_token_rotate(found)
        url = webhook_url(found, base_url)
        if url is None:
            raise CommandError(
                "the URL cannot be shown again (the secret key changed since it was issued): "
                "run with --rotate for a new one"
            )
        self.stdout.write(url)
