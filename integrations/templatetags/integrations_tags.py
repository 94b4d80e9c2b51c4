"""Filters of the integration pages: run statuses, schedules, durations, flow names."""

from datetime import datetime, timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()

STATUS_CLASSES = {
    "succeeded": "success",
    "partial": "warning",
    "failed": "danger",
    "errored": "danger",
    "pending": "info",
    "running": "info",
    "skipped": "",
}


@register.filter
def run_status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def schedule_text(schedule) -> str:
    """'every 5 minutes', a crontab line, or 'on demand' for anything with `every_minutes`
    and `crontab` (a `FlowSchedule` or a `Schedule`)."""
    if schedule is None:
        return gettext("on demand only")
    minutes = getattr(schedule, "every_minutes", None)
    if minutes:
        if minutes % 60 == 0:
            hours = minutes // 60
            return ngettext("every hour", "every %(n)s hours", hours) % {"n": hours}
        return ngettext("every minute", "every %(n)s minutes", minutes) % {"n": minutes}
    if getattr(schedule, "crontab", ""):
        return gettext("crontab %(line)s (Paris time)") % {"line": schedule.crontab}
    return gettext("on demand only")


@register.filter
def duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 10:
        return gettext("%(s)s s") % {"s": number_format(seconds, 1)}
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return gettext("%(s)s s") % {"s": rest}
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return gettext("%(m)s min %(s)s s") % {"m": minutes, "s": rest}
    return gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes}


@register.filter
def flow_label(integration, flow_key: str) -> str:
    try:
        return str(integration.type_spec.flow(flow_key).label)
    except KeyError:
        return flow_key


@register.filter
def iso_datetime(value: str):
    """An ISO timestamp (as stored in run logs) as a datetime, for the `date` filter."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
