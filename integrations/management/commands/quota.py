"""`python manage.py quota <integration>`: this month's API calls of the integration's account,
by flow and by day, against its quota, and where the month ends at the current pace."""

from django.core.management.base import BaseCommand

from integrations.management.arguments import add_integration_argument, integration_argument
from integrations.selectors.quota import calls_by_day, calls_by_flow, integration_quota_use


class Command(BaseCommand):
    help = "Print this month's API calls of an integration's account, by flow and by day."

    def add_arguments(self, parser) -> None:
        add_integration_argument(parser)

    def handle(self, *args, integration: str, **options) -> None:
        found = integration_argument(integration)
        use = integration_quota_use(found)
        if use is None:
            self.stdout.write(f"{found.name}: its calls are not counted (no account set yet)")
            return
        self.stdout.write(
            f"{use.account_key} {use.month}: {use.calls} / {use.quota} calls "
            f"({use.percent:.1f} %), {use.projection()} at the end of the month at this pace"
        )
        if use.blocked:
            self.stdout.write("spent: nothing calls the account until the month changes")
        elif use.essential_only:
            self.stdout.write("95 % used: only essential flows run until the month changes")
        self.stdout.write("by flow:")
        for row in calls_by_flow(use.account_key, use.month):
            flow = row["flow_key"] or "(outside a flow)"
            self.stdout.write(f"  {row['integration__name']} {flow}: {row['calls']}")
        self.stdout.write("by day:")
        for row in calls_by_day(use.account_key, use.month):
            self.stdout.write(f"  {row['day'].isoformat()}: {row['calls']}")
