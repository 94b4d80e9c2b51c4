"""Order, shipment and return numbers move from the counter table to PostgreSQL sequences,
which never make one transaction wait for another; each sequence carries on from its counter.
Invoices and credit notes keep their counter rows: their series must stay gapless."""

from django.db import migrations

KINDS = ("order", "rma", "shipment")


def _sequence(kind: str) -> str:
    return f"sales_number_{kind}"


def counters_to_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Sequence = apps.get_model("sales", "Sequence")
    counters = dict(Sequence.objects.filter(name__in=KINDS).values_list("name", "last_value"))
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {_sequence(kind)}")
            if counters.get(kind):
                cursor.execute("SELECT setval(%s, %s)", [_sequence(kind), counters[kind]])
    Sequence.objects.filter(name__in=KINDS).delete()


def sequences_to_counters(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Sequence = apps.get_model("sales", "Sequence")
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(f"SELECT last_value, is_called FROM {_sequence(kind)}")
            last_value, is_called = cursor.fetchone()
            if is_called:
                Sequence.objects.update_or_create(name=kind, defaults={"last_value": last_value})
            cursor.execute(f"DROP SEQUENCE {_sequence(kind)}")


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_order_rma_integration"),
    ]

    operations = [
        migrations.RunPython(counters_to_sequences, sequences_to_counters),
    ]
