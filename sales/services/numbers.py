"""Human-readable document numbers: CMD-000001, FAC-000001…"""

from django.db import transaction
from django.db.models import F

from sales.models import Sequence

PREFIXES = {
    "order": "CMD",
    "invoice": "FAC",
    "shipment": "EXP",
    "rma": "RMA",
    "refund": "AVO",
}


def next_number(kind: str) -> str:
    """The next number of `kind`, gap-free within committed transactions.

    The UPDATE locks the counter row until the caller's transaction ends, so two concurrent
    documents of the same kind never get the same number.
    """
    prefix = PREFIXES[kind]
    # Inside the caller's transaction no savepoint is needed: nothing here is retried after
    # an error (and a database error spoils the outer transaction anyway). Called on its own,
    # the block still makes UPDATE and SELECT one transaction.
    with transaction.atomic(savepoint=False):
        if not Sequence.objects.filter(name=kind).update(last_value=F("last_value") + 1):
            Sequence.objects.bulk_create([Sequence(name=kind)], ignore_conflicts=True)
            Sequence.objects.filter(name=kind).update(last_value=F("last_value") + 1)
        value = Sequence.objects.values_list("last_value", flat=True).get(name=kind)
    return f"{prefix}-{value:06d}"
