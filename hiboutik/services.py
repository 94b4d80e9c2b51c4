"""Writes of the Hiboutik integration's own tables."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from hiboutik.mappers.catalogue import Conflict, HiboutikOnly
from hiboutik.models import CatalogueMatchItem
from integrations.models import FlowRun, Integration


def catalogue_report_save(
    *,
    integration: Integration,
    run: FlowRun,
    conflicts: Iterable[Conflict],
    only_hiboutik: Iterable[HiboutikOnly],
) -> int:
    """Replace the integration's catalogue match report with this run's; returns its lines."""
    items = [
        CatalogueMatchItem(
            integration=integration,
            run=run,
            kind=CatalogueMatchItem.Kind.CONFLICT,
            code=conflict.code,
            hiboutik_product_id=conflict.hiboutik_id,
            hiboutik_size_id=conflict.size_id,
            name=conflict.name[:255],
            reference=conflict.reference[:255],
            barcode=conflict.barcode[:64],
            product_ids=list(conflict.product_ids),
        )
        for conflict in conflicts
    ]
    items += [
        CatalogueMatchItem(
            integration=integration,
            run=run,
            kind=CatalogueMatchItem.Kind.ONLY_HIBOUTIK,
            hiboutik_product_id=only.hiboutik_id,
            name=only.name[:255],
            reference=only.reference[:255],
            barcode=only.barcode[:64],
        )
        for only in only_hiboutik
    ]
    with transaction.atomic():
        CatalogueMatchItem.objects.filter(integration=integration).delete()
        CatalogueMatchItem.objects.bulk_create(items, batch_size=1000)
    return len(items)
