"""stock.reconcile (nightly): read what the Hiboutik warehouse really holds, correct what
differs from Connect's available stock in one stock order, and start the beliefs afresh.

The stock export trusts its beliefs; they drift when Hiboutik's stock changes behind Connect's
back (a count typed at the till, a sale whose webhook never came, a decrease Hiboutik
refused). This flow reads the warehouse whole (250 rows a call, the pages side by side within
the account's cap while Connect's side is read from the database, each page compared as it
comes), believes what it read, pushes `available − held` for every product that differs, and
reports what differed: a drift report in the run's log (the products whose Hiboutik stock was
not what Connect believed) and, when more products drifted than the configured threshold, a
notification under the bell.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.stock_export import log_missing_rows, retry_product, stock_settings
from hiboutik.flows.stock_push import StockLine, StockPusher
from hiboutik.product_refs import product_ref
from hiboutik.types import PAGE_SIZE as PAGE_ROWS
from integrations.flows import Flow, Resolved
from integrations.models import IntegrationError, Notification
from integrations.schedules import Schedule
from integrations.selectors.bindings import binding_scope
from integrations.selectors.external_stock import (
    TrackedStock,
    tracked_stock_batches,
    untracked_bound_products,
)
from integrations.services.external_stock import (
    external_stock_confirmed,
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


# Pages read ahead of the ones this thread has compared: bounds what waits in memory.
PAGES_AHEAD = 64
# Products stamped as checked by one UPDATE.
CONFIRMED_PER_WRITE = 5000


def read_warehouse(
    client, warehouse_id: int, pages: queue.Queue, give_up: threading.Event, essential: bool
) -> None:
    """Put the warehouse's rows, a page at a time as [(Hiboutik product ref, quantity)], on
    `pages`, then None. HTTP only: it runs beside the flow's database work, and stops once
    `give_up` is set."""

    def put(item) -> bool:
        while not give_up.is_set():
            try:
                pages.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    page: list[tuple[str, int]] = []
    try:
        for level in client.iter_stock(warehouse_id, essential=essential):
            page.append((product_ref(level.product_id, level.size_id), level.quantity))
            if len(page) == PAGE_ROWS:
                if not put(page):
                    return
                page = []
        if page:
            put(page)
    finally:
        put(None)
        # The call ledger counted the first page on this thread's own connection.
        connection.close()


@dataclass
class Comparison:
    """What the warehouse's rows, compared with Connect's tracked products, call for."""

    lines: list[tuple[int, StockLine]] = field(default_factory=list)
    marks: dict[int, int] = field(default_factory=dict)
    believed: dict[int, int] = field(default_factory=dict)
    confirmed: list[int] = field(default_factory=list)
    drifts: list[tuple[int, Drift]] = field(default_factory=list)
    seen: int = 0

    def compare(self, row: TrackedStock, quantity: int) -> None:
        self.seen += 1
        if row.dirty:
            self.marks[row.row_id] = row.mark_seq
        if row.believed != quantity:
            self.believed[row.product_id] = quantity
            self.drifts.append((row.row_id, Drift(row.sku, row.believed, quantity, row.available)))
        else:
            self.confirmed.append(row.product_id)
        if row.available != quantity:
            line = StockLine(
                product_id=row.product_id,
                sku=row.sku,
                ref=row.external_id or "",
                quantity=row.available - quantity,
                believed=quantity,
                available=row.available,
            )
            self.lines.append((row.row_id, line))


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
        # allows) while this thread reads Connect's side from the database, then compares
        # each page as it comes and stamps what it confirmed.
        client = self.ctx.client
        checked_at = timezone.now()
        pages: queue.Queue = queue.Queue(maxsize=PAGES_AHEAD)
        give_up = threading.Event()
        comparison = Comparison()
        with ThreadPoolExecutor(1, thread_name_prefix="hiboutik-stock") as reader:
            reading = reader.submit(
                contextvars.copy_context().run,
                read_warehouse,
                client,
                warehouse_id,
                pages,
                give_up,
                self.essential,
            )
            try:
                tracked = self._tracked_by_ref(scope, stock.connect_warehouse_ids)
                for page in iter(pages.get, None):
                    for ref, quantity in page:
                        for row in tracked.pop(ref, ()):
                            comparison.compare(row, quantity)
                    if len(comparison.confirmed) >= CONFIRMED_PER_WRITE:
                        self._confirm(comparison, checked_at)
            except BaseException:
                give_up.set()
                raise
            reading.result()  # the reading's error, if any
        self._confirm(comparison, checked_at)
        missing = sum(len(rows) for rows in tracked.values())
        del tracked
        external_stock_set_believed(
            integration=self.integration, believed=comparison.believed, at=checked_at
        )
        lines = [line for _, line in sorted(comparison.lines, key=lambda pair: pair[0])]
        drifts = [drift for _, drift in sorted(comparison.drifts, key=lambda pair: pair[0])]
        marks = comparison.marks
        self.ctx.count(skipped=comparison.seen - len(lines))
        self._report(drifts, corrected=len(lines), missing=missing, stock=stock)
        result = pusher.push(lines, marks=marks)
        if result is None:
            self.ctx.log(gettext_noop("Another stock push is open; this run pushed nothing."))

    def retry(self, error: IntegrationError) -> Resolved:
        return retry_product(self, error)

    def _tracked_by_ref(
        self, scope: str, warehouse_ids: list[int]
    ) -> dict[str, list[TrackedStock]]:
        """Every tracked product still bound, by its Hiboutik ref (a thousand a query)."""
        tracked: dict[str, list[TrackedStock]] = {}
        for batch in tracked_stock_batches(
            self.integration, scope=scope, warehouse_ids=warehouse_ids, dirty_only=False
        ):
            self.ctx.count(seen=len(batch))
            for row in batch:
                if row.external_id is not None:
                    tracked.setdefault(row.external_id, []).append(row)
        return tracked

    def _confirm(self, comparison: Comparison, at: datetime) -> None:
        """Stamp the products read as believed as checked, and forget them."""
        if comparison.confirmed:
            external_stock_confirmed(
                integration=self.integration, product_ids=comparison.confirmed, at=at
            )
            comparison.confirmed = []

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
