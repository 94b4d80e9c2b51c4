"""`python manage.py run_flow <integration> <flow_key>`: run one flow now, in this process, and
print how it ended. Exits 1 when the run failed or errored, or when the other side asked to
wait (the run is then handed to a worker, which retries it after the delay)."""

from django.core.management.base import BaseCommand, CommandError

from integrations import runner
from integrations.management.arguments import add_integration_argument, integration_argument
from integrations.models import FlowRun

FAILED = (FlowRun.Status.FAILED, FlowRun.Status.ERRORED)


class Command(BaseCommand):
    help = "Run one flow of an integration now, in the foreground, and print its counts."

    def add_arguments(self, parser) -> None:
        add_integration_argument(parser)
        parser.add_argument("flow_key", help="the flow's key, as the Flux tab shows it")

    def handle(self, *args, integration: str, flow_key: str, **options) -> None:
        found = integration_argument(integration)
        if found.type_spec is not None and not found.type_spec.has_flow(flow_key):
            keys = ", ".join(flow.key for flow in found.type_spec.flows) or "none"
            raise CommandError(f"{found.name} has no flow {flow_key!r} (its flows: {keys})")
        outcome = runner.run_flow(found.pk, flow_key, FlowRun.Trigger.MANUAL)
        run = outcome.run
        if run is None:  # pragma: no cover - the integration was deleted meanwhile
            raise CommandError(f"{found.name} no longer exists")
        self.stdout.write(describe_run(run))
        if outcome.retry_in is not None:
            from integrations.tasks import run_flow

            run_flow.apply_async(
                kwargs={
                    "integration_id": found.pk,
                    "flow_key": flow_key,
                    "trigger": run.trigger,
                    "run_id": run.pk,
                },
                countdown=outcome.retry_in,
            )
            raise CommandError(
                f"run #{run.pk} handed to a worker, which retries it in {outcome.retry_in:.0f} s",
                returncode=1,
            )
        if run.status in FAILED:
            raise CommandError(f"run #{run.pk} {run.status}", returncode=1)


def describe_run(run: FlowRun) -> str:
    lines = [
        f"Run #{run.pk} of {run.flow_key} on {run.integration.name}: {run.status}",
        (
            f"seen {run.seen}, created {run.created}, updated {run.updated}, "
            f"skipped {run.skipped}, failed {run.failed}; API calls {run.api_calls}"
            + (f"; {run.duration.total_seconds():.1f} s" if run.duration else "")
        ),
    ]
    if run.reason_message:
        lines.append(run.reason())
    lines.extend(f"  {line['at']} {line['level']}: {line['text']}" for line in run.log_lines())
    return "\n".join(lines)
