"""The Flux tab: each flow with its schedule (admins change it), its last run, and *Exécuter
maintenant* (operators too) whose progress the page polls until the run ends."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.forms import ScheduleForm
from integrations.models import FlowRun
from integrations.selectors.runs import last_runs_by_flow, schedules_of
from integrations.services.flow_controls import (
    FlowRefused,
    account_wide_holder,
    flow_run_now,
    flow_schedule_set,
)
from integrations.views.pages import MANAGE, OPERATE, integration_view, render_tab


def _flow(integration, flow_key: str):
    try:
        return integration.type_spec.flow(flow_key)
    except KeyError:
        raise Http404(f"no flow {flow_key!r}") from None


def _form_id(flow_key: str) -> str:
    return "id_" + flow_key.replace(".", "-").replace(":", "-") + "_%s"


def flow_card(request, integration, flow, *, schedule=None, run=None, form=None, refused=None):
    """What one flow's card shows."""
    if form is None:
        form = ScheduleForm(initial=ScheduleForm.initial_for(schedule), auto_id=_form_id(flow.key))
    holder = account_wide_holder(integration, flow.key) if flow.account_wide else None
    return {
        "flow": flow,
        "schedule": schedule,
        "run": run,
        "form": form,
        "refused": refused,
        "holder": holder,
        "can_manage": request.user.has_perm(MANAGE),
        "can_operate": request.user.has_perm(OPERATE),
        "css_id": "flow-" + flow.key.replace(".", "-").replace(":", "-"),
    }


@require_GET
@integration_view(OPERATE)
def flows(request: HttpRequest, integration) -> HttpResponse:
    schedules = schedules_of(integration)
    runs = last_runs_by_flow(integration)
    cards = [
        flow_card(
            request, integration, flow, schedule=schedules.get(flow.key), run=runs.get(flow.key)
        )
        for flow in integration.type_spec.flows
    ]
    return render_tab(
        request, integration, "flows", "integrations/tabs/flows.html", {"cards": cards}
    )


def _card_response(request, integration, flow, **card) -> HttpResponse:
    card.setdefault("schedule", schedules_of(integration).get(flow.key))
    card.setdefault("run", last_runs_by_flow(integration).get(flow.key))
    context = {"integration": integration, "card": flow_card(request, integration, flow, **card)}
    return render(request, "integrations/flow_card.html", context)


@require_POST
@integration_view(MANAGE)
def flow_schedule(request: HttpRequest, integration, flow_key: str) -> HttpResponse:
    """Save one flow's schedule; "recommended" enables the flow's recommended schedule."""
    flow = _flow(integration, flow_key)
    form = ScheduleForm(request.POST, auto_id=_form_id(flow.key))
    refused = None
    if "recommended" in request.POST and flow.recommended_schedule is not None:
        wanted = {"enabled": True, "schedule": flow.recommended_schedule}
    elif form.is_valid():
        wanted = {"enabled": form.cleaned_data["enabled"], "schedule": form.schedule()}
    else:
        wanted = None
    if wanted is not None:
        try:
            flow_schedule_set(integration, flow.key, **wanted)
        except FlowRefused as error:
            refused = error.text()
        else:
            form = None  # show the saved values
    if not request.htmx:
        if refused:
            messages.error(request, refused)
        return redirect("integrations:integration_flows", integration.pk)
    return _card_response(request, integration, flow, form=form, refused=refused)


@require_POST
@integration_view(OPERATE)
def flow_run(request: HttpRequest, integration, flow_key: str) -> HttpResponse:
    """*Exécuter maintenant*."""
    flow = _flow(integration, flow_key)
    try:
        run = flow_run_now(integration, flow.key)
    except FlowRefused as error:
        if not request.htmx:
            messages.error(request, error.text())
            return redirect("integrations:integration_flows", integration.pk)
        return _card_response(request, integration, flow, refused=error.text())
    if not request.htmx:
        return redirect("integrations:run_detail", integration.pk, run.pk)
    return _card_response(request, integration, flow, run=run)


@require_GET
@integration_view(OPERATE)
def run_status(request: HttpRequest, integration, run_pk: int) -> HttpResponse:
    """A run's status and counts (htmx polls this while the run is pending or running)."""
    run = get_object_or_404(FlowRun, pk=run_pk, integration=integration)
    return render(request, "integrations/run_status.html", {"integration": integration, "run": run})
