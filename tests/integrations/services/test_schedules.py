"""Flow schedules and beat's rows: one `PeriodicTask` per schedule, named
`<integration>:<flow key>`, upserted and never wiped; disabling the integration disables them."""

import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from integrations.models import FlowSchedule
from integrations.schedules import Schedule
from integrations.services.integrations import integration_set_enabled, integration_update
from integrations.services.schedules import (
    schedule_save,
    schedules_apply_recommended,
    schedules_ensure,
)

pytestmark = pytest.mark.django_db


def beat_rows(integration) -> dict[str, bool]:
    return dict(
        PeriodicTask.objects.filter(name__startswith=f"{integration.name}:").values_list(
            "name", "enabled"
        )
    )


def test_recommended_schedules_become_beat_rows_that_run_the_flow(make_integration):
    integration = make_integration(name="shop")
    assert beat_rows(integration) == {
        "shop:count": False,
        "shop:essential": False,
        "shop:manual": False,
    }
    schedules_apply_recommended(integration)
    assert beat_rows(integration) == {
        "shop:count": True,
        "shop:essential": True,
        "shop:manual": True,
    }
    task = PeriodicTask.objects.get(name="shop:manual")
    assert task.task == "integrations.run_flow"
    assert json.loads(task.kwargs) == {
        "integration_id": integration.pk,
        "flow_key": "manual",
        "trigger": "schedule",
    }
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == (
        "0",
        "3",
        "Europe/Paris",
    )
    every = PeriodicTask.objects.get(name="shop:count")
    assert (every.interval.every, every.interval.period) == (5, IntervalSchedule.MINUTES)


def test_changing_a_schedule_updates_its_row_in_place(make_integration):
    integration = make_integration(name="shop")
    first = schedule_save(integration, "count", enabled=True, schedule=Schedule.every(5))
    task_id = first.periodic_task_id
    schedule_save(integration, "count", enabled=True, schedule=Schedule.cron("30 2 * * 1"))
    task = PeriodicTask.objects.get(name="shop:count")
    assert task.pk == task_id and task.interval is None and task.crontab.day_of_week == "1"
    assert PeriodicTask.objects.filter(name="shop:count").count() == 1
    schedule_save(integration, "count", enabled=False, schedule=None)  # on demand only
    assert not PeriodicTask.objects.filter(name="shop:count").exists()
    assert FlowSchedule.objects.get(integration=integration, flow_key="count").enabled is False


def test_disabling_the_integration_disables_its_rows_and_enabling_restores_them(
    make_integration,
):
    integration = make_integration(name="shop")
    schedule_save(integration, "count", enabled=True, schedule=Schedule.every(5))
    integration = integration_set_enabled(integration, False)
    assert beat_rows(integration) == {
        "shop:count": False,
        "shop:essential": False,
        "shop:manual": False,
    }
    assert FlowSchedule.objects.get(integration=integration, flow_key="count").enabled
    integration = integration_set_enabled(integration, True)
    assert beat_rows(integration)["shop:count"] is True


def test_renaming_renames_the_rows_and_other_rows_are_never_touched(make_integration):
    housekeeping = PeriodicTask.objects.create(
        name="housekeeping",
        task="connect.tasks.record_heartbeat",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES),
    )
    other = make_integration(name="other")
    integration = make_integration(name="shop")
    schedule_save(integration, "count", enabled=True, schedule=Schedule.every(5))
    integration_update(integration, name="shop-paris")
    assert beat_rows(integration) == {}
    assert PeriodicTask.objects.get(name="shop-paris:count").enabled
    schedules_ensure(integration)  # again: nothing new, nothing lost
    assert PeriodicTask.objects.filter(name__startswith="shop-paris:").count() == 3
    assert PeriodicTask.objects.filter(pk=housekeeping.pk).exists()
    assert len(beat_rows(other)) == 3
