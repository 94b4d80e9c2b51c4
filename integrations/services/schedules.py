"""Flow schedules and their django-celery-beat rows.

Each `FlowSchedule` owns one `PeriodicTask` named `<integration name>:<flow key>` that enqueues
`integrations.run_flow`. Rows are upserted by that link (or name), never wiped: beat's other
rows and an operator's changes elsewhere stay. A task is enabled only when its schedule and its
integration both are.
"""

import json

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from integrations.models import FlowRun, FlowSchedule, Integration
from integrations.schedules import SCHEDULE_TIME_ZONE, Schedule, crontab_fields

TASK_NAME = "integrations.run_flow"


def periodic_task_name(integration: Integration, flow_key: str) -> str:
    return f"{integration.name}:{flow_key}"


def schedules_ensure(integration: Integration) -> list[FlowSchedule]:
    """A schedule row per flow of the integration's type, with the flow's recommended
    schedule, disabled; existing rows are kept as they are."""
    schedules = []
    for flow in integration.type_spec.flows:
        recommended = flow.recommended_schedule
        schedule, created = FlowSchedule.objects.get_or_create(
            integration=integration,
            flow_key=flow.key,
            defaults={
                "enabled": False,
                "every_minutes": recommended.every_minutes if recommended else None,
                "crontab": recommended.crontab if recommended else "",
            },
        )
        if created:
            _sync(schedule, integration)
        schedules.append(schedule)
    return schedules


def schedule_save(
    integration: Integration,
    flow_key: str,
    *,
    enabled: bool,
    schedule: Schedule | None,
) -> FlowSchedule:
    """Set a flow's schedule (None: run only on demand) and whether it is enabled."""
    integration.type_spec.flow(flow_key)  # KeyError for a flow the type does not have
    with transaction.atomic():
        row, _ = FlowSchedule.objects.select_for_update().get_or_create(
            integration=integration, flow_key=flow_key
        )
        row.enabled = enabled and schedule is not None
        row.every_minutes = schedule.every_minutes if schedule else None
        row.crontab = schedule.crontab if schedule else ""
        row.save()
        _sync(row, integration)
    return row


def schedules_apply_recommended(integration: Integration, *, enabled: bool = True) -> None:
    """Every flow on its recommended schedule (flows without one stay on demand)."""
    for flow in integration.type_spec.flows:
        if flow.recommended_schedule is not None:
            schedule_save(
                integration, flow.key, enabled=enabled, schedule=flow.recommended_schedule
            )


def schedules_sync(integration: Integration) -> None:
    """After a rename or enabling/disabling the integration: every beat row follows."""
    for row in FlowSchedule.objects.filter(integration=integration).select_related("periodic_task"):
        _sync(row, integration)


def schedules_delete(integration: Integration) -> None:
    task_ids = FlowSchedule.objects.filter(integration=integration).values_list(
        "periodic_task", flat=True
    )
    PeriodicTask.objects.filter(pk__in=[pk for pk in task_ids if pk]).delete()


def _sync(row: FlowSchedule, integration: Integration) -> None:
    name = periodic_task_name(integration, row.flow_key)
    task = row.periodic_task or PeriodicTask.objects.filter(name=name).first()
    if row.every_minutes is None and not row.crontab:
        if task is not None:
            task.delete()
        return
    if task is None:
        task = PeriodicTask(name=name)
    task.name = name
    task.task = TASK_NAME
    task.kwargs = json.dumps(
        {
            "integration_id": integration.pk,
            "flow_key": row.flow_key,
            "trigger": FlowRun.Trigger.SCHEDULE,
        }
    )
    task.args = "[]"
    task.enabled = row.enabled and integration.enabled
    task.description = f"{integration.type} flow {row.flow_key} of {integration.name}"
    if row.every_minutes:
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=row.every_minutes, period=IntervalSchedule.MINUTES
        )
        task.crontab = None
        # A run that could not start before the next one is due is not worth running late.
        task.expire_seconds = row.every_minutes * 60
    else:
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            **crontab_fields(row.crontab), timezone=SCHEDULE_TIME_ZONE
        )
        task.interval = None
        task.expire_seconds = None
    task.save()
    if row.periodic_task_id != task.pk:
        row.periodic_task = task
        row.save(update_fields=["periodic_task"])
