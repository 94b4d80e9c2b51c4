"""The fiscal day (``date_z``) of a sale: the day of the Z report it belongs to.

A store's day may start after midnight (``store_day_start``, e.g. ``"04:00"`` for a bar):
a sale closed before that hour belongs to the day before (hiboutik-api.md §14). The day is
taken on the store's own clock, in its own time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hiboutik.simulator.clock import local_now, parse_stamp

MIDNIGHT = "00:00"


def day_start(store: dict[str, Any]) -> time:
    return time.fromisoformat(store.get("store_day_start") or MIDNIGHT)


def fiscal_date(store: dict[str, Any], moment: datetime) -> date:
    """The fiscal day of a naive local time of ``store``."""
    return (moment - timedelta(hours=day_start(store).hour, minutes=day_start(store).minute)).date()


def date_z(store: dict[str, Any], stamp_text: str) -> int:
    """``YYYYMMDD`` of the fiscal day of a ``YYYY-MM-DD HH:MM:SS`` local time."""
    return int(fiscal_date(store, parse_stamp(stamp_text)).strftime("%Y%m%d"))


def today_z(store: dict[str, Any]) -> int:
    """The store's current fiscal day, ``YYYYMMDD``."""
    return int(fiscal_date(store, local_now(store["store_time_zone"])).strftime("%Y%m%d"))
