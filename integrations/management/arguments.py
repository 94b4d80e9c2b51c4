"""What the integrations' commands share: the `<integration>` argument (id or unique name)."""

from django.core.management.base import CommandError

from integrations.models import Integration
from integrations.selectors.integrations import integration_by_ref


def add_integration_argument(parser) -> None:
    parser.add_argument("integration", help="the integration's id or unique name")


def integration_argument(ref: str) -> Integration:
    integration = integration_by_ref(ref)
    if integration is None:
        names = ", ".join(Integration.objects.order_by("name").values_list("name", flat=True))
        raise CommandError(f"no integration {ref!r} (integrations: {names or 'none'})")
    return integration
