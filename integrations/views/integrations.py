"""The list of integrations, adding one, and an integration's page (its first tab)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from connect.tasks import worker_status
from integrations.forms import IntegrationForm, TypeChoiceForm, config_form_class
from integrations.models import Integration, IntegrationError
from integrations.registry import all_types, find_type
from integrations.selectors.quota import integration_quota_use
from integrations.services.integrations import IntegrationInvalid, integration_create
from integrations.tabs import MANAGE, OPERATE, tabs_for
from integrations.views.pages import load_integration


def can_see_integrations(user) -> bool:
    return user.has_perm(MANAGE) or user.has_perm(OPERATE)


@require_GET
def integration_list(request: HttpRequest) -> HttpResponse:
    if not can_see_integrations(request.user):
        raise PermissionDenied
    integrations = Integration.objects.annotate(
        open_errors=Count("errors", filter=Q(errors__status=IntegrationError.Status.OPEN))
    ).order_by("name")
    rows = [
        {"integration": integration, "quota": integration_quota_use(integration)}
        for integration in integrations
        if find_type(integration.type) is not None
    ]
    # Every flow runs on the Celery worker: the admin must see at once when none is running.
    return render(
        request,
        "integrations/integration_list.html",
        {
            "rows": rows,
            "worker": worker_status(),
            "can_add": request.user.has_perm(MANAGE) and bool(all_types()),
        },
    )


@require_http_methods(["GET", "POST"])
def integration_add(request: HttpRequest) -> HttpResponse:
    """*Ajouter une intégration*: choose a type, then fill its name and configuration."""
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    spec = find_type(request.GET.get("type", ""))
    if spec is None:
        return render(
            request,
            "integrations/integration_add.html",
            {"types": all_types(), "type_form": TypeChoiceForm()},
        )
    form_class = config_form_class(spec)
    data = request.POST if request.method == "POST" else None
    base_form = IntegrationForm(data)
    config_form = form_class(data)
    if request.method == "POST" and base_form.is_valid() and config_form.is_valid():
        try:
            integration = integration_create(
                type=spec.key,
                name=base_form.cleaned_data["name"],
                config=config_form.config(),
                secrets=config_form.secrets(),
                enabled=base_form.cleaned_data["enabled"],
            )
        except IntegrationInvalid as invalid:
            config_form.show_issues(invalid.issues)
        else:
            messages.success(
                request,
                gettext(
                    "Integration %(name)s created. Test the connection, then enable its flows "
                    "in the Flows tab."
                )
                % {"name": integration.name},
            )
            return redirect("integrations:integration_config", integration.pk)
    return render(
        request,
        "integrations/integration_add.html",
        {"spec": spec, "base_form": base_form, "form": config_form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def integration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The integration's first tab the user may open (Configuration for an admin, Flows for
    an operator)."""
    if not can_see_integrations(request.user):
        raise PermissionDenied
    permission = OPERATE if request.user.has_perm(OPERATE) else MANAGE
    integration = load_integration(request, pk, permission)
    tabs = tabs_for(integration, request.user)
    if not tabs:
        raise Http404
    return redirect(tabs[0].url(integration))
