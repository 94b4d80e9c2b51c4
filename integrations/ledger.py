"""The API-call ledger in the database, shared by every web and worker process.

One `ApiQuotaMonth` row per account and month; :meth:`DatabaseCallLedger.try_consume` is one
conditional UPDATE (`calls = calls + n WHERE calls + n <= limit AND not exhausted`), so two
processes can never both take the last call, and a refused call counts nothing. The same
transaction adds the calls to the day's `ApiCallCount` of the integration and of the flow
running (read from `integrations.metering`), which the Quota tab shows.

Calls must be consumed outside a long transaction: the UPDATE locks the month row until commit,
and a rollback would forget calls Hiboutik did receive. Flows call the client between their
service calls, never inside `transaction.atomic()` (the runner does not open one).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hiboutik.ledger import (
    DEFAULT_MONTHLY_QUOTA,
    allowance,
    check_consume,
    check_quota,
)
from integrations.metering import current_meter
from integrations.models import ApiCallCount, ApiQuotaMonth
from integrations.quota_calendar import account_now, month_of


class DatabaseCallLedger:
    """Implements `hiboutik.ledger.CallLedger` for one integration, whose calls count against
    the account `key` the client passes (shared by every integration of the account)."""

    def __init__(self, *, integration_id: int, quota: int = DEFAULT_MONTHLY_QUOTA) -> None:
        check_quota(quota)
        self.integration_id = integration_id
        self.quota = quota

    def try_consume(self, key: str, n: int = 1, *, essential: bool = False) -> bool:
        check_consume(n)
        meter = current_meter()
        essential = essential or bool(meter and meter.essential)
        now = account_now()
        month = month_of(now)
        limit = allowance(self.quota, essential=essential)
        with transaction.atomic():
            if not self._take(key, month, n, limit):
                return False
            self._count(key, now, n, meter.flow_key if meter else "")
        if meter is not None:
            meter.add(n)
        return True

    def _take(self, key: str, month: str, n: int, limit: int) -> bool:
        rows = ApiQuotaMonth.objects.filter(
            account_key=key, month=month, exhausted_at__isnull=True, calls__lte=limit - n
        )
        if rows.update(calls=F("calls") + n, quota=self.quota):
            return True
        if limit < n or ApiQuotaMonth.objects.filter(account_key=key, month=month).exists():
            return False
        # First call of the month: the row is created empty (a concurrent creation wins
        # harmlessly), then consumed like any other.
        ApiQuotaMonth.objects.bulk_create(
            [ApiQuotaMonth(account_key=key, month=month, quota=self.quota)], ignore_conflicts=True
        )
        return bool(rows.update(calls=F("calls") + n, quota=self.quota))

    def _count(self, key: str, now: datetime, n: int, flow_key: str) -> None:
        counts = ApiCallCount.objects.filter(
            account_key=key, day=now.date(), integration_id=self.integration_id, flow_key=flow_key
        )
        if counts.update(calls=F("calls") + n):
            return
        ApiCallCount.objects.bulk_create(
            [
                ApiCallCount(
                    account_key=key,
                    day=now.date(),
                    integration_id=self.integration_id,
                    flow_key=flow_key,
                )
            ],
            ignore_conflicts=True,
        )
        counts.update(calls=F("calls") + n)

    def mark_exhausted(self, key: str) -> None:
        month = month_of(account_now())
        ApiQuotaMonth.objects.bulk_create(
            [ApiQuotaMonth(account_key=key, month=month, quota=self.quota)], ignore_conflicts=True
        )
        ApiQuotaMonth.objects.filter(
            account_key=key, month=month, exhausted_at__isnull=True
        ).update(exhausted_at=timezone.now())

    def count(self, key: str) -> int:
        row = (
            ApiQuotaMonth.objects.filter(account_key=key, month=month_of(account_now()))
            .values_list("calls", flat=True)
            .first()
        )
        return row or 0
