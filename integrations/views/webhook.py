"""The Webhook tab (admins only: the URL carries the secret token): the URL to paste into the
other side, *Enregistrer le webhook* through its API, and a new URL when the old one leaked."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from integrations.flows import FlowFailed
from integrations.registry import Failure, Transient
from integrations.services.integrations import webhook_token_rotate, webhook_url
from integrations.services.webhooks import webhook_register
from integrations.text import render_message
from integrations.views.pages import MANAGE, integration_view, render_tab


@require_GET
@integration_view(MANAGE)
def webhook(request: HttpRequest, integration) -> HttpResponse:
    spec = integration.type_spec
    return render_tab(
        request,
        integration,
        "webhook",
        "integrations/tabs/webhook.html",
        {
            "url": webhook_url(integration),
            "receives": spec.parse_webhook is not None,
            "can_register": spec.register_webhook is not None,
        },
    )


@require_POST
@integration_view(MANAGE)
def webhook_register_now(request: HttpRequest, integration) -> HttpResponse:
    """*Enregistrer le webhook*: a few calls to the other side, answered on the page."""
    try:
        outcome = webhook_register(integration)
    except ValueError:
        messages.error(
            request,
            gettext("The webhook URL cannot be shown any more: issue a new URL, then register it."),
        )
    except FlowFailed as failed:  # the settings are not enough to call the other side
        messages.error(request, render_message(failed.message, failed.params))
    except Exception as error:  # what the other side answered, classified by the type
        classified = integration.type_spec.classify_error(error)
        if isinstance(classified, Failure):
            messages.error(request, render_message(classified.message, classified.params))
        elif isinstance(classified, Transient):
            messages.error(
                request,
                gettext("The other side is busy or unreachable: try again in a moment."),
            )
        else:
            raise
    else:
        if outcome == "already registered":
            messages.success(request, gettext("The webhook was already registered."))
        else:
            messages.success(request, gettext("The webhook is registered."))
    return redirect("integrations:integration_webhook", integration.pk)


@require_POST
@integration_view(MANAGE)
def webhook_rotate(request: HttpRequest, integration) -> HttpResponse:
    webhook_token_rotate(integration)
    messages.warning(
        request,
        gettext("A new webhook URL was issued: the old one no longer works. Register the new one."),
    )
    return redirect("integrations:integration_webhook", integration.pk)
