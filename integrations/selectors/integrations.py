"""Reads of integrations themselves, shared by pages and commands."""

from integrations.models import Integration


def integration_by_ref(ref: str) -> Integration | None:
    """The integration named `ref` (unique), else the one whose id is `ref`, else None. The
    name wins so that an integration named "2" is still reachable by its name."""
    ref = ref.strip()
    integration = Integration.objects.filter(name=ref).first()
    if integration is None and ref.isdigit():
        integration = Integration.objects.filter(pk=int(ref)).first()
    return integration
