"""Hiboutik as an integration type: how Connect reads its configuration, builds its client,
receives its webhooks and classifies its errors. Registered by `hiboutik.apps`.

This module is the Django side of the Hiboutik app; the client (`client.py`, `transport.py`)
and the mappers stay free of Django.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from hiboutik.client import HiboutikClient
from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.connection import test_connection
from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikQuotaExhausted,
    HiboutikServerError,
    HiboutikThrottled,
    HiboutikValidationError,
)
from hiboutik.flows.catalogue_match import CatalogueMatch
from hiboutik.flows.customers_export import CustomersExport
from hiboutik.flows.events_process import EventsProcess
from hiboutik.flows.orders_import import OrdersImport
from hiboutik.flows.products_export import ProductsExport
from hiboutik.flows.products_images import ProductsImages
from hiboutik.flows.products_update import ProductsUpdate
from hiboutik.flows.stock_export import StockExport
from hiboutik.flows.stock_reconcile import StockReconcile
from hiboutik.php_form import PhpFormError, parse_php_form_body
from integrations.concurrency import GateTimeout, gate_for_account
from integrations.flows import Flow, FlowFailed
from integrations.ledger import DatabaseCallLedger
from integrations.models import Integration
from integrations.registry import (
    ErrorClass,
    Failure,
    IntegrationType,
    ReceivedEvent,
    Transient,
    WebhookRejected,
)

TYPE_KEY = "hiboutik"
# Shared by every store of a Hiboutik account, so bound per account rather than per store.
ACCOUNT_SCOPED = ("product", "customer", "product_image")
# A sale of 200 lines is about 8,000 fields; far beyond is not a sale.
MAX_WEBHOOK_FIELDS = 100_000
WEBHOOK_LABEL = "Connect #%(id)s %(name)s"
SALE_ID = re.compile(r"^[1-9][0-9]{0,17}$")

# Flows of the Hiboutik type, in the order the Flux tab lists them.
FLOWS: list[type[Flow]] = [
    CatalogueMatch,
    ProductsExport,
    ProductsUpdate,
    ProductsImages,
    CustomersExport,
    StockExport,
    StockReconcile,
    OrdersImport,
    EventsProcess,
]


def config_of(integration: Integration) -> HiboutikConfig:
    return HiboutikConfig.parse(integration.config or {})


def make_client(integration: Integration, **overrides: Any) -> HiboutikClient:
    """The client for `integration`: its account and key, every call counted in the database
    ledger and capped across processes. Raises `FlowFailed` when the settings are not enough."""
    try:
        config = config_of(integration)
    except ConfigInvalid as invalid:
        raise FlowFailed(
            "config_invalid",
            gettext_noop("The configuration is not valid: %(issues)s"),
            {"issues": str(invalid)},
        ) from None
    api_key = integration.secret("api_key")
    if not config.general.account or not config.general.user or not api_key:
        raise FlowFailed(
            "credentials_missing",
            gettext_noop("The Hiboutik account, user email and API key must be filled in."),
        )
    general = config.general
    settings: dict[str, Any] = {
        "base_url": general.base_url,
        "user": general.user,
        "api_key": api_key,
        "ledger": DatabaseCallLedger(integration_id=integration.pk, quota=general.monthly_quota),
        "ledger_key": general.ledger_key,
        "max_concurrency": general.max_concurrency,
        "gate": gate_for_account(general.ledger_key, general.max_concurrency),
        # The ledger counts calls made by worker threads on their own connections.
        "worker_exit": connections.close_all,
    }
    settings.update(overrides)
    return HiboutikClient(**settings)


def classify_error(error: BaseException) -> ErrorClass:
    if isinstance(error, HiboutikThrottled | HiboutikServerError):
        return Transient(getattr(error, "retry_after", None))
    if isinstance(error, GateTimeout):
        return Transient(None)
    if isinstance(error, HiboutikQuotaExhausted):
        return Failure(
            "quota_exhausted",
            gettext_noop(
                "The monthly Hiboutik API quota is spent: nothing calls Hiboutik until the "
                "month changes."
            ),
            detail=str(error),
        )
    if isinstance(error, HiboutikAuthError):
        return Failure(
            "credentials_refused",
            gettext_noop(
                "Hiboutik refused the credentials or the user lacks the rights: check the "
                "account, user email and API key in the configuration."
            ),
            detail=str(error),
        )
    if isinstance(error, HiboutikValidationError | HiboutikNotFound):
        return Failure(
            "hiboutik_refused",
            gettext_noop("Hiboutik refused the request: %(detail)s"),
            {"detail": _detail(error)},
            detail=str(error),
        )
    if isinstance(error, HiboutikPayloadError):
        return Failure(
            "hiboutik_unreadable",
            gettext_noop("Hiboutik answered something Connect cannot read: %(detail)s"),
            {"detail": error.message},
            detail=str(error),
        )
    if isinstance(error, HiboutikError):
        return Failure(
            "hiboutik_error",
            gettext_noop("Hiboutik answered with an error: %(detail)s"),
            {"detail": error.message},
            detail=str(error),
        )
    return None


def _detail(error: HiboutikError) -> str:
    if isinstance(error.details, dict) and error.details:
        return "; ".join(f"{key}: {value}" for key, value in error.details.items())
    return error.message


def parse_webhook(request: HttpRequest, body: bytes) -> list[ReceivedEvent]:
    """A `sale` webhook: a closed sale, form-encoded with PHP bracket keys."""
    if body.count(b"&") >= MAX_WEBHOOK_FIELDS:
        raise WebhookRejected(
            "too_many_fields",
            gettext_noop("The webhook has more than %(max)s fields."),
            {"max": MAX_WEBHOOK_FIELDS},
        )
    try:
        payload = parse_php_form_body(body)
    except PhpFormError as error:
        raise WebhookRejected(
            "unreadable_form",
            gettext_noop("The webhook body is not a readable form: %(error)s"),
            {"error": str(error)},
        ) from None
    sale_id = payload.get("sale_id")
    if not isinstance(sale_id, str) or not SALE_ID.match(sale_id):
        raise WebhookRejected(
            "no_sale_id", gettext_noop("The webhook carries no sale_id: it is not a sale.")
        )
    return [ReceivedEvent(type="sale", external_id=sale_id, payload=payload)]


def webhook_answer(received: list[ReceivedEvent], rejected: WebhookRejected | None):
    """Hiboutik shows the `alerte` HTML to the cashier."""
    if rejected is not None:
        text = gettext("Connect could not read this sale: %(reason)s") % {
            "reason": gettext(rejected.message) % rejected.params
            if rejected.params
            else gettext(rejected.message)
        }
        return JsonResponse(
            {"alerte": f'<div class="alert alert-danger">{escape(text)}</div>'}, status=400
        )
    ids = ", ".join(event.external_id for event in received)
    text = gettext("Sale %(sale)s received by Connect.") % {"sale": ids}
    return JsonResponse({"alerte": f'<div class="alert alert-success">{escape(text)}</div>'})


def register_webhook(integration: Integration, url: str) -> str:
    """Register `url` for the `sale` event, replacing a stale webhook of this integration
    (same label prefix, another URL); nothing when it is already registered."""
    client = make_client(integration)
    label = WEBHOOK_LABEL % {"id": integration.pk, "name": integration.name}
    ours = f"Connect #{integration.pk} "
    current = False
    try:
        for webhook in client.list_webhooks():
            if not (webhook.label.startswith(ours) or webhook.label == ours.strip()):
                continue
            if webhook.url == url and webhook.action == "sale" and not current:
                current = True
            else:
                client.delete_webhook(webhook.webhook_id)
        if current:
            return "already registered"
        client.create_webhook(url=url, label=label, action="sale")
        return "registered"
    finally:
        client.close()


def binding_scope(integration: Integration, object_type: str) -> str:
    if object_type in ACCOUNT_SCOPED:
        return f"hiboutik:{config_of(integration).general.ledger_key}"
    return f"integration:{integration.pk}"


def quota_account(integration: Integration) -> tuple[str, int] | None:
    general = config_of(integration).general
    if not general.account:
        return None
    return general.ledger_key, general.monthly_quota


def integration_type() -> IntegrationType:
    return IntegrationType(
        key=TYPE_KEY,
        label=_("Hiboutik"),
        parse_config=HiboutikConfig.parse,
        client_factory=make_client,
        flows=FLOWS,
        config_form="hiboutik.forms.HiboutikConfigForm",
        parse_webhook=parse_webhook,
        webhook_answer=webhook_answer,
        register_webhook=register_webhook,
        classify_error=classify_error,
        binding_scope=binding_scope,
        quota_account=quota_account,
        test_connection=test_connection,
    )
