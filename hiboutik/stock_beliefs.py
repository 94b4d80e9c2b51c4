"""Sales rung up at a Hiboutik till, as the stock flows see them.

Hiboutik already took the units of such a sale out of its warehouse, and Connect takes them
out of its own when it imports the sale: the quantity Connect believes Hiboutik holds must go
down by as much, in the same transaction, or the next stock export would push the sale back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from hiboutik.selectors import account_integrations, config_or_none, connect_product_ids
from hiboutik.types import Sale
from integrations.models import Integration
from integrations.services.external_stock import (
    external_stock_adjust,
    external_stock_set_believed,
)


def sale_stock_key(sale_id: int) -> str:
    return f"hiboutik-sale:{sale_id}"


def stock_beliefs_apply_sale(*, integration: Integration, sale: Sale) -> dict[int, dict[int, int]]:
    """Lower the beliefs by what `sale` took out of its Hiboutik warehouse, for every
    integration of the account that pushes stock to that warehouse; once per sale and
    integration, so a webhook delivered twice or a retried import changes nothing more.

    Call it in the transaction that imports the sale (with `order_import_complete`). Lines
    counted: a product (not a free line) that manages stock, taken out of stock
    (`stock_withdrawal`), that is not a return. Returns {integration id: {Connect product id:
    change}} of what was applied now."""
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for line in sale.lines:
        returned = line.credit_note or line.line_item_id_return
        if line.product_id and line.stock_managed and line.stock_withdrawal and not returned:
            taken[line.product_id, line.size_id] -= line.quantity
    return _apply(integration, sale, sale_stock_key(sale.sale_id), taken)


def stock_beliefs_apply_returns(
    *, integration: Integration, sale: Sale
) -> dict[int, dict[int, int]]:
    """Raise the beliefs by what the return lines of `sale` put back on Hiboutik's shelf (a
    line giving back an earlier one, taken back into stock: `stock_withdrawal`), once per sale
    and integration, like `stock_beliefs_apply_sale`. A line exchanged for a credit note in its
    own sale does not say whether its units went back: see `stock_beliefs_from_webhook`."""
    back: dict[tuple[int, int], int] = defaultdict(int)
    for line in sale.lines:
        if (
            line.line_item_id_return
            and line.product_id
            and line.stock_managed
            and line.stock_withdrawal
        ):
            back[line.product_id, line.size_id] += line.quantity
    return _apply(integration, sale, f"hiboutik-return:{sale.sale_id}", back)


def _apply(
    integration: Integration, sale: Sale, key: str, moved: dict[tuple[int, int], int]
) -> dict[int, dict[int, int]]:
    """Apply the Hiboutik stock `moved` ({(product, size): change}) to the beliefs of every
    integration of the account that pushes stock to the sale's warehouse, once per `key`."""
    if not moved:
        return {}
    products = connect_product_ids(integration, moved)
    changes: dict[int, int] = defaultdict(int)
    for ref, quantity in moved.items():
        if ref in products:
            changes[products[ref]] += quantity
    if not changes:
        return {}
    applied = {}
    for other in account_integrations(integration):
        warehouse = _stock_warehouse(other)
        if warehouse is None or warehouse != _sale_warehouse(other, sale):
            continue
        if external_stock_adjust(integration=other, key=key, changes=changes):
            applied[other.pk] = dict(changes)
    return applied


def _stock_warehouse(integration: Integration) -> int | None:
    config = config_or_none(integration)
    return config.stock.hiboutik_warehouse_id if config else None


def _sale_warehouse(integration: Integration, sale: Sale) -> int | None:
    """The warehouse the sale's units left: the sale says so; an older sale that does not is
    from a store of the account, whose warehouse is the one its integration pushes to."""
    if sale.warehouse_id:
        return sale.warehouse_id
    config = config_or_none(integration)
    if config and config.order_import.hiboutik_store_id == sale.store_id:
        return config.stock.hiboutik_warehouse_id
    return None


def stock_beliefs_from_webhook(
    *, integration: Integration, held: Mapping[tuple[int, int], Mapping[int, int]]
) -> dict[int, dict[int, int]]:
    """Believe what a `sale` webhook says Hiboutik holds of some products now ({(product,
    size): {warehouse: quantity}}), for every integration of the account pushing stock to one
    of those warehouses. For a line exchanged for a credit note, whose sale does not say whether
    the till put its units back on the shelf: what the shelf holds settles it."""
    if not held:
        return {}
    products = connect_product_ids(integration, held)
    applied = {}
    for other in account_integrations(integration):
        warehouse = _stock_warehouse(other)
        believed = {
            products[ref]: by_warehouse[warehouse]
            for ref, by_warehouse in held.items()
            if ref in products and warehouse in by_warehouse
        }
        if believed:
            external_stock_set_believed(integration=other, believed=believed)
            applied[other.pk] = believed
    return applied
