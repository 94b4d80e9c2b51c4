"""One batch of stock changes sent to a Hiboutik warehouse as one stock order (inventory
input), as both stock flows send them: create the input, one line per product, validate.

Validating applies the lines once; doing it twice (or validating a second input with the same
lines after a crash) would apply them twice. So every push is recorded before its first call
(`ExternalStockPush`, with a label unique to it), and its input id is saved as soon as it is
known. A run that stops half-way leaves the push open; the next stock run finishes it first
(:meth:`StockPusher.finish_open`): it finds the input by id, or by label when the id was lost
with the answer, reads the lines Hiboutik holds, validates the input if it is not yet, and
adds exactly those lines to the beliefs. The rows stay dirty, so the same run then pushes
whatever still differs, computed from the corrected beliefs: no change is applied twice.
A line whose call got no answer (a 503, a dropped connection) is settled the same way within
the run: the order's lines are read back and only the missing ones are sent again.

Lowering stock takes a negative line, which an account may refuse (422 on the quantity):
increases go first; the first refused decrease stops the others being sent, and each is
recorded as an error for the merchant to fix in Hiboutik. The refusal is remembered for a day
so later runs do not spend a call to learn it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from hiboutik.client import refuses_stock_quantity
from hiboutik.errors import (
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikServerError,
    HiboutikThrottled,
    HiboutikValidationError,
)
from hiboutik.product_refs import parse_product_ref, product_ref
from integrations.flows import FlowContext
from integrations.models import ExternalStockPush, FlowRun
from integrations.registry import Failure
from integrations.runner import mark_interrupted
from integrations.selectors.external_stock import open_stock_push
from integrations.services.errors import errors_resolve_records
from integrations.services.external_stock import (
    external_stock_pushed,
    stock_push_close,
    stock_push_open,
    stock_push_save,
    stock_push_take_over,
)

# How long a refusal of negative stock order lines is trusted before one is tried again.
DECREASES_REFUSED_FOR = timedelta(days=1)
# Rounds of sending a push's lines: the first, then those left without an answer that the
# order turned out not to hold.
LINE_ROUNDS = 3
# A line's call failed without Hiboutik saying whether it took the line.
UNANSWERED = (HiboutikThrottled, HiboutikServerError, HiboutikPayloadError)

DECREASE_REFUSED = gettext_noop(
    "Hiboutik refuses to lower stock through its API: %(sku)s should go from %(believed)s to "
    "%(available)s in Hiboutik warehouse %(warehouse)s. Correct it in Hiboutik (stock count); "
    "the nightly stock check then confirms it."
)


@dataclass(frozen=True)
class StockLine:
    """A change to send: `quantity` units more (or fewer) of a Connect product, whose
    Hiboutik product (and size) is `ref`."""

    product_id: int
    sku: str
    ref: str
    quantity: int
    believed: int
    available: int

    def as_json(self) -> dict[str, Any]:
        return {
            "product": self.product_id,
            "sku": self.sku,
            "ref": self.ref,
            "quantity": self.quantity,
        }


@dataclass
class PushResult:
    input_id: int | None = None
    applied: dict[int, int] = field(default_factory=dict)  # Connect product → change
    refused: list[StockLine] = field(default_factory=list)  # decreases the account refuses
    failed: list[StockLine] = field(default_factory=list)  # lines refused for another reason


class StockPusher:
    """Sends stock changes to one Hiboutik warehouse for a running stock flow."""

    def __init__(self, ctx: FlowContext, *, warehouse_id: int, essential: bool) -> None:
        self.ctx = ctx
        self.warehouse_id = warehouse_id
        self.essential = essential
        self._refusal_known = False

    @property
    def client(self):
        return self.ctx.client

    # --- what a stopped run left open ---------------------------------------------------

    def finish_open(self) -> bool:
        """Finish the push a stopped run left open, if any (one query when there is none).
        False when a live run is still pushing: the caller must not push now."""
        push = open_stock_push(self.ctx.integration)
        if push is None:
            return True
        if (
            push.run_id not in (None, self.ctx.run.pk)
            and push.run.status in FlowRun.ACTIVE
            and not mark_interrupted(push.run)
        ):
            self.ctx.log(
                gettext_noop("Run #%(run)s is pushing stock to Hiboutik; this run waits for it."),
                run=push.run_id,
            )
            return False
        stock_push_take_over(push, self.ctx.run)
        input_id = int(push.external_id) if push.external_id else self._find_by_label(push.label)
        if input_id is None:
            stock_push_close(push, status=ExternalStockPush.Status.DISCARDED)
            self.ctx.log(
                gettext_noop(
                    "The stock push %(label)s of a stopped run never reached Hiboutik; "
                    "nothing to finish."
                ),
                label=push.label,
            )
            return True
        stock_push_save(push, external_id=str(input_id))
        try:
            stock_input = self.client.get_inventory_input(input_id, essential=self.essential)
        except HiboutikNotFound:
            stock_push_close(push, status=ExternalStockPush.Status.DISCARDED)
            self.ctx.log(
                gettext_noop(
                    "Stock order %(input)s of a stopped run no longer exists in Hiboutik; "
                    "nothing to finish."
                ),
                level="warning",
                input=input_id,
            )
            return True
        details = self.client.list_inventory_input_details(input_id, essential=self.essential)
        if not details:
            stock_push_close(push, status=ExternalStockPush.Status.DISCARDED)
            self.ctx.log(
                gettext_noop("Stock order %(input)s of a stopped run has no line; left unused."),
                input=input_id,
            )
            return True
        if not stock_input.validated:
            self.client.validate_inventory_input(input_id, essential=self.essential)
        products = {line["ref"]: line["product"] for line in push.lines}
        applied: dict[int, int] = {}
        for detail in details:
            product_id = products.get(product_ref(detail.product_id, detail.size_id))
            if product_id is not None:
                applied[product_id] = applied.get(product_id, 0) + detail.quantity
        with transaction.atomic():
            external_stock_pushed(integration=self.ctx.integration, applied=applied, marks={})
            stock_push_close(
                push,
                status=ExternalStockPush.Status.APPLIED,
                result={"applied": {str(k): v for k, v in applied.items()}, "recovered": True},
            )
        self.ctx.log(
            gettext_noop(
                "Stock order %(input)s of a stopped run finished: %(count)s lines applied once."
            ),
            input=input_id,
            count=len(applied),
        )
        return True

    def _find_by_label(self, label: str) -> int | None:
        """The input created moments before a run stopped, among the newest (one call)."""
        for stock_input in self.client.recent_inventory_inputs(essential=self.essential):
            if stock_input.label == label:
                return stock_input.inventory_input_id
        return None

    # --- a new push -----------------------------------------------------------------------

    def push(self, lines: Sequence[StockLine], *, marks: Mapping[int, int]) -> PushResult | None:
        """Send `lines` in one stock order and, once applied, add them to the beliefs and clear
        `marks` {row id: mark_seq read} in one transaction. None when another push is open.
        Costs 2 calls + one per line sent; nothing when no line can be sent. The lines go out
        as many at once as the account's cap allows, the first decrease on its own."""
        result = PushResult()
        increases = [line for line in lines if line.quantity > 0]
        decreases = [line for line in lines if line.quantity < 0]
        decreases_allowed = self._decreases_allowed() if decreases else True
        to_send = increases + (decreases if decreases_allowed else [])
        if not decreases_allowed:
            result.refused = list(decreases)
        if not to_send:
            self._close_without_push(result, marks)
            return result
        label = f"Connect {self.ctx.run.flow_key} {uuid.uuid4().hex[:12]}"
        push = stock_push_open(
            integration=self.ctx.integration,
            run=self.ctx.run,
            flow_key=self.ctx.run.flow_key,
            label=label,
            lines=[line.as_json() for line in to_send],
        )
        if push is None:
            return None
        input_id = self.client.create_inventory_input(
            self.warehouse_id, label=label, essential=self.essential
        )
        stock_push_save(push, external_id=str(input_id))
        result.input_id = input_id
        self._send_lines(input_id, increases, result)
        if decreases and decreases_allowed:
            # The first decrease alone: whether the account takes negative lines is learnt
            # from it, and a refusal keeps the others from being sent at all.
            refused = self._send_lines(input_id, decreases[:1], result)
            if refused:
                result.refused.extend(decreases[1:])
            else:
                refused = self._send_lines(input_id, decreases[1:], result)
            self._remember_decreases(refused=refused)
        if result.applied:
            self.client.validate_inventory_input(input_id, essential=self.essential)
        with transaction.atomic():
            external_stock_pushed(
                integration=self.ctx.integration, applied=result.applied, marks=marks
            )
            stock_push_close(
                push,
                status=ExternalStockPush.Status.APPLIED
                if result.applied
                else ExternalStockPush.Status.DISCARDED,
                result={
                    "applied": {str(k): v for k, v in result.applied.items()},
                    "refused": [line.as_json() for line in result.refused],
                    "failed": [line.as_json() for line in result.failed],
                },
            )
        self._report(result)
        return result

    def _send_lines(self, input_id: int, lines: Sequence[StockLine], result: PushResult) -> bool:
        """Add `lines` to the stock order, as many at once as the account's cap allows (the
        worker threads make the HTTP calls only; what they answered is recorded here, on the
        flow's thread). True when the account refused a negative line: the lines not sent by
        then are not sent, and come back refused with it.

        A line left without an answer (a 503, a dropped connection, a timeout) may or may not
        be in the order: the order's lines are read back (one call) and only those Hiboutik
        does not hold are sent again, up to LINE_ROUNDS times; what still has no answer then
        raises, and the next run finishes the order."""
        refusals: list[StockLine] = []

        def send(line: StockLine) -> int:
            product_id, size_id = parse_product_ref(line.ref)
            return self.client.add_inventory_input_detail(
                input_id,
                product_id=product_id,
                quantity=line.quantity,
                size_id=size_id,
                essential=self.essential,
            )

        pending = list(lines)
        for _round in range(LINE_ROUNDS):
            unanswered: list[tuple[StockLine, HiboutikError]] = []
            # Closed on the way out, error or not: the lines already queued are dropped and
            # those in flight awaited before this goes on, returns or raises. Left to the
            # garbage collector, they would go on being sent while the order is read back,
            # and a line added after that read would be applied without being counted.
            with closing(
                self.client.concurrently(send, pending, stop=lambda: bool(refusals))
            ) as sent:
                self._record_lines(sent, result, refusals, unanswered)
            if not unanswered:
                break
            held = self._refs_held(input_id)
            pending = []
            for line, _error in unanswered:
                if line.ref in held:
                    result.applied[line.product_id] = line.quantity
                elif not refusals:
                    pending.append(line)
                else:  # never to be sent: a negative line was refused meanwhile
                    result.refused.append(line)
            if not pending:
                break
        else:
            raise unanswered[-1][1]
        return bool(refusals)

    def _record_lines(
        self,
        sent: Iterable[tuple[StockLine, Future[int] | None]],
        result: PushResult,
        refusals: list[StockLine],
        unanswered: list[tuple[StockLine, HiboutikError]],
    ) -> None:
        for line, outcome in sent:
            if outcome is None:  # never sent: a negative line was refused meanwhile
                result.refused.append(line)
                continue
            try:
                outcome.result()
            except (HiboutikValidationError, HiboutikNotFound) as error:
                if (
                    line.quantity < 0
                    and isinstance(error, HiboutikValidationError)
                    and refuses_stock_quantity(error)
                ):
                    refusals.append(line)
                    result.refused.append(line)
                    continue
                self._fail_line(line, error)
                result.failed.append(line)
                continue
            except UNANSWERED as error:
                unanswered.append((line, error))
                continue
            result.applied[line.product_id] = line.quantity

    def _refs_held(self, input_id: int) -> set[str]:
        """The products (and sizes) the stock order holds a line for (one call)."""
        details = self.client.list_inventory_input_details(input_id, essential=self.essential)
        return {product_ref(detail.product_id, detail.size_id) for detail in details}

    def _close_without_push(self, result: PushResult, marks: Mapping[int, int]) -> None:
        external_stock_pushed(integration=self.ctx.integration, applied={}, marks=marks)
        self._report(result)

    def _report(self, result: PushResult) -> None:
        for line in result.refused:
            self.ctx.fail_record(
                "product",
                line.product_id,
                "stock_decrease_refused",
                DECREASE_REFUSED,
                {
                    "sku": line.sku,
                    "believed": line.believed,
                    "available": line.available,
                    "warehouse": self.warehouse_id,
                },
                payload=line.as_json(),
            )
        if result.applied:
            errors_resolve_records(
                integration=self.ctx.integration,
                flow_key=self.ctx.run.flow_key,
                record_type="product",
                record_ids=result.applied,
                message=gettext_noop("The stock was pushed to Hiboutik."),
            )
            self.ctx.count(updated=len(result.applied))
            self.ctx.log(
                gettext_noop(
                    "Stock order %(input)s: %(count)s products changed in Hiboutik warehouse "
                    "%(warehouse)s."
                ),
                input=result.input_id,
                count=len(result.applied),
                warehouse=self.warehouse_id,
            )

    def _fail_line(self, line: StockLine, error: Exception) -> None:
        classified = self.ctx.spec.classify_error(error)
        if not isinstance(classified, Failure):
            raise error
        self.ctx.fail_record(
            "product",
            line.product_id,
            classified.code,
            classified.message,
            classified.params,
            detail=classified.detail,
            payload=line.as_json(),
        )

    # --- whether the account takes negative lines --------------------------------------------

    def _decreases_allowed(self) -> bool:
        """False when the account refused a negative line less than a day ago (one query)."""
        known = self.ctx.previous_cursor
        refused_at = known.get("decreases_refused_at") if isinstance(known, dict) else None
        self._refusal_known = bool(refused_at)
        if not refused_at:
            return True
        try:
            when = datetime.fromisoformat(refused_at)
        except (TypeError, ValueError):
            return True
        return timezone.now() - when > DECREASES_REFUSED_FOR

    def _remember_decreases(self, *, refused: bool) -> None:
        if refused or self._refusal_known:
            self.ctx.save_cursor(
                {"decreases_refused_at": timezone.now().isoformat() if refused else None}
            )
