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

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
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


def held_in(client, warehouse_id: int, give_up: threading.Event, essential: bool) -> dict[str, int]:
    """{Hiboutik product ref: quantity} of the warehouse, read whole (HTTP only: it runs
    beside the flow's database work). Stops reading once `give_up` is set."""
    held: dict[str, int] = {}
    try:
        for level in client.iter_stock(warehouse_id, essential=essential):
            if give_up.is_set():
                break
            held[product_ref(level.product_id, level.size_id)] = level.quantity
    finally:
        # The call ledger counted the first page on this thread's own connection.
        connection.close()
    return held


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
        # The warehouse is read (HTTP only, its pages as many at once as the account's cap
        # allows) while this thread reads Connect's side of it from the database.
        client = self.ctx.client
        give_up = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix="hiboutik-stock") as reader:
            reading = reader.submit(
                contextvars.copy_context().run,
                held_in,
                client,
                warehouse_id,
                give_up,
                self.essential,
            )
            try:
                tracked = [
                    row
                    for batch in tracked_stock_batches(
                        self.integration,
                        scope=scope,
                        warehouse_ids=stock.connect_warehouse_ids,
                        dirty_only=False,
                    )
                    for row in batch
                ]
            except BaseException:
                give_up.set()
                raise
            held = reading.result()
        self.ctx.count(seen=len(tracked))
        lines: list[StockLine] = []
        marks: dict[int, int] = {}
        believed: dict[int, int] = {}
        confirmed: list[int] = []
        drifts: list[Drift] = []
        missing = 0
        for row in tracked:
            if row.external_id is None:
                continue
            if row.external_id not in held:
                missing += 1
                continue
            quantity = held[row.external_id]
            if row.dirty:
                marks[row.row_id] = row.mark_seq
            if row.believed != quantity:
                believed[row.product_id] = quantity
                drifts.append(Drift(row.sku, row.believed, quantity, row.available))
            else:
                confirmed.append(row.product_id)
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
        del tracked, held
        external_stock_set_believed(
            integration=self.integration, believed=believed, confirmed=confirmed
        )
        self.ctx.count(skipped=len(believed) + len(confirmed) - len(lines))
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
