"""stock.reconcile (nightly): read what the Hiboutik warehouse really holds, correct what
differs from Connect's available stock in one stock order, and start the beliefs afresh.

The stock export trusts its beliefs; they drift when Hiboutik's stock changes behind Connect's
back (a count typed at the till, a sale whose webhook never came, a decrease Hiboutik
refused). This flow reads the warehouse whole (250 rows a call), believes what it read, pushes
`available − held` for every product that differs, and reports what differed: a drift report
in the run's log (the products whose Hiboutik stock was not what Connect believed) and, when
more products drifted than the configured threshold, a notification under the bell.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.stock_export import log_missing_rows, retry_product, stock_settings
from hiboutik.flows.stock_push import StockLine, StockPusher
from hiboutik.product_refs import product_ref
from integrations.flows import Flow, Resolved
from integrations.models import IntegrationError, Notification
from integrations.schedules import Schedule
from integrations.selectors.bindings import binding_scope
from integrations.selectors.external_stock import (
    tracked_stock_batches,
    untracked_bound_products,
)
from integrations.services.external_stock import (
    external_stock_ensure,
    external_stock_set_believed,
)
from integrations.services.notifications import OPERATE_PERMISSION, notify

# Products named one by one in the run's log; the rest are counted.
REPORTED_PRODUCTS = 50


@dataclass(frozen=True)
class Drift:
    sku: str
    believed: int | None
    held: int
    available: int


class StockReconcile(Flow):
    key = "stock.reconcile"
    label = _("Check stock")
    description = _(
        "Reads the Hiboutik warehouse's stock, corrects what differs from Connect's available "
        "stock in one stock order and reports the differences."
    )
    recommended_schedule = Schedule.cron("30 3 * * *")

    def run(self) -> None:
        stock = stock_settings(self.ctx)
        if stock is None:
            return
        warehouse_id = stock.hiboutik_warehouse_id
        scope = binding_scope(self.integration, "product")
        pusher = StockPusher(self.ctx, warehouse_id=warehouse_id, essential=self.essential)
        if not pusher.finish_open():
            return
        untracked = untracked_bound_products(self.integration, scope=scope)
        if untracked:
            external_stock_ensure(integration=self.integration, product_ids=untracked)
        held = {
            product_ref(level.product_id, level.size_id): level.quantity
            for level in self.ctx.client.iter_stock(warehouse_id, essential=self.essential)
        }
        lines: list[StockLine] = []
        marks: dict[int, int] = {}
        believed: dict[int, int] = {}
        drifts: list[Drift] = []
        missing = 0
        for batch in tracked_stock_batches(
            self.integration,
            scope=scope,
            warehouse_ids=stock.connect_warehouse_ids,
            dirty_only=False,
        ):
            self.ctx.count(seen=len(batch))
            for row in batch:
                if row.external_id is None:
                    continue
                if row.external_id not in held:
                    missing += 1
                    continue
                quantity = held[row.external_id]
                believed[row.product_id] = quantity
                marks[row.row_id] = row.mark_seq
                if row.believed != quantity:
                    drifts.append(Drift(row.sku, row.believed, quantity, row.available))
                if row.available != quantity:
                    lines.append(
                        StockLine(
                            product_id=row.product_id,
                            sku=row.sku,
                            ref=row.external_id,
                            quantity=row.available - quantity,
                            believed=quantity,
                            available=row.available,
                        )
                    )
        external_stock_set_believed(integration=self.integration, believed=believed)
        self.ctx.count(skipped=len(believed) - len(lines))
        self._report(drifts, corrected=len(lines), missing=missing, stock=stock)
        result = pusher.push(lines, marks=marks)
        if result is None:
            self.ctx.log(gettext_noop("Another stock push is open; this run pushed nothing."))

    def retry(self, error: IntegrationError) -> Resolved:
        return retry_product(self, error)

    def _report(self, drifts: list[Drift], *, corrected: int, missing: int, stock) -> None:
        self.ctx.log(
            gettext_noop(
                "Stock check: %(drifted)s products held in Hiboutik another quantity than Connect "
                "believed; %(corrected)s differ from Connect's available stock and are corrected."
            ),
            level="warning" if drifts else "info",
            drifted=len(drifts),
            corrected=corrected,
        )
        for drift in drifts[:REPORTED_PRODUCTS]:
            self.ctx.log(
                gettext_noop(
                    "%(sku)s: Hiboutik held %(held)s, Connect believed %(believed)s, available "
                    "in Connect %(available)s."
                ),
                level="warning",
                sku=drift.sku,
                held=drift.held,
                believed="?" if drift.believed is None else drift.believed,
                available=drift.available,
            )
        if len(drifts) > REPORTED_PRODUCTS:
            self.ctx.log(
                gettext_noop("… and %(count)s more products."),
                level="warning",
                count=len(drifts) - REPORTED_PRODUCTS,
            )
        log_missing_rows(self.ctx, missing, stock.hiboutik_warehouse_id)
        if len(drifts) > stock.drift_alert_products:
            notify(
                title=gettext_noop("%(integration)s: stock differed for %(count)s products"),
                message=gettext_noop(
                    "Hiboutik's stock was not what Connect believed for %(count)s products; "
                    "the nightly check corrected it. Run #%(run)s lists them. Many differences "
                    "night after night mean stock is changed in Hiboutik directly, or sales "
                    "are not reaching Connect."
                ),
                params={
                    "integration": self.integration.name,
                    "count": len(drifts),
                    "run": self.ctx.run.pk,
                },
                level=Notification.Level.WARNING,
                permission=OPERATE_PERMISSION,
                integration=self.integration,
                url=reverse("integrations:run_detail", args=[self.integration.pk, self.ctx.run.pk]),
            )
