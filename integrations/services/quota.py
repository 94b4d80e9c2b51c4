"""Quota warnings: one notification per threshold (50, 80, 95, 100 %) per account and month,
whoever crosses it first (a conditional UPDATE decides, so concurrent runs notify once)."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from integrations.models import ApiQuotaMonth, Integration, Notification
from integrations.selectors.quota import QuotaUse
from integrations.services.notifications import OPERATE_PERMISSION, notify

THRESHOLDS = (50, 80, 95, 100)

MESSAGES = {
    50: gettext_noop(
        "Half of this month's %(quota)s API calls to %(account)s are used (%(calls)s)."
    ),
    80: gettext_noop(
        "80 %% of this month's %(quota)s API calls to %(account)s are used (%(calls)s)."
    ),
    95: gettext_noop(
        "95 %% of this month's %(quota)s API calls to %(account)s are used (%(calls)s): only "
        "essential flows (order import, stock export) run until the month changes."
    ),
    100: gettext_noop(
        "This month's API calls to %(account)s are spent (%(calls)s of %(quota)s): nothing "
        "calls it until the month changes."
    ),
}


def quota_warn(integration: Integration, use: QuotaUse) -> int | None:
    """Notify the highest threshold `use` reached that was not notified yet this month;
    returns it, or None."""
    reached = max(
        (t for t in THRESHOLDS if use.percent >= t or (t == 100 and use.blocked)), default=None
    )
    if reached is None:
        return None
    claimed = ApiQuotaMonth.objects.filter(
        account_key=use.account_key, month=use.month, notified_percent__lt=reached
    ).update(notified_percent=reached)
    if not claimed:
        return None
    notify(
        title=gettext_noop("API quota: %(percent)s %% used"),
        message=MESSAGES[reached],
        params={
            "percent": reached,
            "account": use.account_key,
            "calls": use.calls,
            "quota": use.quota,
        },
        level=Notification.Level.ERROR if reached >= 95 else Notification.Level.WARNING,
        permission=OPERATE_PERMISSION,
        integration=integration,
        # Opening the warning shows the month's calls by flow and by day.
        url=reverse("integrations:integration_quota", args=[integration.pk]),
    )
    return reached
