"""Order history messages follow the reader's language.

Until now the services stored each event's message already translated into whichever language
was active (French or English). This rewrites the rows it recognises as an English message id
plus parameters in `data["params"]`, as the services now write them, so they are translated
for each reader. Notes, cancel reasons and anything not recognised keep no params and are
shown exactly as stored.

The old wordings are copied here, not read from the catalogue: they are history and must not
change when the catalogue does.
"""

import contextlib
import re
from decimal import Decimal, InvalidOperation

from django.db import migrations

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern:
    parts = PLACEHOLDER.split(template)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.DOTALL)


def _amount(value: object) -> str:
    text = str(value)
    try:
        if not Decimal(text).is_finite():
            raise ValueError(text)
    except (InvalidOperation, ValueError):
        # Not a number the old code could have written: leave the row as it is.
        raise LookupError(text) from None
    return text


def _required(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise LookupError(key)
    return value


def _status_params(event, found: dict) -> dict:
    if not (event.old_status and event.new_status):
        raise LookupError("status")
    return {"old_status": event.old_status, "new_status": event.new_status}


# kind -> [(new message id, [old English and French wordings], params(event, matched))]
LEGACY = {
    "created": [
        ("Order created.", ["Order created.", "Commande créée."], lambda event, found: {}),
    ],
    "status": [
        (
            "Status changed from %(old_status)s to %(new_status)s.",
            ["Status changed from %(old)s to %(new)s.", "Statut passé de %(old)s à %(new)s."],
            _status_params,
        ),
    ],
    "canceled": [
        ("Order canceled.", ["Order canceled.", "Commande annulée."], _status_params),
    ],
    "payment": [
        (
            "Payment of %(amount)s by %(method)s.",
            ["Payment of %(amount)s by %(method)s.", "Paiement de %(amount)s par %(method)s."],
            lambda event, found: {
                "amount": _amount(event.data.get("amount", found["amount"])),
                "currency": event.order.currency,
                "method": found["method"],
            },
        ),
    ],
    "invoiced": [
        (
            "Invoice %(number)s created (%(total)s).",
            ["Invoice %(number)s created (%(total)s).", "Facture %(number)s créée (%(total)s)."],
            lambda event, found: {
                "number": found["number"],
                "total": _amount(found["total"]),
                "currency": event.order.currency,
            },
        ),
    ],
    "shipped": [
        (
            "Shipment %(number)s from %(warehouse)s.",
            [
                "Shipment %(number)s from %(warehouse)s.",
                "Expédition %(number)s depuis %(warehouse)s.",
            ],
            lambda event, found: found,
        ),
    ],
    "stock_forced": [
        (
            "Missing stock added to import the order: %(skus)s.",
            [
                "Missing stock added to import the order: %(skus)s.",
                "Stock manquant ajouté pour importer la commande : %(skus)s.",
            ],
            lambda event, found: found,
        ),
    ],
    "rma": [
        (
            "Return %(number)s created (%(rma_status)s).",
            ["Return %(number)s created (%(status)s).", "Retour %(number)s créé (%(status)s)."],
            lambda event, found: {
                "number": found["number"],
                "rma_status": _required(event.data, "status"),
            },
        ),
        (
            "Return %(number)s: %(old_rma_status)s → %(new_rma_status)s.",
            ["Return %(number)s: %(old)s → %(new)s.", "Retour %(number)s : %(old)s → %(new)s."],
            lambda event, found: {
                "number": found["number"],
                "old_rma_status": _required(event.data, "old_status"),
                "new_rma_status": _required(event.data, "new_status"),
            },
        ),
    ],
    "refund": [
        (
            "Refund %(number)s of %(amount)s.",
            ["Refund %(number)s of %(amount)s.", "Remboursement %(number)s de %(amount)s."],
            lambda event, found: {
                "number": found["number"],
                "amount": _amount(event.data.get("amount", found["amount"])),
                "currency": event.order.currency,
            },
        ),
    ],
}
PATTERNS = {
    kind: [
        (message_id, [_pattern(wording) for wording in wordings], params)
        for message_id, wordings, params in entries
    ]
    for kind, entries in LEGACY.items()
}


def recognise(event) -> tuple[str, dict] | None:
    """(message id, params) for an old event message, None when it is not one we wrote."""
    for message_id, patterns, params in PATTERNS.get(event.kind, []):
        for pattern in patterns:
            found = pattern.match(event.message)
            if found is None:
                continue
            try:
                return message_id, params(event, found.groupdict())
            except LookupError:
                return None
    return None


BATCH = 1000


def _batches(queryset):
    """Lists of up to BATCH rows in primary-key order; each is rewritten before the next is
    read, so no cursor stays open across writes."""
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH]):
        yield batch
        last = batch[-1].pk


def to_message_ids(apps, schema_editor) -> None:
    OrderEvent = apps.get_model("sales", "OrderEvent")
    events = OrderEvent.objects.filter(kind__in=list(LEGACY)).select_related("order")
    for batch in _batches(events):
        changed = []
        for event in batch:
            if not isinstance(event.data, dict) or "params" in event.data:
                continue
            recognised = recognise(event)
            if recognised is not None:
                event.message, params = recognised
                event.data = {**event.data, "params": params}
                changed.append(event)
        OrderEvent.objects.bulk_update(changed, ["message", "data"])


def to_stored_text(apps, schema_editor) -> None:
    """Back to text the previous code shows as is: the English wording with raw values."""
    OrderEvent = apps.get_model("sales", "OrderEvent")
    for batch in _batches(OrderEvent.objects.filter(data__has_key="params")):
        for event in batch:
            data = dict(event.data)
            params = data.pop("params")
            # On a mismatch the message id itself stays: still readable English.
            with contextlib.suppress(KeyError, TypeError, ValueError):
                event.message = event.message % params
            event.data = data
        OrderEvent.objects.bulk_update(batch, ["message", "data"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(to_message_ids, to_stored_text)]
