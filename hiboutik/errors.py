"""The errors the Hiboutik client raises.

Callers branch on the class, never on the status code: the flows treat
:class:`HiboutikThrottled` as "try again later", :class:`HiboutikQuotaExhausted` as "stop every
non-essential call until the month ends", :class:`HiboutikValidationError` as a record-level
failure for the Erreurs tab, and so on. Messages never carry credentials: only the method, the
path below the base URL and what Hiboutik said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class HiboutikError(Exception):
    """Root of the family; also raised as-is for statuses with no better class (e.g. 406)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        error: str | None = None,
        details: Any = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error = error
        self.details = details
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        status = f" (HTTP {self.status})" if self.status is not None else ""
        details = f" details={self.details!r}" if self.details not in (None, "", [], {}) else ""
        return f"{where}{self.message}{status}{details}"


class HiboutikAuthError(HiboutikError):
    """401/403, or an error body with ``code`` 1: wrong credentials, revoked key, missing rights."""


class HiboutikNotFound(HiboutikError):
    """404: unknown id or route (and, for Hiboutik, some validation failures such as an
    undefined payment type; ``details`` says which)."""


class HiboutikValidationError(HiboutikError):
    """422 (or 400): Hiboutik understood the request and refused it; ``details`` maps field
    names to messages."""

    def names_field(self, *names: str) -> bool:
        """Whether the refusal is about one of these fields (e.g. a stock order line's
        ``quantity``: the account refuses negative quantities)."""
        details = self.details if isinstance(self.details, Mapping) else {}
        return bool(set(names) & set(details))


class HiboutikQuotaExhausted(HiboutikError):
    """The account's monthly call quota is spent: either the call ledger refused the call
    before any HTTP was made (``status`` is then ``None``), or Hiboutik kept answering 429
    while the account was quiet (``status`` 429; see :mod:`hiboutik.throttling`). Never
    retried: more calls cannot succeed before the month ends."""


class HiboutikThrottled(HiboutikError):
    """A transient refusal or failure: a 429, a 503, a timeout, a dropped connection, or 5xx
    answers repeated after a retry. The client retries these on reads and PUT/DELETE for a few
    seconds at most; when waiting longer would be needed (a long ``Retry-After``, retries
    spent, or a create, which is never re-sent) it raises this so the task queue retries the
    whole step later: ``retry_after`` is the delay the server asked for, in seconds, when it
    gave one (``None`` lets the caller choose its own backoff)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class HiboutikServerError(HiboutikError):
    """500 and other 5xx except 503: a fault on Hiboutik's side that is usually not transient."""


class HiboutikPayloadError(HiboutikError):
    """Hiboutik answered with something the client cannot read: a non-JSON body, a missing id,
    an amount that is not a number. Raised by the mappers as well as the client."""


class HiboutikTimeZoneUnknown(HiboutikError):
    """A store's time zone is needed but Hiboutik did not give it: the caller must take it
    from its configuration, never guess it."""

    def __init__(self, message: str, *, store_id: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.store_id = store_id


class HiboutikPaginationError(HiboutikPayloadError):
    """A list did not end within the client's page cap (``max_pages``): the server kept sending
    full, different pages, or announced more rows than the cap allows. Raised instead of
    reading on, since every page costs a call of the month's quota."""
