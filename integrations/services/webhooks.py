"""Receiving webhooks and registering their URL with the other side."""

import hashlib

from integrations.models import Integration, IntegrationEvent
from integrations.registry import ReceivedEvent, WebhookRejected, get_type
from integrations.services.events import event_failed, event_receive
from integrations.services.integrations import webhook_url
from integrations.webhook_tokens import hashes_match, token_hash

# Longer tokens are not ours: refuse them before hashing anything big.
MAX_TOKEN_LENGTH = 100
UNREADABLE = "unreadable"


def integration_for_token(type_key: str, token: str) -> Integration | None:
    """The integration whose webhook token is `token`. The same work is done whether or not
    one matches (a hash, one indexed lookup, a constant-time comparison), so timing tells an
    attacker nothing about how close a guess was."""
    candidate = token[:MAX_TOKEN_LENGTH]
    integration = Integration.objects.filter(
        type=type_key, webhook_token_hash=token_hash(candidate)
    ).first()
    stored = integration.webhook_token_hash if integration else None
    if not hashes_match(stored, candidate) or len(token) > MAX_TOKEN_LENGTH:
        return None
    return integration


def webhook_store(
    integration: Integration, received: list[ReceivedEvent]
) -> list[tuple[IntegrationEvent, bool]]:
    """Store every event of a delivery, then start the flows that process their types (after
    commit); a re-delivered event already done starts nothing."""
    from integrations.models import FlowRun
    from integrations.tasks import enqueue_run

    stored = [event_receive(integration, event) for event in received]
    waiting_types = {event.type for event, _ in stored if not event.done}
    if integration.enabled and waiting_types:
        for flow in get_type(integration.type).flows:
            if waiting_types.intersection(flow.events):
                enqueue_run(integration.pk, flow.key, FlowRun.Trigger.WEBHOOK)
    return stored


def webhook_store_unreadable(
    integration: Integration, body: bytes, rejected: WebhookRejected
) -> IntegrationEvent:
    """Keep a body that could not be read, with why, in the Events tab: nothing is lost."""
    event, _ = event_receive(
        integration,
        ReceivedEvent(
            type=UNREADABLE,
            external_id=hashlib.sha256(body).hexdigest()[:40],
            payload={"raw": body.decode("utf-8", errors="replace"), "code": rejected.code},
        ),
    )
    event_failed(event, message=rejected.message, params=rejected.params)
    return event


def webhook_register(integration: Integration, *, base_url: str | None = None) -> str:
    """Register the integration's URL with the other side, replacing a stale one of ours;
    returns what the type says it did."""
    spec = get_type(integration.type)
    if spec.register_webhook is None:
        raise ValueError(f"integration type {spec.key!r} has no webhook to register")
    url = webhook_url(integration, base_url)
    if url is None:
        raise ValueError("the webhook URL cannot be shown: rotate the token first")
    return spec.register_webhook(integration, url)
