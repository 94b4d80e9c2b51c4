"""`orders.import`: closed Hiboutik sales become invoiced, shipped Connect orders.

Webhook first: each run imports the `sale` events received since the last one, from their
payload, at no API call. At most once per reconciliation interval it then reads
`closed_sales` of the Hiboutik store for the fiscal days since its watermark and fetches
`GET /sales/{id}` only for the sales Connect has never seen (a webhook lost on the way); each
fetched sale is stored as a sale event and imported like a delivered one. The watermark (the
first day still to read) moves past a day only once every sale of it is imported or recorded
as an error, and is saved after they are committed. A sale that gives a line back (either
shape of an exchange) stores an `exchange` event for `events.process`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.orders import exchange_plans, held_stock
from hiboutik.mappers.sales import sale_from_payload
from hiboutik.order_import import IMPORTED, Imported, SaleImporter
from hiboutik.selectors import sale_received_since, sales_known
from hiboutik.stock_beliefs import stock_beliefs_apply_returns, stock_beliefs_from_webhook
from hiboutik.types import Sale
from integrations.flows import Flow, FlowFailed, Resolved
from integrations.models import FlowRun, IntegrationError, IntegrationEvent
from integrations.registry import ReceivedEvent
from integrations.schedules import Schedule
from integrations.services.events import event_claim, event_receive, event_release
from sales.models import Store

SALE = "sale"
EXCHANGE = "exchange"
# Sales closed before a store's fiscal day starts belong to the day before: the day before is
# read once after midnight (the end of its calendar day) and once more after noon, so a store
# whose day starts in the morning loses none, without reading it every interval of the morning.
REREAD_YESTERDAY_UNTIL = timedelta(hours=12)
# While the till sells nothing (no new sale in the last reconciliation, no sale webhook since),
# the next reconciliation waits twice as long, up to this many intervals: a shop closed at
# night costs a few listings, not one per interval, and the first sale webhook of the morning
# makes it due again after one interval.
QUIET_INTERVALS_MAX = 4
MAX_PASSES = 20

NOT_CONFIGURED = gettext_noop(
    "Choose the Connect store that receives the orders and the Hiboutik store the sales come "
    "from (Import de commande), then run the import again."
)
LOG = {
    "imported": gettext_noop("Sale %(sale)s imported as order %(order)s."),
    "already": gettext_noop("Sale %(sale)s already imported as order %(order)s."),
    "payments_added": gettext_noop("Sale %(sale)s: %(count)s payment(s) added to order %(order)s."),
    "other_store": gettext_noop("Sale %(sale)s is from Hiboutik store %(store)s: not imported."),
    "not_closed": gettext_noop("Sale %(sale)s is not closed: not imported."),
    "nothing_sold": gettext_noop("Sale %(sale)s sells nothing: only what it gives back counts."),
    "unreadable": gettext_noop("Sale event %(event)s cannot be read: %(error)s"),
    "failed": gettext_noop("Not imported: see the Erreurs tab (sale %(sale)s)."),
    "exchanges": gettext_noop("Sale %(sale)s gives back %(count)s line(s): exchange recorded."),
    "reconciled": gettext_noop(
        "Reconciliation from %(start)s to %(end)s: %(listed)s sale(s) listed, %(fetched)s fetched."
    ),
    "reconcile_later": gettext_noop(
        "Reconciliation not due: the last one ran at %(at)s, every %(minutes)s minutes."
    ),
}


class OrdersImport(Flow):
    key = "orders.import"
    label = _("Import orders")
    description = _(
        "Closed Hiboutik sales become invoiced, shipped Connect orders: from the sale webhook, "
        "with a reconciliation of closed sales at most once per reconciliation interval."
    )
    recommended_schedule = Schedule.every(5)
    essential = True
    events = (SALE,)

    # --- entry points -----------------------------------------------------------------------

    def run(self) -> None:
        settings = self.ctx.config.order_import
        if not settings.connect_store_id or not settings.hiboutik_store_id:
            # Not set up yet: nothing to import, at no cost (a retry says what is missing).
            self.ctx.log(NOT_CONFIGURED, level="warning")
            return
        importer = self._importer()
        # Webhooks arriving during the run start no second run (one at a time): read again
        # until nothing new came, so a burst of sales is imported by the run under way.
        for _pass in range(MAX_PASSES):
            handled = 0
            for event in self.ctx.pending_events(SALE, include_failed=False):
                self._handle(importer, event)
                handled += 1
            if not handled:
                break
        self._reconcile_if_due(importer)

    def process_event(self, event: IntegrationEvent) -> None:
        self._handle(self._importer(), event)

    def retry(self, error: IntegrationError) -> Resolved:
        """Import the one sale of `error` again from its stored payload, with today's stock
        and configuration."""
        importer = self._importer()
        sale = sale_from_payload(error.payload)
        imported = importer.import_sale(sale)
        if self._record_exchanges(sale, error.payload):
            self._start_exchanges()
        IntegrationEvent.objects.filter(
            integration=self.integration, type=SALE, external_id=str(sale.sale_id)
        ).update(done=True, failed=False, processed_at=timezone.now(), claimed_at=None)
        order = imported.order
        return Resolved(IMPORTED, {"order": order.number if order else ""})

    # --- one sale ---------------------------------------------------------------------------

    def _importer(self) -> SaleImporter:
        settings = self.ctx.config.order_import
        if not settings.connect_store_id or not settings.hiboutik_store_id:
            raise FlowFailed("import_not_configured", NOT_CONFIGURED)
        try:
            return SaleImporter(self.integration, self.ctx.config, lambda: self.ctx.client)
        except Store.DoesNotExist:
            raise FlowFailed("import_not_configured", NOT_CONFIGURED) from None

    def _handle(self, importer: SaleImporter, event: IntegrationEvent) -> None:
        """Import the sale of one event, then mark the event: done (with the order), or
        failed when the sale became an error (the Erreurs tab retries it)."""
        try:
            sale = sale_from_payload(event.payload)
        except HiboutikPayloadError as unreadable:
            params = {"event": event.external_id, "error": str(unreadable)}
            self.ctx.fail_record(
                SALE, event.external_id, "unreadable_sale", LOG["unreadable"], params,
                payload=event.payload,
            )  # fmt: skip
            self.ctx.event_failed(event, message=LOG["unreadable"], params=params)
            return
        imported: Imported | None = None
        with self.ctx.record(SALE, sale.sale_id, payload=event.payload, resolved_message=IMPORTED):
            imported = self._import(importer, sale)
        new_exchanges = self._record_exchanges(sale, event.payload)
        if imported is None:
            params = {"sale": sale.sale_id}
            self.ctx.event_failed(event, message=LOG["failed"], params=params)
        else:
            self._event_done(event, sale, imported)
        if new_exchanges:
            self._start_exchanges()

    def _import(self, importer: SaleImporter, sale: Sale) -> Imported | None:
        """The sale imported, or None when it is not this store's to import (logged)."""
        settings = self.ctx.config.order_import
        if sale.store_id != settings.hiboutik_store_id:
            self.ctx.count(skipped=1)
            self.ctx.log(LOG["other_store"], sale=sale.sale_id, store=sale.store_id)
            return Imported(None, False, skipped="other_store")
        if not sale.is_closed:
            self.ctx.count(skipped=1)
            self.ctx.log(LOG["not_closed"], sale=sale.sale_id)
            return Imported(None, False, skipped="not_closed")
        imported = importer.import_sale(sale)
        order = imported.order
        if order is None:
            self.ctx.count(skipped=1)
            self.ctx.log(LOG["nothing_sold"], sale=sale.sale_id)
        elif imported.created:
            self.ctx.count(created=1)
            self.ctx.log(LOG["imported"], sale=sale.sale_id, order=order.number)
        elif imported.payments_added:
            self.ctx.count(updated=1)
            self.ctx.log(
                LOG["payments_added"],
                sale=sale.sale_id,
                order=order.number,
                count=imported.payments_added,
            )
        else:
            self.ctx.count(skipped=1)
            self.ctx.log(LOG["already"], sale=sale.sale_id, order=order.number)
        return imported

    def _event_done(self, event: IntegrationEvent, sale: Sale, imported: Imported) -> None:
        order = imported.order
        if order is None:
            params = {"sale": sale.sale_id, "store": sale.store_id}
            message = LOG[imported.skipped or "nothing_sold"]
            self.ctx.event_done(event, message=message, params=params)
            return
        self.ctx.event_done(
            event,
            message=LOG["imported"],
            params={"sale": sale.sale_id, "order": order.number},
            links=[{"type": "order", "id": order.pk, "label": order.number}],
        )

    # --- exchanges --------------------------------------------------------------------------

    def _record_exchanges(self, sale: Sale, payload: object) -> int:
        """Store an `exchange` event per line the sale gives back; returns how many are new
        or changed (a re-delivered sale stores nothing twice)."""
        plans = exchange_plans(sale)
        if sale.returned_line_ids:
            # What the return lines put back on Hiboutik's shelf is not pushed there again.
            stock_beliefs_apply_returns(integration=self.integration, sale=sale)
        waiting = 0
        credited = set()
        for plan in plans:
            event, new = event_receive(
                self.integration,
                ReceivedEvent(type=EXCHANGE, external_id=plan.external_id, payload=plan.payload),
            )
            waiting += not event.done
            if new and plan.payload["shape"] == "credit_note":
                credited.add(plan.payload["original_line_item_id"])
        if credited:
            # Only the webhook sent with the exchange says what the shelf holds after it.
            stock_beliefs_from_webhook(
                integration=self.integration, held=held_stock(payload, credited)
            )
        if plans:
            self.ctx.log(LOG["exchanges"], sale=sale.sale_id, count=len(plans))
        return waiting

    def _start_exchanges(self) -> None:
        from integrations.tasks import enqueue_run

        if self.ctx.config.exchanges.enabled and self.ctx.spec.has_flow("events.process"):
            enqueue_run(self.integration.pk, "events.process", FlowRun.Trigger.WEBHOOK)

    # --- reconciliation ---------------------------------------------------------------------

    def _reconcile_if_due(self, importer: SaleImporter) -> None:
        settings = self.ctx.config.order_import
        cursor = self.ctx.previous_cursor or {}
        now = timezone.now()
        last = _parse_time(cursor.get("reconciled_at"))
        interval = timedelta(minutes=settings.reconciliation_minutes)
        if last is not None and now - last < interval:
            return
        quiet = cursor.get("quiet") if isinstance(cursor.get("quiet"), int) else 0
        newest = cursor.get("newest") if isinstance(cursor.get("newest"), int) else 0
        wait = interval * min(2**quiet, QUIET_INTERVALS_MAX)
        if (
            last is not None
            and now - last < wait
            and not sale_received_since(self.integration, last)
        ):
            return
        zone = ZoneInfo(settings.time_zone)
        local_now = now.astimezone(zone)
        start = _parse_day(cursor.get("day")) or self._first_day(zone)
        today = local_now.date()
        settling = (local_now - REREAD_YESTERDAY_UNTIL).date()  # days from it may take sales
        ended = _parse_day(cursor.get("ended"))  # the last day read after it ended
        listed = fetched = 0
        listed_newest = 0
        first_open: date | None = None
        day = start
        while day <= today:
            if settling <= day < today and ended is not None and day <= ended:
                day += timedelta(days=1)  # read after its end already; again after noon
                continue
            sale_ids = [
                summary.sale_id
                for summary in self.ctx.client.iter_closed_sales(
                    settings.hiboutik_store_id, day, essential=True
                )
            ]
            listed += len(sale_ids)
            listed_newest = max([listed_newest, *sale_ids])
            for sale_id in sorted(set(sale_ids) - sales_known(self.integration, sale_ids)):
                fetched += 1
                self._import_fetched(importer, sale_id)
            if first_open is None and set(sale_ids) - sales_known(self.integration, sale_ids):
                first_open = day
            day += timedelta(days=1)
        watermark = min(first_open or today, (local_now - REREAD_YESTERDAY_UNTIL).date())
        self.ctx.log(
            LOG["reconciled"], start=start.isoformat(), end=today.isoformat(), listed=listed,
            fetched=fetched,
        )  # fmt: skip
        if start < today:
            ended = today - timedelta(days=1)
        saved = {
            "day": max(watermark, start).isoformat(),
            "reconciled_at": now.isoformat(),
            # Whether the till sold since the last reconciliation: the next one waits longer
            # after each that found no newer sale.
            "quiet": 0 if listed_newest > newest else quiet + 1,
            "newest": max(newest, listed_newest),
        }
        if ended is not None:
            saved["ended"] = ended.isoformat()
        self.ctx.save_cursor(saved)

    def _first_day(self, zone: ZoneInfo) -> date:
        """*Import order from date*, else the day the integration was created."""
        configured = self.ctx.config.order_import.import_from
        return configured or self.integration.created_at.astimezone(zone).date()

    def _import_fetched(self, importer: SaleImporter, sale_id: int) -> None:
        """A sale no webhook brought: fetched (1 call), stored as a sale event, imported."""
        payload = self.ctx.client.get_sale_payload(sale_id, essential=True)
        event, _new = event_receive(
            self.integration, ReceivedEvent(type=SALE, external_id=str(sale_id), payload=payload)
        )
        if event.done or not event_claim(event):
            return
        try:
            self._handle(importer, event)
        finally:
            if not event.done and not event.failed:
                event_release(event)


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
