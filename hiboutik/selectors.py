"""Reads the Hiboutik flows and pages share: which Connect product a Hiboutik product (or
size) is, which integrations share a Hiboutik account."""

from __future__ import annotations

from collections.abc import Iterable

from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.product_refs import product_ref
from integrations.models import Integration
from integrations.selectors.bindings import binding_scope, object_ids_for

TYPE_KEY = "hiboutik"


def connect_product_ids(
    integration: Integration, refs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """{(Hiboutik product id, size id): Connect product id} for those bound, in one query. A
    size not bound on its own falls back to its product bound whole (Connect keeps one product
    for every size of it)."""
    wanted = {(int(product_id), int(size_id)) for product_id, size_id in refs}
    candidates = {product_ref(pid, size) for pid, size in wanted if pid > 0}
    candidates |= {product_ref(pid) for pid, _ in wanted if pid > 0}
    bound = object_ids_for(
        scope=binding_scope(integration, "product"), object_type="product", external_ids=candidates
    )
    found = {}
    for pid, size in wanted:
        if pid <= 0:
            continue
        object_id = bound.get(product_ref(pid, size)) or bound.get(product_ref(pid))
        if object_id is not None:
            found[pid, size] = object_id
    return found


def config_or_none(integration: Integration) -> HiboutikConfig | None:
    try:
        return HiboutikConfig.parse(integration.config or {})
    except ConfigInvalid:
        return None


def account_integrations(integration: Integration) -> list[Integration]:
    """The Hiboutik integrations on the same account as `integration` (itself included),
    oldest first."""
    config = config_or_none(integration)
    if config is None:
        return [integration]
    key = config.general.ledger_key
    same = []
    for other in Integration.objects.filter(type=TYPE_KEY).order_by("pk"):
        parsed = config if other.pk == integration.pk else config_or_none(other)
        if parsed is not None and parsed.general.ledger_key == key:
            same.append(other)
    return same


def catalogue_owner(integration: Integration) -> Integration | None:
    """The integration that pushes products and customers for the account: every store of a
    Hiboutik account shares one catalogue, so only one of its integrations may create products
    (two would create the same one twice). It is the oldest enabled one."""
    enabled = [other for other in account_integrations(integration) if other.enabled]
    return enabled[0] if enabled else None
