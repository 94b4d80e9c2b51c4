"""Reads of the API-call ledger: this month's use of an account, by flow and by day, and where
the month is heading."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from hiboutik.ledger import NON_ESSENTIAL_PERCENT
from integrations.models import ApiCallCount, ApiQuotaMonth, Integration
from integrations.quota_calendar import account_now, month_bounds, month_of


@dataclass(frozen=True)
class QuotaUse:
    account_key: str
    month: str
    calls: int
    quota: int
    exhausted: bool  # the other side said the month is spent

    @property
    def percent(self) -> float:
        return 100.0 * self.calls / self.quota if self.quota else 100.0

    @property
    def blocked(self) -> bool:
        """Nothing may call the account until the month changes."""
        return self.exhausted or self.calls >= self.quota

    @property
    def essential_only(self) -> bool:
        """Only essential flows may run (from 95 % of the quota)."""
        return self.blocked or self.calls * 100 >= self.quota * NON_ESSENTIAL_PERCENT

    def projection(self, today: date | None = None) -> int:
        """Calls at the end of the month at this month's pace so far."""
        today = today or account_now().date()
        first, last = month_bounds(self.month)
        if month_of_day(today) != self.month:
            return self.calls
        elapsed = (today - first).days + 1
        return round(self.calls * last.day / elapsed)


def month_of_day(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quota_use(account_key: str, quota: int, month: str | None = None) -> QuotaUse:
    month = month or month_of(account_now())
    row = (
        ApiQuotaMonth.objects.filter(account_key=account_key, month=month)
        .values("calls", "exhausted_at")
        .first()
    )
    return QuotaUse(
        account_key=account_key,
        month=month,
        calls=row["calls"] if row else 0,
        quota=quota,
        exhausted=bool(row and row["exhausted_at"]),
    )


def integration_quota_use(integration: Integration) -> QuotaUse | None:
    """The month's use of the account `integration` calls, None when its type meters none or
    its configuration does not say which account yet."""
    try:
        account = integration.type_spec.quota_account(integration)
    except (KeyError, ValueError):
        return None
    if account is None:
        return None
    return quota_use(*account)


def calls_by_flow(account_key: str, month: str | None = None) -> list[dict]:
    """[{"integration": id, "integration__name", "flow_key", "calls"}] for the month, most
    calls first; every integration of the account is included."""
    first, last = month_bounds(month or month_of(account_now()))
    return list(
        ApiCallCount.objects.filter(account_key=account_key, day__range=(first, last))
        .values("integration", "integration__name", "flow_key")
        .annotate(calls=Sum("calls"))
        .order_by("-calls", "integration__name", "flow_key")
    )


def calls_by_day(account_key: str, month: str | None = None) -> list[dict]:
    """[{"day", "calls"}] for every day of the month that had calls, in order."""
    first, last = month_bounds(month or month_of(account_now()))
    return list(
        ApiCallCount.objects.filter(account_key=account_key, day__range=(first, last))
        .values("day")
        .annotate(calls=Sum("calls"))
        .order_by("day")
    )
