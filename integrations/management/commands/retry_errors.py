"""`python manage.py retry_errors <integration> [--all | ids...]`: retry open errors of the
Erreurs tab now, in this process, one record each through its flow, and print each result.
An error a worker or an operator is retrying at this moment is left to them."""

from django.core.management.base import BaseCommand, CommandError

from integrations import runner
from integrations.management.arguments import add_integration_argument, integration_argument
from integrations.models import IntegrationError
from integrations.selectors.errors import errors_of
from integrations.text import render_message


class Command(BaseCommand):
    help = "Retry open errors of an integration (given ids, or --all) and print each result."

    def add_arguments(self, parser) -> None:
        add_integration_argument(parser)
        parser.add_argument("ids", nargs="*", type=int, help="ids of the errors to retry")
        parser.add_argument("--all", action="store_true", help="retry every open error")

    def handle(self, *args, integration: str, ids: list[int], all: bool, **options) -> None:
        found = integration_argument(integration)
        if all == bool(ids):
            raise CommandError("give the ids of the errors to retry, or --all")
        errors = errors_of(found)
        if ids:
            errors = errors.filter(pk__in=ids)
            missing = sorted(set(ids) - set(errors.values_list("pk", flat=True)))
            if missing:
                raise CommandError(
                    f"no open error {', '.join(map(str, missing))} on {found.name}",
                )
        still_open = 0
        for error_id in errors.order_by("id").values_list("pk", flat=True):
            outcome = runner.retry_error(error_id)
            error = IntegrationError.objects.get(pk=error_id)
            if error.status == IntegrationError.Status.OPEN:
                still_open += 1
                said = render_message(error.result_message, error.result_params) or (
                    render_message(error.message, error.params)
                )
                if outcome.run is None:
                    said = "being retried elsewhere"
                elif outcome.run.reason_code == "retrying":
                    said = outcome.run.reason()
                self.stdout.write(
                    f"#{error.pk} {error.record_type} {error.record_id}: open, {said}"
                )
            else:
                said = render_message(error.result_message, error.result_params)
                self.stdout.write(
                    f"#{error.pk} {error.record_type} {error.record_id}: {error.status}"
                    + (f", {said}" if said else "")
                )
        if still_open:
            raise CommandError(f"{still_open} error(s) still open", returncode=1)
