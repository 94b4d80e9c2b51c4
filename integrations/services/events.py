"""The Events tab's writes: store what the other side sent, claim it, record what came of it."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.models import Integration, IntegrationEvent
from integrations.registry import ReceivedEvent

# A claim older than this belongs to a run that died: the event may be taken again.
CLAIM_STALE_AFTER = timedelta(minutes=15)


def payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def event_receive(
    integration: Integration, received: ReceivedEvent
) -> tuple[IntegrationEvent, bool]:
    """Store one received event; returns it and whether it is new. A re-delivery of the same
    payload only counts one more delivery; one with a different payload replaces it and makes
    it not done again (the other side changed the record, e.g. a payment added to a sale).
    Safe under concurrent deliveries: the unique constraint decides which one inserts."""
    digest = payload_hash(received.payload)
    now = timezone.now()
    try:
        with transaction.atomic():
            event = IntegrationEvent.objects.create(
                integration=integration,
                type=received.type,
                external_id=received.external_id,
                payload=dict(received.payload),
                payload_hash=digest,
                received_at=now,
                last_received_at=now,
            )
        return event, True
    except IntegrityError:
        pass
    with transaction.atomic():
        event = IntegrationEvent.objects.select_for_update().get(
            integration=integration, type=received.type, external_id=received.external_id
        )
        event.deliveries = F("deliveries") + 1
        event.last_received_at = now
        fields = ["deliveries", "last_received_at"]
        if event.payload_hash != digest:
            event.payload = dict(received.payload)
            event.payload_hash = digest
            event.done = False
            event.failed = False
            fields += ["payload", "payload_hash", "done", "failed"]
        event.save(update_fields=fields)
    event.refresh_from_db()
    return event, False


def event_claim(event: IntegrationEvent) -> bool:
    """Take the event for processing; False when it is done or another run holds it."""
    now = timezone.now()
    claimed = IntegrationEvent.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_STALE_AFTER),
        pk=event.pk,
        done=False,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if claimed:
        event.claimed_at = now
    return bool(claimed)


def event_release(event: IntegrationEvent) -> None:
    IntegrationEvent.objects.filter(pk=event.pk).update(claimed_at=None)


def event_done(
    event: IntegrationEvent,
    *,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    links: Iterable[Mapping[str, Any]] = (),
) -> None:
    """*Terminé*: what processing made (`links`: {"type", "id", "label"}) and a message id."""
    now = timezone.now()
    IntegrationEvent.objects.filter(pk=event.pk).update(
        done=True,
        failed=False,
        processed_at=now,
        claimed_at=None,
        result_message=message,
        result_params=dict(params or {}),
        links=[dict(link) for link in links],
    )
    event.done, event.processed_at = True, now


def event_failed(
    event: IntegrationEvent, *, message: str, params: Mapping[str, Any] | None = None
) -> None:
    """Not done, and why (the next run tries it again; *Retraiter* does it now)."""
    IntegrationEvent.objects.filter(pk=event.pk).update(
        failed=True,
        claimed_at=None,
        processed_at=timezone.now(),
        result_message=message,
        result_params=dict(params or {}),
    )
    event.failed = True
