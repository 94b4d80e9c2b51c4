"""The Historique tab: runs newest first, filtered by flow and status; a run's detail."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from integrations.forms import RunFilterForm
from integrations.models import FlowRun
from integrations.selectors.runs import runs_of
from integrations.views.pages import OPERATE, integration_view, page_of, render_tab

PAGE_SIZE = 25


@require_GET
@integration_view(OPERATE)
def history(request: HttpRequest, integration) -> HttpResponse:
    form = RunFilterForm(request.GET or None, integration=integration)
    data = form.valid_data()
    runs = runs_of(integration, flow_key=data["flow"] or "", status=data["status"] or "")
    page = page_of(request, runs, PAGE_SIZE)
    return render_tab(
        request,
        integration,
        "history",
        "integrations/tabs/history.html",
        {"filter_form": form, "page_obj": page, "runs": page.object_list},
    )


@require_GET
@integration_view(OPERATE)
def run_detail(request: HttpRequest, integration, run_pk: int) -> HttpResponse:
    run = get_object_or_404(FlowRun, pk=run_pk, integration=integration)
    return render_tab(
        request, integration, "history", "integrations/tabs/run_detail.html", {"run": run}
    )
