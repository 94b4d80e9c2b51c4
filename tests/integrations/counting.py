"""A test-only integration type, "counting", whose flows do nothing but count, as told by the
integration's config. It exercises the framework without any real other side.

Config keys (all optional): `records` (how many records the run sees), `fail` (record ids
that fail), `calls` (API calls to consume per record through the database ledger), `raise`
("transient", "failure", "unexpected", "flow_failed"), `retry_after` (seconds, with
"transient"), `sleep` (seconds per record), `quota` (the account's monthly quota).
"""

import time
from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext_noop

from integrations.flows import Flow, FlowFailed, RecordError, Resolved
from integrations.ledger import DatabaseCallLedger
from integrations.registry import (
    Failure,
    IntegrationType,
    ReceivedEvent,
    Transient,
    WebhookRejected,
    register,
    unregister,
)
from integrations.schedules import Schedule

TYPE_KEY = "counting"


class Busy(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("the other side is busy")
        self.retry_after = retry_after


class Refused(Exception):
    pass


class QuotaRefused(Exception):
    pass


class CountingClient:
    """Consumes calls from the integration's ledger like a real client would."""

    def __init__(self, integration) -> None:
        self.key = f"counting:{integration.config.get('account', integration.pk)}"
        self.ledger = DatabaseCallLedger(
            integration_id=integration.pk, quota=integration.config.get("quota", 10_000)
        )
        self.calls = 0

    def call(self, n: int = 1) -> None:
        for _ in range(n):
            if not self.ledger.try_consume(self.key):
                raise QuotaRefused("ledger refused")
            self.calls += 1


class CountingFlow(Flow):
    key = "count"
    label = "Count"
    recommended_schedule = Schedule.every(5)
    events = ("ping",)
    # Records the tests saw being processed, to prove a record was handled once.
    handled: list[str] = []

    def run(self) -> None:
        config = self.integration.config
        self._maybe_raise(config)
        for number in range(1, int(config.get("records", 0)) + 1):
            with self.ctx.record("thing", number, payload={"number": number}):
                self.handle(str(number), config)
                self.ctx.count(created=1)
        for event in self.ctx.pending_events("ping"):
            self.process_event(event)
        self.ctx.log(gettext_noop("Counted %(count)s."), count=self.ctx.run.seen)

    def handle(self, record_id: str, config: dict[str, Any]) -> None:
        if config.get("sleep"):
            time.sleep(float(config["sleep"]))
        if config.get("calls"):
            self.ctx.client.call(int(config["calls"]))
        if record_id in [str(item) for item in config.get("fail", [])]:
            raise RecordError(
                "thing_refused",
                gettext_noop("Thing %(id)s refused."),
                {"id": record_id},
                detail="raw detail",
            )
        CountingFlow.handled.append(record_id)

    def _maybe_raise(self, config: dict[str, Any]) -> None:
        kind = config.get("raise")
        if kind == "transient":
            raise Busy(config.get("retry_after"))
        if kind == "failure":
            raise Refused("refused by the other side")
        if kind == "flow_failed":
            raise FlowFailed("config_incomplete", gettext_noop("Fill in the store."))
        if kind == "unexpected":
            raise ZeroDivisionError("boom")

    def retry(self, error) -> Resolved:
        config = self.integration.config
        self._maybe_raise(config)
        self.handle(error.record_id, config)
        return Resolved(gettext_noop("Thing %(id)s handled."), {"id": error.record_id})

    def process_event(self, event) -> None:
        if event.payload.get("bad"):
            self.ctx.event_failed(event, message=gettext_noop("Bad ping."))
            return
        CountingFlow.handled.append(f"event:{event.external_id}")
        self.ctx.event_done(
            event,
            message=gettext_noop("Ping processed."),
            links=[{"type": "order", "id": 1, "label": "CMD-1"}],
        )


class EssentialFlow(CountingFlow):
    key = "essential"
    label = "Essential count"
    essential = True
    events = ()


class ManualFlow(CountingFlow):
    key = "manual"
    label = "Manual count"
    recommended_schedule = Schedule.cron("0 3 * * *")
    events = ()

    retry = Flow.retry  # this one cannot retry a record


def classify(error: BaseException):
    if isinstance(error, Busy):
        return Transient(error.retry_after)
    if isinstance(error, Refused):
        return Failure("refused", gettext_noop("Refused: %(why)s"), {"why": str(error)})
    if isinstance(error, QuotaRefused):
        return Failure("quota", gettext_noop("Quota refused the call."))
    return None


def parse_webhook(request, body: bytes) -> list[ReceivedEvent]:
    text = body.decode()
    if not text.startswith("ping="):
        raise WebhookRejected("not_ping", gettext_noop("Not a ping: %(body)s"), {"body": text})
    ping = text.removeprefix("ping=")
    return [ReceivedEvent("ping", ping, {"ping": ping, "bad": ping.startswith("bad")})]


def answer(received, rejected):
    if rejected is not None:
        return JsonResponse({"error": rejected.code}, status=400)
    return JsonResponse({"received": [event.external_id for event in received]})


def parse_config(data):
    if data.get("invalid"):
        raise ValueError("invalid config")
    return data


def counting_type() -> IntegrationType:
    return IntegrationType(
        key=TYPE_KEY,
        label="Counting",
        parse_config=parse_config,
        client_factory=CountingClient,
        flows=[CountingFlow, EssentialFlow, ManualFlow],
        parse_webhook=parse_webhook,
        webhook_answer=answer,
        classify_error=classify,
        quota_account=lambda integration: (
            f"counting:{integration.config.get('account', integration.pk)}",
            integration.config.get("quota", 10_000),
        ),
    )


def install() -> IntegrationType:
    CountingFlow.handled = []
    return register(counting_type())


def uninstall() -> None:
    unregister(TYPE_KEY)
