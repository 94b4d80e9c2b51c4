"""Human-readable document numbers: CMD-000001, FAC-000001…

Two promises, by kind of document:

- **Invoices and credit notes** (`GAPLESS`) are numbered in one continuous, chronological
  series without gaps, as French invoicing rules require. Their counter is a `Sequence` row
  updated in the caller's transaction: a rolled-back document gives its number back, and two
  documents of the same kind queue on the row until the first one commits. Services therefore
  take such a number as late as they can, so the row stays locked for milliseconds.
- **Orders, shipments and returns** are unique and increasing, and may skip a number: a
  transaction that rolls back after taking one does not give it back. On PostgreSQL they come
  from a database sequence per kind (`nextval`), which never waits for another transaction, so
  imports running side by side do not queue on a counter. Elsewhere (SQLite, which serialises
  writers anyway) they use a `Sequence` row like the gapless kinds.
"""

from django.db import connection, transaction

from sales.models import Sequence

PREFIXES = {
    "order": "CMD",
    "invoice": "FAC",
    "shipment": "EXP",
    "rma": "RMA",
    "refund": "AVO",
}
GAPLESS = frozenset({"invoice", "refund"})
# One statement takes the number and reads it back (the table is `Sequence`'s).
_INCREMENT = (
    'UPDATE "sales_sequence" SET "last_value" = "last_value" + 1 WHERE "name" = %s '
    'RETURNING "last_value"'
)


def database_sequence(kind: str) -> str:
    """The PostgreSQL sequence that numbers a kind that need not be gapless."""
    return f"sales_number_{kind}"


def next_number(kind: str) -> str:
    """The next number of `kind` (see the module's docstring for what each kind promises)."""
    prefix = PREFIXES[kind]
    if kind not in GAPLESS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [database_sequence(kind)])
            value = cursor.fetchone()[0]
    else:
        value = _counter_next(kind)
    return f"{prefix}-{value:06d}"


def _counter_next(kind: str) -> int:
    """The counter row's next value. The UPDATE locks the row until the caller's transaction
    ends, so two concurrent documents of the same kind never get the same number and a rolled
    back one leaves no gap."""
    # Inside the caller's transaction no savepoint is needed: nothing here is retried after
    # an error (and a database error spoils the outer transaction anyway). Called on its own,
    # the block still makes the row's creation and its increment one transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [kind])
        row = cursor.fetchone()
        if row is None:  # the kind's first number
            Sequence.objects.bulk_create([Sequence(name=kind)], ignore_conflicts=True)
            cursor.execute(_INCREMENT, [kind])
            row = cursor.fetchone()
    return row[0]


def database_sequences_create(using_connection=connection) -> None:
    """Create the PostgreSQL sequences of the kinds that need not be gapless, where missing
    (a database built from the models rather than the migrations); each starts at 1."""
    if using_connection.vendor != "postgresql":
        return
    with using_connection.cursor() as cursor:
        for kind in sorted(set(PREFIXES) - GAPLESS):
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {database_sequence(kind)}")
