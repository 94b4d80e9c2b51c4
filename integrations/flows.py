"""Flows: one use case of an integration (export products, import sales...), run by the runner.

A type lists its flows on its `IntegrationType`; each is a subclass of :class:`Flow` that
declares::

    class StockExport(Flow):
        key = "stock.export"
        label = _("Export stocks")
        recommended_schedule = Schedule.every(5)
        essential = True          # may use the last 5 % of the monthly quota

        def run(self) -> None:
            ...                   # self.ctx: counts, log, records, events, cursor, client

and optionally how to retry one failed record (:meth:`Flow.retry`, for the Erreurs tab) and how
to process one received event (:meth:`Flow.process_event`, with ``events = ("sale",)``).

Expected problems with one record raise :class:`RecordError` inside ``ctx.record(...)`` (or are
client errors the type classifies as failures): the record becomes an `IntegrationError`, the
run goes on and ends *partial* or *failed*. A problem with the whole run raises
:class:`FlowFailed`. Anything else ends the run *errored* with its traceback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import timezone
from django.utils.functional import Promise

from integrations.registry import Failure, IntegrationType
from integrations.schedules import Schedule

if TYPE_CHECKING:
    from integrations.models import FlowRun, Integration, IntegrationError, IntegrationEvent

# The log kept on a run; a flow that logs more keeps the first lines and a count of the rest.
MAX_LOG_LINES = 500
# Counts and log are written to the run at most this often while it runs (and at its end).
PROGRESS_INTERVAL_SECONDS = 2.0


class RecordError(Exception):
    """One record cannot be handled; becomes (or updates) the record's `IntegrationError`.
    `message` is an untranslated id (`gettext_noop`) filled with `params` when shown."""

    def __init__(
        self,
        code: str,
        message: str,
        params: Mapping[str, Any] | None = None,
        *,
        detail: str = "",
        payload: Any = None,
    ) -> None:
        super().__init__(message % dict(params) if params else message)
        self.code = code
        self.message = message
        self.params = dict(params or {})
        self.detail = detail
        self.payload = payload


class FlowFailed(Exception):
    """The run cannot do its job (configuration incomplete, credentials refused...): it ends
    *failed* with this reason."""

    def __init__(self, code: str, message: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message % dict(params) if params else message)
        self.code = code
        self.message = message
        self.params = dict(params or {})


class NotRetryable(Exception):
    """The flow has no way to retry one record."""


@dataclass(frozen=True)
class Resolved:
    """What a successful retry of one record says: e.g. "The order was imported.", with links
    to what it made."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Flow:
    key: ClassVar[str]
    label: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    recommended_schedule: ClassVar[Schedule | None] = None
    # Essential flows (what the merchant cannot do without: importing sales, exporting stock)
    # keep running between 95 % and 100 % of the monthly quota; the others are skipped.
    essential: ClassVar[bool] = False
    # Types of received events this flow processes (its run picks up those not done).
    events: ClassVar[tuple[str, ...]] = ()
    # Writes what every integration of the same account shares (Hiboutik's products are the
    # account's, whichever store): its schedule may be enabled on one integration per account.
    account_wide: ClassVar[bool] = False
    # Tabs this flow adds to its integrations' pages (`integrations.tabs.IntegrationTab`).
    tabs: ClassVar[tuple[Any, ...]] = ()
    # Templates show flow classes (label, schedule): they must not try to instantiate them.
    do_not_call_in_templates: ClassVar[bool] = True

    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx

    @property
    def integration(self) -> Integration:
        return self.ctx.integration

    def run(self) -> None:
        raise NotImplementedError

    def retry(self, error: IntegrationError) -> Resolved:
        """Handle again the one record of `error` (its `payload` holds what is needed), from
        the Erreurs tab or `retry_errors`. Return what to tell the operator, or raise
        `RecordError` with the new reason."""
        raise NotRetryable(self.key)

    def process_event(self, event: IntegrationEvent) -> None:
        """Process one received event (from its run, or *Retraiter* in the Events tab); call
        `ctx.event_done()` or `ctx.event_failed()`."""
        raise NotRetryable(self.key)

    @classmethod
    def can_retry(cls) -> bool:
        return cls.retry is not Flow.retry

    @classmethod
    def can_process_events(cls) -> bool:
        return bool(cls.events) and cls.process_event is not Flow.process_event


