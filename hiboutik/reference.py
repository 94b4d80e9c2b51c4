"""Hiboutik's stores, warehouses, taxes and payment types, for the Configuration tab's pick-lists.

Every call spends the account's monthly quota, so the lists are read once and kept in the shared
cache: for hours when Hiboutik answered, for minutes when it refused (wrong credentials, quota
spent, unreachable), so a page view never spends calls and a broken configuration is not
retried on every visit. The cache key is derived from the account, user, API key and store, so
changing any of them reads the lists again; *Recharger les listes* forces it.

When the lists are not available the form falls back to typed ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_noop

from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikError,
    HiboutikQuotaExhausted,
    HiboutikThrottled,
)
from integrations.concurrency import GateTimeout
from integrations.flows import FlowFailed
from integrations.models import Integration
from integrations.text import render_message

FRESH_SECONDS = 6 * 3600
FAILED_SECONDS = 10 * 60
# A page waits for Hiboutik a few seconds at most; a flow would wait longer.
INTERACTIVE_CLIENT = {"timeout": (3.0, 10.0), "max_retries": 1, "max_throttle_wait": 2.0}

PROBLEMS = {
    "credentials": gettext_noop(
        "Hiboutik refused the credentials or the user's rights: the lists cannot be read."
    ),
    "quota": gettext_noop("The monthly API quota does not allow reading the lists now."),
    "unreachable": gettext_noop("Hiboutik could not be reached: %(detail)s"),
    "error": gettext_noop("Hiboutik answered with an error: %(detail)s"),
}


@dataclass(frozen=True)
class ReferenceLists:
    """What Hiboutik listed, as (value, label) pairs; ``available`` is False when it could not
    be read (``problem`` says why) or the credentials are not filled in yet (no problem)."""

    available: bool
    stores: tuple[tuple[int, str], ...] = ()
    warehouses: tuple[tuple[int, str], ...] = ()
    taxes: tuple[tuple[Decimal, str], ...] = ()
    payment_types: tuple[tuple[str, str], ...] = ()
    fetched_at: str = ""
    problem: dict[str, Any] = field(default_factory=dict)

    def problem_text(self) -> str:
        if not self.problem:
            return ""
        return render_message(self.problem.get("message", ""), self.problem.get("params"))

    def to_cache(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "stores": [list(item) for item in self.stores],
            "warehouses": [list(item) for item in self.warehouses],
            "taxes": [[str(rate), label] for rate, label in self.taxes],
            "payment_types": [list(item) for item in self.payment_types],
            "fetched_at": self.fetched_at,
            "problem": self.problem,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> ReferenceLists:
        return cls(
            available=data["available"],
            stores=tuple((int(i), str(label)) for i, label in data["stores"]),
            warehouses=tuple((int(i), str(label)) for i, label in data["warehouses"]),
            taxes=tuple((Decimal(rate), str(label)) for rate, label in data["taxes"]),
            payment_types=tuple((str(code), str(label)) for code, label in data["payment_types"]),
            fetched_at=data.get("fetched_at", ""),
            problem=data.get("problem") or {},
        )


NOT_CONFIGURED = ReferenceLists(available=False)


def _config(integration: Integration | None) -> HiboutikConfig | None:
    if integration is None:
        return None
    try:
        return HiboutikConfig.parse(integration.config or {})
    except ConfigInvalid:
        return None


def cache_key(integration: Integration, config: HiboutikConfig) -> str:
    general = config.general
    fingerprint = salted_hmac(
        "hiboutik.reference",
        "|".join(
            [
                general.base_url,
                general.user,
                integration.secret("api_key"),
                str(config.order_import.hiboutik_store_id or ""),
            ]
        ),
    ).hexdigest()[:24]
    return f"hiboutik:reference:{integration.pk}:{fingerprint}"


def reference_lists(integration: Integration | None, *, refresh: bool = False) -> ReferenceLists:
    """The lists for `integration`'s saved settings: from the cache, else read from Hiboutik
    (four calls) and cached; `refresh` reads them again whatever the cache holds."""
    config = _config(integration)
    if (
        config is None
        or not config.general.account
        or not config.general.user
        or not integration.secret("api_key")
    ):
        return NOT_CONFIGURED
    key = cache_key(integration, config)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return ReferenceLists.from_cache(cached)
    lists = _read(integration, config)
    cache.set(key, lists.to_cache(), FRESH_SECONDS if lists.available else FAILED_SECONDS)
    return lists


def reference_forget(integration: Integration) -> None:
    """Forget what was read (or refused) for the integration's current settings."""
    config = _config(integration)
    if config is not None and integration.secret("api_key"):
        cache.delete(cache_key(integration, config))


def _read(integration: Integration, config: HiboutikConfig) -> ReferenceLists:
    from hiboutik.integration import make_client

    try:
        client = make_client(integration, **INTERACTIVE_CLIENT)
    except FlowFailed:
        return NOT_CONFIGURED
    try:
        stores = client.list_stores()
        warehouses = client.list_warehouses()
        taxes = client.list_taxes()
        store_id = config.order_import.hiboutik_store_id or next(
            (store.store_id for store in stores), None
        )
        payment_types = client.list_payment_types(store_id) if store_id else []
    except HiboutikAuthError:
        return _failed("credentials")
    except HiboutikQuotaExhausted:
        return _failed("quota")
    except (HiboutikThrottled, GateTimeout) as error:
        return _failed("unreachable", detail=str(error)[:200])
    except HiboutikError as error:
        return _failed("error", detail=str(error)[:200])
    finally:
        client.close()
    return ReferenceLists(
        available=True,
        stores=tuple((store.store_id, store.name) for store in stores),
        warehouses=tuple((wh.warehouse_id, wh.name) for wh in warehouses),
        taxes=tuple(
            (percent(tax.percent), tax.name or f"{percent(tax.percent)} %")
            for tax in taxes
            if tax.enabled
        ),
        payment_types=tuple(
            (payment.code, payment.label or payment.code)
            for payment in payment_types
            if payment.enabled
        ),
        fetched_at=timezone.now().isoformat(),
    )


def percent(value: Decimal) -> Decimal:
    """20.000 → 20, 5.500 → 5.5: the form compares and shows rates written the short way."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _failed(problem: str, **params: Any) -> ReferenceLists:
    return ReferenceLists(
        available=False,
        fetched_at=timezone.now().isoformat(),
        problem={"code": problem, "message": PROBLEMS[problem], "params": params},
    )
