"""The Events tab's writes: store what the other side sent, claim it, record what came of it."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
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
    event = IntegrationEvent(
        integration=integration,
        type=received.type,
        external_id=received.external_id,
        payload=dict(received.payload),
        payload_hash=payload_hash(received.payload),
    )
    event.last_received_at = event.received_at
    if connection.vendor == "postgresql":
        return _upsert(event)
    try:
        with transaction.atomic():
            event.save(force_insert=True)
        return event, True
    except IntegrityError:
        pass
    with transaction.atomic():
        stored = IntegrationEvent.objects.select_for_update().get(
            integration=integration, type=received.type, external_id=received.external_id
        )
        stored.deliveries = F("deliveries") + 1
        stored.last_received_at = event.last_received_at
        fields = ["deliveries", "last_received_at"]
        if stored.payload_hash != event.payload_hash:
            stored.payload = event.payload
            stored.payload_hash = event.payload_hash
            stored.done = False
            stored.failed = False
            fields += ["payload", "payload_hash", "done", "failed"]
        stored.save(update_fields=fields)
    stored.refresh_from_db()
    return stored, False


# A delivery is one statement on PostgreSQL, new or not: the insert, or on the unique
# constraint the re-delivery's update, which reads back the stored event (`xmax` is 0 for a
# row this statement inserted).
_UPSERT = """
INSERT INTO integrations_integrationevent AS event ({columns}) VALUES ({values})
ON CONFLICT (integration_id, type, external_id) DO UPDATE SET
    deliveries = event.deliveries + 1,
    last_received_at = EXCLUDED.last_received_at,
    payload = CASE WHEN event.payload_hash = EXCLUDED.payload_hash
        THEN event.payload ELSE EXCLUDED.payload END,
    payload_hash = EXCLUDED.payload_hash,
    done = event.done AND event.payload_hash = EXCLUDED.payload_hash,
    failed = event.failed AND event.payload_hash = EXCLUDED.payload_hash
RETURNING event.*, (event.xmax = 0) AS inserted
"""


def _upsert(event: IntegrationEvent) -> tuple[IntegrationEvent, bool]:
    fields = [field for field in IntegrationEvent._meta.concrete_fields if not field.primary_key]
    sql = _UPSERT.format(
        columns=", ".join(connection.ops.quote_name(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
    )
    params = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    (stored,) = IntegrationEvent.objects.raw(sql, params)
    return stored, bool(stored.inserted)


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
