"""The Configuration tab (admins only): name, enabled, the type's settings and credentials;
*Tester la connexion*; *Recharger les listes*."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from integrations.forms import IntegrationForm, config_form_class
from integrations.services.integrations import IntegrationInvalid, integration_update
from integrations.views.pages import MANAGE, integration_view, render_tab


@require_http_methods(["GET", "POST"])
@integration_view(MANAGE)
def configuration(request: HttpRequest, integration) -> HttpResponse:
    spec = integration.type_spec
    form_class = config_form_class(spec)
    data = request.POST if request.method == "POST" else None
    base_form = IntegrationForm(data, integration=integration)
    config_form = form_class(data, integration=integration)
    if request.method == "POST" and base_form.is_valid() and config_form.is_valid():
        try:
            integration_update(
                integration,
                name=base_form.cleaned_data["name"],
                enabled=base_form.cleaned_data["enabled"],
                config=config_form.config(),
                secrets=config_form.secrets(),
            )
        except IntegrationInvalid as invalid:
            config_form.show_issues(invalid.issues)
        else:
            messages.success(request, gettext("Configuration saved."))
            return redirect("integrations:integration_config", integration.pk)
    notice = getattr(config_form, "notice", None)
    return render_tab(
        request,
        integration,
        "configuration",
        "integrations/tabs/configuration.html",
        {
            "base_form": base_form,
            "form": config_form,
            "notice": notice() if callable(notice) else None,
            "can_test": spec.test_connection is not None,
            "can_refresh": hasattr(form_class, "refresh_reference"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@integration_view(MANAGE)
def test_connection(request: HttpRequest, integration) -> HttpResponse:
    """*Tester la connexion* with the saved settings (htmx: the report alone)."""
    spec = integration.type_spec
    if spec.test_connection is None:
        return HttpResponse(status=404)
    report = spec.test_connection(integration)
    if not request.htmx:
        level = {"success": messages.SUCCESS, "warning": messages.WARNING}.get(
            report.level, messages.ERROR
        )
        messages.add_message(request, level, report.text())
        return redirect("integrations:integration_config", integration.pk)
    return render(request, "integrations/connection_report.html", {"report": report})


@require_POST
@integration_view(MANAGE)
def refresh_lists(request: HttpRequest, integration) -> HttpResponse:
    form_class = config_form_class(integration.type_spec)
    refresh = getattr(form_class, "refresh_reference", None)
    if refresh is not None:
        lists = refresh(integration)
        if getattr(lists, "available", False):
            messages.success(request, gettext("The lists were read again."))
        elif problem := getattr(lists, "problem_text", lambda: "")():
            messages.error(request, problem)
    return redirect("integrations:integration_config", integration.pk)
