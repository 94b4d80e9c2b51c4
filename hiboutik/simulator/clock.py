"""Hiboutik time stamps: naive ``YYYY-MM-DD HH:MM:SS`` strings in the store's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Europe/Paris"
ZERO_DATETIME = "0000-00-00 00:00:00"
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_now(time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """Current wall-clock time in ``time_zone``, without tzinfo, as Hiboutik stores it."""
    return datetime.now(UTC).astimezone(ZoneInfo(time_zone)).replace(tzinfo=None, microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP_FORMAT)


def current_month(time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The quota month, ``YYYY-MM`` on the account's clock."""
    return local_now(time_zone).strftime("%Y-%m")
