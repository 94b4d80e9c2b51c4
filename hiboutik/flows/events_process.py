"""`events.process`: exchanges made at the Hiboutik till become returns in Connect.

`orders.import` stores an `exchange` event for every line a sale gives back, in either shape
the till records (architecture.md §3). When *Enable* (Gestion des échanges) is on, each event
is processed: the order imported from the original sale is found through its line's binding,
a return (RMA) received at once is created with the returned line, put back on the shelf of
the warehouse that shipped it when *Back to stock* is on, and refunded when *Refund* is on;
the event is then *Terminé* with links to what it made. Every step is idempotent (the return
and the refund carry the event's reference), so processing an event twice creates nothing
twice. An event whose original order Connect does not have stays not done, with the reason,
and is taken again once that order is imported. No API call, ever.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.orders_import import EXCHANGE
from integrations.flows import Flow
from integrations.models import ExternalBinding, IntegrationEvent
from integrations.schedules import Schedule
from integrations.selectors.bindings import binding_scope, object_ids_for
from integrations.selectors.events import events_to_process
from integrations.services.events import event_claim, event_release
from sales.exceptions import SalesError
from sales.models import OrderLine, RmaStatus
from sales.services import RmaLineSpec, rma_create, rma_refund

MESSAGES = {
    "done": gettext_noop("Return %(rma)s created on order %(order)s."),
    "done_refunded": gettext_noop(
        "Return %(rma)s created on order %(order)s and refunded (%(refund)s)."
    ),
    "disabled": gettext_noop(
        "Exchanges are not processed: switch on Enable (Gestion des échanges) to process them."
    ),
    "unknown_order": gettext_noop(
        "The order imported from the Hiboutik sale of line %(line)s is not in Connect: import "
        "that sale (Erreurs tab), then this exchange is processed by the next run."
    ),
    "refused": gettext_noop("Connect refused the return: %(reason)s"),
    "reason": gettext_noop("Exchange at the Hiboutik till (sale %(sale)s)."),
}


class EventsProcess(Flow):
    key = "events.process"
    label = _("Process events")
    description = _(
        "Exchanges made at the Hiboutik till become returns (RMA), with the goods back in "
        "stock and a refund when the settings say so."
    )
    recommended_schedule = Schedule.every(60)
    events = (EXCHANGE,)

    def run(self) -> None:
        if not self.ctx.config.exchanges.enabled:
            return
        for event in self._ready():
            if not event_claim(event):
                continue
            try:
                self._process(event)
            finally:
                if not event.done and not event.failed:
                    event_release(event)

    def process_event(self, event: IntegrationEvent) -> None:
        if not self.ctx.config.exchanges.enabled:
            self.ctx.event_failed(event, message=MESSAGES["disabled"])
            return
        self._process(event)

    def _ready(self) -> list[IntegrationEvent]:
        """Events not done: new ones, and failed ones whose original order is now imported
        (the others would only fail again)."""
        events = list(events_to_process(self.integration, EXCHANGE))
        failed_lines = {_line_of(event) for event in events if event.failed}
        bound = self._order_lines(failed_lines) if failed_lines else {}
        return [event for event in events if not event.failed or _line_of(event) in bound]

    def _order_lines(self, line_ids) -> dict[str, int]:
        return object_ids_for(
            scope=binding_scope(self.integration, ExternalBinding.ObjectType.ORDER_LINE),
            object_type=ExternalBinding.ObjectType.ORDER_LINE,
            external_ids=line_ids,
        )

    def _process(self, event: IntegrationEvent) -> None:
        self.ctx.count(seen=1)
        line_id = _line_of(event)
        object_id = self._order_lines({line_id}).get(line_id)
        order_line = (
            OrderLine.objects.select_related("order").filter(pk=object_id).first()
            if object_id
            else None
        )
        if order_line is None:
            self.ctx.count(failed=1)
            self.ctx.log(MESSAGES["unknown_order"], level="warning", line=line_id)
            self.ctx.event_failed(
                event, message=MESSAGES["unknown_order"], params={"line": line_id}
            )
            return
        settings = self.ctx.config.exchanges
        reference = f"exchange:{event.external_id}"[:64]
        order = order_line.order
        try:
            rma = rma_create(
                order=order,
                lines=[
                    RmaLineSpec(
                        order_line=order_line,
                        quantity=int(event.payload.get("quantity") or 0),
                        back_to_stock=settings.back_to_stock,
                    )
                ],
                status=RmaStatus.RECEIVED,
                reason=_reason(event),
                integration=self.integration,
                external_reference=reference,
            )
            refund = rma_refund(rma=rma, external_reference=reference) if settings.refund else None
        except SalesError as refused:
            params = {"reason": str(refused)}
            self.ctx.count(failed=1)
            self.ctx.log(MESSAGES["refused"], level="warning", **params)
            self.ctx.event_failed(event, message=MESSAGES["refused"], params=params)
            return
        links = [{"type": "rma", "id": rma.pk, "label": rma.number}]
        params = {"rma": rma.number, "order": order.number}
        if refund is not None:
            links.append({"type": "refund", "id": refund.pk, "label": refund.number})
            params["refund"] = refund.number
        message = MESSAGES["done_refunded" if refund is not None else "done"]
        self.ctx.count(created=1)
        self.ctx.log(message, **params)
        self.ctx.event_done(event, message=message, params=params, links=links)


def _line_of(event: IntegrationEvent) -> str:
    return str(event.payload.get("original_line_item_id") or "")


def _reason(event: IntegrationEvent) -> str:
    from django.utils.translation import gettext

    return gettext(MESSAGES["reason"]) % {"sale": event.payload.get("sale_id", "?")}
