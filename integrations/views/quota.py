"""The Quota tab: this month's API calls of the integration's account against its quota, by
flow and by day, and where the month ends at the current pace."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from integrations.models import Integration
from integrations.selectors.quota import calls_by_day, calls_by_flow, integration_quota_use
from integrations.views.pages import OPERATE, integration_view, render_tab


def _flow_label(integrations: dict[int, Integration], integration_id: int, flow_key: str):
    integration = integrations.get(integration_id)
    if not flow_key:
        return None
    try:
        return integration.type_spec.flow(flow_key).label if integration else flow_key
    except KeyError:
        return flow_key


@require_GET
@integration_view(OPERATE)
def quota(request: HttpRequest, integration) -> HttpResponse:
    use = integration_quota_use(integration)
    context = {"use": use}
    if use is not None:
        by_flow = calls_by_flow(use.account_key, use.month)
        integrations = Integration.objects.in_bulk({row["integration"] for row in by_flow})
        for row in by_flow:
            row["flow_label"] = _flow_label(integrations, row["integration"], row["flow_key"])
            row["this_one"] = row["integration"] == integration.pk
        by_day = calls_by_day(use.account_key, use.month)
        busiest = max((row["calls"] for row in by_day), default=0)
        projection = use.projection()
        context.update(
            by_flow=by_flow,
            by_day=by_day,
            busiest=busiest,
            projection=projection,
            over=projection > use.quota,
            shared=len({row["integration"] for row in by_flow}) > 1,
            warning_at=use.quota * 80 // 100,
            reserve_at=use.quota * 95 // 100,
        )
    return render_tab(request, integration, "quota", "integrations/tabs/quota.html", context)
