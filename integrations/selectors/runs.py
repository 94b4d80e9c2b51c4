"""Reads of flow runs and schedules, shared by pages, commands and the runner."""

from typing import Any

from django.db.models import QuerySet

from integrations.models import FlowRun, FlowSchedule, Integration


def last_cursor(integration: Integration, flow_key: str, *, before: FlowRun | None = None) -> Any:
    """The cursor the latest run of the flow saved (an errored run's too: it is saved only
    once what it covers is committed), or None."""
    runs = FlowRun.objects.filter(integration=integration, flow_key=flow_key, cursor__isnull=False)
    if before is not None and before.pk:
        runs = runs.exclude(pk=before.pk)
    return runs.order_by("-created_at", "-id").values_list("cursor", flat=True).first()


def active_run(integration: Integration, flow_key: str) -> FlowRun | None:
    """The pending or running whole-flow run, if any."""
    return FlowRun.objects.filter(
        integration=integration, flow_key=flow_key, status__in=FlowRun.ACTIVE, target=""
    ).first()


def runs_of(integration: Integration, *, flow_key: str = "", status: str = "") -> QuerySet[FlowRun]:
    """The Historique tab: newest first, optionally one flow and/or one status."""
    runs = FlowRun.objects.filter(integration=integration)
    if flow_key:
        runs = runs.filter(flow_key=flow_key)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def last_runs_by_flow(integration: Integration) -> dict[str, FlowRun]:
    """The latest run of each flow of the integration (for the Flux tab)."""
    latest: dict[str, FlowRun] = {}
    keys = [flow.key for flow in integration.type_spec.flows]
    for key in keys:
        run = (
            FlowRun.objects.filter(integration=integration, flow_key=key, target="")
            .order_by("-created_at", "-id")
            .first()
        )
        if run is not None:
            latest[key] = run
    return latest


def schedules_of(integration: Integration) -> dict[str, FlowSchedule]:
    return {
        schedule.flow_key: schedule
        for schedule in FlowSchedule.objects.filter(integration=integration)
    }
