"""How often a flow runs: every N minutes, or a crontab line in Paris time."""

from __future__ import annotations

from dataclasses import dataclass

from celery.schedules import crontab as celery_crontab

SCHEDULE_TIME_ZONE = "Europe/Paris"


class ScheduleInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    every_minutes: int | None = None
    crontab: str = ""

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (not self.crontab):
            raise ScheduleInvalid("a schedule is either every N minutes or a crontab line")
        if self.every_minutes is not None and not 1 <= self.every_minutes <= 7 * 24 * 60:
            raise ScheduleInvalid("every N minutes needs N between 1 and 10080 (a week)")
        if self.crontab:
            crontab_fields(self.crontab)

    @classmethod
    def every(cls, minutes: int) -> Schedule:
        return cls(every_minutes=minutes)

    @classmethod
    def cron(cls, line: str) -> Schedule:
        return cls(crontab=" ".join(line.split()))

    def __str__(self) -> str:
        return f"every {self.every_minutes} min" if self.every_minutes else self.crontab


def crontab_fields(line: str) -> dict[str, str]:
    """The five fields of a crontab line (minute hour day-of-month month day-of-week), each
    checked by Celery's own parser."""
    parts = line.split()
    if len(parts) != 5:
        raise ScheduleInvalid(
            "a crontab line has five fields: minute hour day-of-month month day-of-week"
        )
    fields = dict(
        zip(["minute", "hour", "day_of_month", "month_of_year", "day_of_week"], parts, strict=True)
    )
    try:
        celery_crontab(**fields)
    except (ValueError, TypeError) as error:
        raise ScheduleInvalid(f"invalid crontab line {line!r}: {error}") from None
    return fields
