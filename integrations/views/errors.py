"""The Erreurs tab: failed records, filtered; tick some, choose *Réessayer* or *Supprimer*,
*Envoyer*. Retries run in the worker; the page polls each retried error until its retry ran
and shows what it said (« La commande a bien été importée », or the new reason)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from integrations.forms import ErrorActionForm, ErrorFilterForm
from integrations.models import IntegrationError
from integrations.selectors.errors import errors_of
from integrations.services.errors import errors_delete, errors_request_retry
from integrations.views.pages import OPERATE, integration_view, page_of, render_tab

PAGE_SIZE = 50
# How many acted-on errors the results panel follows at once (one query whatever the number).
MAX_RESULTS = 200


def _errors_context(request: HttpRequest, integration) -> dict:
    form = ErrorFilterForm(request.GET or None, integration=integration)
    errors = errors_of(integration, **form.selection()).select_related("run")
    page = page_of(request, errors, PAGE_SIZE)
    return {
        "filter_form": form,
        "page_obj": page,
        "errors": page.object_list,
        "one_error": form.valid_data()["error"],
        "flow_labels": {flow.key: flow.label for flow in integration.type_spec.flows},
        "can_retry": {flow.key: flow.can_retry() for flow in integration.type_spec.flows},
    }


@require_http_methods(["GET", "POST"])
@integration_view(OPERATE)
def errors(request: HttpRequest, integration) -> HttpResponse:
    action_form = ErrorActionForm(
        request.POST if request.method == "POST" else None, integration=integration
    )
    results = None
    if request.method == "POST" and action_form.is_valid():
        chosen = action_form.errors_chosen()
        action = action_form.cleaned_data["action"]
        if action == ErrorActionForm.RETRY:
            requested = set(errors_request_retry(chosen, user=request.user))
            results = _results(integration, [error.pk for error in chosen], action, requested)
        else:
            errors_delete(chosen, user=request.user)
            results = _results(integration, [error.pk for error in chosen], action, set())
        action_form = ErrorActionForm(integration=integration)
    context = {
        **_errors_context(request, integration),
        "action_form": action_form,
        "results": results,
    }
    # A refused action (nothing ticked, an error handled meanwhile) is shown in the form: the
    # answer is a page, not a failed request.
    if request.htmx and request.method == "POST":
        context["integration"] = integration
        return render(request, "integrations/errors_panel.html", context)
    return render_tab(request, integration, "errors", "integrations/tabs/errors.html", context)


def _results(integration, ids: list[int], action: str, requested: set[int]) -> dict:
    found = {
        error.pk: error
        for error in IntegrationError.objects.filter(integration=integration, pk__in=ids)
    }
    items = []
    for pk in ids:
        error = found.get(pk)
        if error is None:
            continue
        items.append({"error": error, "already": action == "retry" and pk not in requested})
    pending = action == "retry" and any(item["error"].retry_pending for item in items)
    return {
        "action": action,
        "items": items,
        "pending": pending,
        "ids": ",".join(str(item["error"].pk) for item in items),
    }


@require_GET
@integration_view(OPERATE)
def error_results(request: HttpRequest, integration) -> HttpResponse:
    """The results of the last *Envoyer* (htmx polls it while a retry is pending); once none
    is, the answer tells the page to reload its list."""
    ids = []
    for part in request.GET.get("ids", "").split(",")[:MAX_RESULTS]:
        if part.strip().isdigit():
            ids.append(int(part))
    action = request.GET.get("action") or "retry"
    results = _results(integration, ids, action, set(ids))
    response = render(
        request,
        "integrations/error_results.html",
        {"integration": integration, "results": results},
    )
    if not results["pending"]:
        response["HX-Trigger"] = "errorsChanged"
    return response


@require_GET
@integration_view(OPERATE)
def error_list(request: HttpRequest, integration) -> HttpResponse:
    """The error list alone (reloaded once retries finished)."""
    return render(
        request,
        "integrations/error_table.html",
        {"integration": integration, **_errors_context(request, integration)},
    )