class FlowContext:
    """What a running flow works with: its integration, configuration and client, and the
    run it reports to (counts, log, cursor, records that failed, events it processed)."""

    COUNTS = ("seen", "created", "updated", "skipped", "failed")

    def __init__(self, run: FlowRun, integration: Integration, spec: IntegrationType) -> None:
        self.run = run
        self.integration = integration
        self.spec = spec
        self._config: Any = None
        self._client: Any = None
        self._lock = threading.Lock()
        self._dirty = False
        self._saved_at = 0.0
        self.meter = None  # set by the runner: the API calls of this run

    # --- what the flow works with --------------------------------------------------------

    @property
    def config(self) -> Any:
        if self._config is None:
            self._config = self.spec.config(self.integration)
        return self._config

    @property
    def client(self) -> Any:
        """The type's client for this integration, built on first use (an idle run that never
        needs it costs nothing)."""
        if self._client is None:
            self._client = self.spec.client_factory(self.integration)
        return self._client

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if callable(close):
            close()

    # --- counts, log, cursor ---------------------------------------------------------------

    def count(self, **increments: int) -> None:
        """`ctx.count(seen=250, created=3)`."""
        with self._lock:
            for name, value in increments.items():
                if name not in self.COUNTS:
                    raise ValueError(f"unknown count {name!r}; use one of {self.COUNTS}")
                setattr(self.run, name, getattr(self.run, name) + value)
            self._dirty = True
        self.save_progress()

    def log(self, message: str, level: str = "info", **params: Any) -> None:
        """A log line of the run: an untranslated message id and its parameters."""
        with self._lock:
            if len(self.run.log) < MAX_LOG_LINES:
                self.run.log.append(
                    {
                        "at": timezone.now().isoformat(timespec="seconds"),
                        "level": level,
                        "message": message,
                        "params": params,
                    }
                )
            self._dirty = True
        self.save_progress()

    @property
    def previous_cursor(self) -> Any:
        """The cursor the last run of this flow saved (None the first time)."""
        from integrations.selectors.runs import last_cursor

        return last_cursor(self.integration, self.run.flow_key, before=self.run)

    def save_cursor(self, value: Any) -> None:
        """Save the watermark now (committed at once): call it only after what it covers is
        committed, so a crash after it never skips anything."""
        from integrations.models import FlowRun

        self.run.cursor = value
        FlowRun.objects.filter(pk=self.run.pk).update(cursor=value)

    def save_progress(self, *, force: bool = False) -> None:
        """Write counts, log, API calls and a sign of life to the run, at most every
        PROGRESS_INTERVAL_SECONDS unless forced, so a page polling the run sees it move."""
        from integrations.models import FlowRun

        now = time.monotonic()
        with self._lock:
            if not force and (not self._dirty or now - self._saved_at < PROGRESS_INTERVAL_SECONDS):
                return
            self._saved_at, self._dirty = now, False
            values = {name: getattr(self.run, name) for name in self.COUNTS}
            values["log"] = list(self.run.log)
        if self.meter is not None:
            values["api_calls"] = self.run.api_calls = self.meter.calls
        values["heartbeat_at"] = self.run.heartbeat_at = timezone.now()
        FlowRun.objects.filter(pk=self.run.pk).update(**values)

    # --- records ---------------------------------------------------------------------------

    @contextmanager
    def record(
        self,
        record_type: str,
        record_id: str | int,
        *,
        payload: Any = None,
        resolved_message: str = "",
        resolved_params: Mapping[str, Any] | None = None,
    ) -> Iterator[None]:
        """Handle one record: a `RecordError` (or a client error the type classifies as a
        failure) inside becomes the record's open error and the run goes on; success closes
        an open error of the record, if it had one. `seen` counts the record; count
        created/updated/skipped yourself."""
        self.count(seen=1)
        try:
            yield
        except RecordError as error:
            self.fail_record(
                record_type,
                record_id,
                error.code,
                error.message,
                error.params,
                detail=error.detail,
                payload=error.payload if error.payload is not None else payload,
            )
            return
        except Exception as error:
            classified = self.spec.classify_error(error)
            if not isinstance(classified, Failure):
                raise
            self.fail_record(
                record_type,
                record_id,
                classified.code,
                classified.message,
                classified.params,
                detail=classified.detail,
                payload=payload,
            )
            return
        self.resolve_record(record_type, record_id, resolved_message, resolved_params)

    def fail_record(
        self,
        record_type: str,
        record_id: str | int,
        code: str,
        message: str,
        params: Mapping[str, Any] | None = None,
        *,
        detail: str = "",
        payload: Any = None,
    ) -> IntegrationError:
        from integrations.services.errors import error_record

        error, _ = error_record(
            integration=self.integration,
            flow_key=self.run.flow_key,
            record_type=record_type,
            record_id=str(record_id),
            code=code,
            message=message,
            params=params,
            detail=detail,
            payload=payload,
            run=self.run,
        )
        self.count(failed=1)
        self.log(message, level="error", **dict(params or {}))
        return error

    def resolve_record(
        self,
        record_type: str,
        record_id: str | int,
        message: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        from integrations.services.errors import error_resolve

        error_resolve(
            integration=self.integration,
            flow_key=self.run.flow_key,
            record_type=record_type,
            record_id=str(record_id),
            message=message,
            params=params,
        )

    # --- events ----------------------------------------------------------------------------

    def pending_events(self, event_type: str, *, include_failed: bool = True):
        """Received events of `event_type` not done yet, oldest first, each claimed for this
        run before it is yielded (a concurrent run or *Retraiter* skips it). Call
        `event_done()` or `event_failed()` for each; a claim left open is released when the
        loop ends."""
        from integrations.selectors.events import events_to_process
        from integrations.services.events import event_claim, event_release

        for event in events_to_process(
            self.integration, event_type, include_failed=include_failed
        ).iterator(chunk_size=200):
            if not event_claim(event):
                continue
            try:
                yield event
            finally:
                if event.claimed_at is not None and not event.done and not event.failed:
                    event_release(event)

    def event_done(
        self,
        event: IntegrationEvent,
        *,
        message: str = "",
        params: Mapping[str, Any] | None = None,
        links: list[Mapping[str, Any]] | tuple = (),
    ) -> None:
        from integrations.services.events import event_done

        event_done(event, message=message, params=params, links=links)
        event.claimed_at = None

    def event_failed(
        self, event: IntegrationEvent, *, message: str, params: Mapping[str, Any] | None = None
    ) -> None:
        from integrations.services.events import event_failed

        event_failed(event, message=message, params=params)
        event.claimed_at = None
