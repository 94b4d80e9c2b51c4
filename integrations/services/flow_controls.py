"""What the Flux tab changes: a flow's schedule and *Exécuter maintenant*, with the rule that
a flow writing what a whole account shares (`Flow.account_wide`: Hiboutik's products belong to
the account, not to one store) is enabled on one integration of that account only.

Two admins enabling such a flow on two stores at once cannot both succeed: the integrations of
the type are locked in id order before the check.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from integrations import runner
from integrations.models import FlowRun, FlowSchedule, Integration
from integrations.schedules import Schedule
from integrations.services.schedules import schedule_save
from integrations.text import render_message

ONE_PER_ACCOUNT = gettext_noop(
    "%(flow)s writes what every integration of the account %(account)s shares (the "
    "products): it may be enabled on one integration of the account only, and it is enabled "
    "on %(other)s. With several stores on one account, one integration exports the products "
    "and the others import their store's sales and export its stock."
)


class FlowRefused(Exception):
    def __init__(self, code: str, message: str, params: dict) -> None:
        super().__init__(message % params)
        self.code = code
        self.message = message
        self.params = params

    def text(self) -> str:
        return render_message(self.message, self.params)


def account_of(integration: Integration) -> str | None:
    try:
        account = integration.type_spec.quota_account(integration)
    except (KeyError, ValueError):
        return None
    return account[0] if account else None


def account_wide_holder(integration: Integration, flow_key: str) -> Integration | None:
    """Another integration of the same account on which this account-wide flow is enabled."""
    flow = integration.type_spec.flow(flow_key)
    account = account_of(integration) if flow.account_wide else None
    if account is None:
        return None
    enabled_on = FlowSchedule.objects.filter(
        integration__type=integration.type, flow_key=flow_key, enabled=True
    ).exclude(integration=integration)
    for schedule in enabled_on.select_related("integration"):
        if account_of(schedule.integration) == account:
            return schedule.integration
    return None


def _refuse_if_held(integration: Integration, flow_key: str) -> None:
    holder = account_wide_holder(integration, flow_key)
    if holder is not None:
        flow = integration.type_spec.flow(flow_key)
        raise FlowRefused(
            "account_wide",
            ONE_PER_ACCOUNT,
            {"flow": str(flow.label), "account": account_of(integration), "other": holder.name},
        )


def flow_schedule_set(
    integration: Integration, flow_key: str, *, enabled: bool, schedule: Schedule | None
) -> FlowSchedule:
    """Save a flow's schedule; raises `FlowRefused` when it may not be enabled here."""
    flow = integration.type_spec.flow(flow_key)
    with transaction.atomic():
        if enabled and flow.account_wide:
            list(
                Integration.objects.select_for_update()
                .filter(type=integration.type)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            _refuse_if_held(integration, flow_key)
        return schedule_save(integration, flow_key, enabled=enabled, schedule=schedule)


def flow_run_now(integration: Integration, flow_key: str) -> FlowRun:
    """*Exécuter maintenant*: a pending run (or a skipped one saying why not)."""
    if integration.type_spec.flow(flow_key).account_wide:
        _refuse_if_held(integration, flow_key)
    return runner.request_run(integration, flow_key, trigger=FlowRun.Trigger.MANUAL)
