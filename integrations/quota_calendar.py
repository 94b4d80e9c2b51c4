"""The quota's calendar: months and days turn over in the account's time zone (Hiboutik is a
French service, so Paris), whatever the server's."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

QUOTA_TIME_ZONE = ZoneInfo("Europe/Paris")


def account_now() -> datetime:
    return timezone.now().astimezone(QUOTA_TIME_ZONE)


def month_of(moment: datetime) -> str:
    return moment.astimezone(QUOTA_TIME_ZONE).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of `month` (YYYY-MM)."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
