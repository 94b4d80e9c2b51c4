"""stock.export: make Hiboutik's stock in the configured warehouse equal Connect's available
stock (physical − reserved, summed over the configured Connect warehouses), for the bound
products, pushing only what changed.

Connect knows what changed: the stock services mark a product's `ExternalStock` row dirty in
the transaction that changes its stock. A run reads the dirty rows only (a thousand a query),
computes `available − believed` for each, and sends the non-zero differences in one stock
order (:mod:`hiboutik.flows.stock_push`); then, in one transaction, it adds what Hiboutik
applied to the beliefs and clears the marks not set again meanwhile. A sale rung up at the
till lowers the stock and the belief alike when Connect imports it, so it is never pushed
back. Nothing dirty: zero calls and three queries.

Coalescing: with *push at most every N minutes* set, changes wait until the last push is N
minutes old, unless one of them leaves a product at or below the low-stock threshold — then
the whole batch goes at once — so the fixed cost of a stock order (2 calls) is paid once for
many changes rather than every 5 minutes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.config import StockExportSettings
from hiboutik.flows.stock_push import StockLine, StockPusher
from hiboutik.product_refs import parse_product_ref, product_ref
from integrations.flows import Flow, FlowContext, Resolved
from integrations.models import IntegrationError
from integrations.schedules import Schedule
from integrations.selectors.bindings import binding_scope
from integrations.selectors.external_stock import (
    TrackedStock,
    last_stock_push_at,
    tracked_stock_batches,
    untracked_bound_products,
)
from integrations.services.external_stock import (
    external_stock_ensure,
    external_stock_force,
    external_stock_set_believed,
)
from integrations.services.marks import stock_clear_marks
from integrations.tabs import IntegrationTab

# Beliefs not known yet (a product bound to one Hiboutik already had) are read one product a
# call up to this many; more, and the warehouse is read whole, 250 rows a call.
READ_ONE_BY_ONE_MAX = 5


def stock_settings(ctx: FlowContext) -> StockExportSettings | None:
    """The stock settings a stock flow needs; None, saying so in the run's log, when they are
    not filled in or stock management is off (the run then does nothing, at no cost)."""
    config = ctx.config
    stock = config.stock
    if config.products.disable_stock_management:
        ctx.log(
            gettext_noop("Stock management is disabled for Hiboutik products: nothing to push.")
        )
        return None
    if not stock.connect_warehouse_ids or stock.hiboutik_warehouse_id is None:
        ctx.log(
            gettext_noop(
                "Stock export is not configured: choose the Connect warehouses exported and the "
                "Hiboutik warehouse that receives the stock (Configuration, Stock export)."
            ),
            level="warning",
        )
        return None
    return stock


def retry_product(flow: Flow, error: IntegrationError) -> Resolved:
    """*Réessayer* on a product's stock error: mark it, so the next stock export compares it
    again and pushes what differs (no call now)."""
    external_stock_force(integration=flow.integration, product_ids=[int(error.record_id)])
    return Resolved(
        gettext_noop("The product will be compared and pushed by the next stock export.")
    )


def log_missing_rows(ctx: FlowContext, count: int, warehouse_id: int) -> None:
    """Bound products the Hiboutik warehouse has no stock row for are left alone: say so."""
    if count:
        ctx.log(
            gettext_noop(
                "Hiboutik has no stock row for %(count)s bound products in warehouse "
                "%(warehouse)s: not pushed."
            ),
            level="warning",
            count=count,
            warehouse=warehouse_id,
        )


def plan_line(row: TrackedStock) -> StockLine | None:
    """The change that makes Hiboutik hold what Connect has available; None when it already
    does (or the belief is unknown, or the product is no longer bound)."""
    if row.external_id is None or row.believed is None:
        return None
    change = row.available - row.believed
    if change == 0:
        return None
    return StockLine(
        product_id=row.product_id,
        sku=row.sku,
        ref=row.external_id,
        quantity=change,
        believed=row.believed,
        available=row.available,
    )


class StockExport(Flow):
    key = "stock.export"
    label = _("Export stock")
    description = _(
        "Makes Hiboutik's stock equal to Connect's available stock, for the products that "
        "changed since the last push: one stock order per run."
    )
    recommended_schedule = Schedule.every(5)
    essential = True
    tabs = (
        IntegrationTab(
            "inventory", _("Inventory"), view="hiboutik.inventory_tab.inventory", order=27
        ),
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._warehouse: dict[str, int] | None = None

    def run(self) -> None:
        stock = stock_settings(self.ctx)
        if stock is None:
            return
        scope = binding_scope(self.integration, "product")
        pusher = StockPusher(
            self.ctx, warehouse_id=stock.hiboutik_warehouse_id, essential=self.essential
        )
        if not pusher.finish_open():
            return
        untracked = untracked_bound_products(self.integration, scope=scope)
        if untracked:
            external_stock_ensure(integration=self.integration, product_ids=untracked)
        lines: list[StockLine] = []
        marks: dict[int, int] = {}
        waiting: dict[int, int] = {}  # rows not pushed this time: marks kept
        urgent = False
        for batch in tracked_stock_batches(
            self.integration, scope=scope, warehouse_ids=stock.connect_warehouse_ids
        ):
            batch = self._with_known_beliefs(batch, stock.hiboutik_warehouse_id)
            for row in batch:
                line = plan_line(row)
                if line is None:
                    marks[row.row_id] = row.mark_seq
                    continue
                lines.append(line)
                waiting[row.row_id] = row.mark_seq
                urgent = urgent or row.available <= stock.low_stock_threshold
            self.ctx.count(seen=len(batch))
        if not marks and not lines:
            return
        self.ctx.count(skipped=len(marks))
        if lines and not urgent and self._too_soon(stock.push_every_minutes):
            stock_clear_marks(marks)
            self.ctx.log(
                gettext_noop(
                    "%(count)s stock changes wait for the next push (at most every "
                    "%(minutes)s minutes)."
                ),
                count=len(lines),
                minutes=stock.push_every_minutes,
            )
            return
        result = pusher.push(lines, marks={**marks, **waiting})
        if result is None:
            self.ctx.log(gettext_noop("Another stock push is open; this run pushed nothing."))

    def retry(self, error: IntegrationError) -> Resolved:
        return retry_product(self, error)

    def _too_soon(self, every_minutes: int) -> bool:
        if every_minutes <= 0:
            return False
        last = last_stock_push_at(self.integration, self.key)
        return last is not None and timezone.now() - last < timedelta(minutes=every_minutes)

    def _with_known_beliefs(self, batch: list[TrackedStock], warehouse_id: int):
        """Read from Hiboutik what it holds of the rows whose belief is unknown (products it
        had before they were bound), and believe it."""
        unknown = [row for row in batch if row.believed is None and row.external_id]
        if not unknown:
            return batch
        held = self._held(unknown, warehouse_id)
        believed = {
            row.product_id: held[row.external_id] for row in unknown if row.external_id in held
        }
        if believed:
            external_stock_set_believed(integration=self.integration, believed=believed)
        log_missing_rows(self.ctx, len(unknown) - len(believed), warehouse_id)
        return [
            replace(row, believed=believed[row.product_id]) if row.product_id in believed else row
            for row in batch
        ]

    def _held(self, unknown: list[TrackedStock], warehouse_id: int) -> dict[str, int]:
        """{Hiboutik product ref: quantity in the warehouse}: one call per product when few
        are unknown, else the whole warehouse once per run, 250 rows a call."""
        client = self.ctx.client
        if len(unknown) <= READ_ONE_BY_ONE_MAX and self._warehouse is None:
            held = {}
            for row in unknown:
                product_id, size_id = parse_product_ref(row.external_id)
                for level in client.product_stock(product_id, essential=self.essential):
                    if level.warehouse_id == warehouse_id and level.size_id == size_id:
                        held[row.external_id] = level.quantity
            return held
        if self._warehouse is None:
            self._warehouse = {
                product_ref(level.product_id, level.size_id): level.quantity
                for level in client.iter_stock(warehouse_id, essential=self.essential)
            }
        return self._warehouse
