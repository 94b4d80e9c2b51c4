"""The registry of integration types: what Connect knows how to connect to.

A type is one app beside `hiboutik/` that registers an :class:`IntegrationType` from its
`AppConfig.ready()`; nothing in `integrations/` names a particular type. A type declares:

- ``key`` (stored on each `Integration` row) and ``label``;
- ``parse_config``: the integration's JSON config → a typed, validated value (raises
  ``ValueError``, with the issues, when invalid); ``config_form``: dotted path of the Django
  form the Configuration tab shows;
- ``client_factory``: `Integration` → a client of the other system, metered by the database
  ledger and capped across processes (see `integrations.ledger`, `integrations.concurrency`);
- ``flows``: its `Flow` classes (key, label, recommended schedule, essential or not);
- ``parse_webhook``: a raw webhook request → the events it carries (`ReceivedEvent`), and
  ``webhook_answer``: what to answer the sender; ``register_webhook``: (integration, URL) →
  registers the URL with the other side;
- ``classify_error``: an exception a flow let through → transient (retry the task later),
  a failure an operator should read, or ``None`` (unexpected: the run errors);
- ``binding_scope``: (integration, object type) → the scope of its external id bindings;
- ``quota_account``: integration → (account key, monthly quota) its calls count against;
- ``test_connection``: integration → a `ConnectionReport` (*Tester la connexion*);
- ``tabs``: extra tabs of its integrations' pages (`integrations.tabs.IntegrationTab`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from integrations.connection import ConnectionReport
    from integrations.flows import Flow
    from integrations.models import Integration
    from integrations.tabs import IntegrationTab


@dataclass(frozen=True)
class ReceivedEvent:
    """One event a webhook delivery carries: its type (e.g. "sale"), the other side's id for
    it and the payload to keep."""

    type: str
    external_id: str
    payload: Mapping[str, Any]


class WebhookRejected(ValueError):
    """The body cannot be read as the type's webhook; `message` and `params` say why, for the
    Events tab (the raw body is kept)."""

    def __init__(self, code: str, message: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message % dict(params or {}) if params else message)
        self.code = code
        self.message = message
        self.params = dict(params or {})


@dataclass(frozen=True)
class Transient:
    """Try again later: the other side is busy or down. ``retry_after`` in seconds when it
    said how long to wait."""

    retry_after: float | None = None


@dataclass(frozen=True)
class Failure:
    """An expected failure of the whole run or record, to show as code + message + params;
    ``detail`` is what the other side said, raw."""

    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""


ErrorClass = Transient | Failure | None


@dataclass(frozen=True)
class IntegrationType:
    key: str
    label: str | Promise
    parse_config: Callable[[Mapping[str, Any]], Any]
    client_factory: Callable[[Integration], Any]
    flows: Sequence[type[Flow]] = ()
    config_form: str = ""
    parse_webhook: Callable[[HttpRequest, bytes], list[ReceivedEvent]] | None = None
    webhook_answer: Callable[[list[ReceivedEvent], WebhookRejected | None], HttpResponse] | None = (
        None
    )
    register_webhook: Callable[[Integration, str], Any] | None = None
    classify_error: Callable[[BaseException], ErrorClass] = lambda error: None
    binding_scope: Callable[[Integration, str], str] = lambda integration, object_type: (
        f"integration:{integration.pk}"
    )
    # (account key, monthly quota) the integration's calls count against; None: not metered.
    quota_account: Callable[[Integration], tuple[str, int] | None] = lambda integration: None
    test_connection: Callable[[Integration], ConnectionReport] | None = None
    tabs: Sequence[IntegrationTab] = ()

    def flow(self, key: str) -> type[Flow]:
        for flow in self.flows:
            if flow.key == key:
                return flow
        raise KeyError(f"integration type {self.key!r} has no flow {key!r}")

    def has_flow(self, key: str) -> bool:
        return any(flow.key == key for flow in self.flows)

    def config(self, integration: Integration) -> Any:
        return self.parse_config(integration.config or {})


_types: dict[str, IntegrationType] = {}


def register(spec: IntegrationType) -> IntegrationType:
    """Register (or replace, e.g. on reload) the type `spec.key`."""
    keys = [flow.key for flow in spec.flows]
    if len(keys) != len(set(keys)):
        raise ValueError(f"integration type {spec.key!r} declares a flow key twice: {keys}")
    _types[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    _types.pop(key, None)


def get_type(key: str) -> IntegrationType:
    try:
        return _types[key]
    except KeyError:
        raise KeyError(f"no integration type {key!r} is installed") from None


def find_type(key: str) -> IntegrationType | None:
    return _types.get(key)


def all_types() -> list[IntegrationType]:
    return sorted(_types.values(), key=lambda spec: spec.key)
