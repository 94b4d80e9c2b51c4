"""The HTTP side of the Hiboutik client: authentication, timeouts, the call ledger, the
per-account concurrency gate, retries and pagination. :class:`~hiboutik.client.HiboutikClient`
adds the typed routes on top; nothing here knows what a product or a sale is.

What every call goes through:

- **Quota accounting.** Before each HTTP attempt (retries included) the
  :class:`~hiboutik.ledger.CallLedger` is asked whether the month's quota is spent — if so
  :class:`HiboutikQuotaExhausted` is raised without any HTTP, unless the call is ``essential``
  — and the attempt is recorded. A 429 "monthly quota reached" marks the ledger exhausted.
- **Explicit retries.** Each call names its :class:`~hiboutik.retry.Retry` policy: reads and
  PUT/DELETE are retried on throttling with backoff and jitter, honouring ``Retry-After``;
  creates are never re-sent.
- **A concurrency cap per account**, shared by all clients of the same ledger key in the
  process (:mod:`hiboutik.concurrency`). A slot is held for one HTTP attempt only, never
  during a backoff sleep.
- **Success is any 2xx**: Hiboutik answers 200 or 201 to creates and 200 or an empty body to
  updates. A 3xx is an error and is never followed, so credentials stay on the account's host.
- **No secrets in logs.** Only the method, the path below the base URL, the status and the
  timing are logged; the API key, the token and the ``Authorization`` header never are.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self

import requests

from hiboutik.concurrency import DEFAULT_CONCURRENCY, HIBOUTIK_MAX_CONCURRENCY, gate_for
from hiboutik.errors import (
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikQuotaExhausted,
    HiboutikServerError,
    HiboutikThrottled,
)
from hiboutik.ledger import CallLedger, InMemoryCallLedger
from hiboutik.pagination import next_page, read_page_headers
from hiboutik.responses import decode_json, error_from_response
from hiboutik.retry import Retry, backoff_delay, parse_retry_after
from hiboutik.types import PAGE_SIZE

log = logging.getLogger("hiboutik.client")

USER_AGENT = "Connect-Hiboutik/1.0"

# requests raises these when the connection drops or the server is too slow; all are
# transient from Hiboutik's point of view.
_TRANSIENT_EXCEPTIONS = (
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class HiboutikTransport:
    """Metered, throttled, retried HTTP to one Hiboutik account.

    ``base_url`` is the API root (``https://demo.hiboutik.com/api`` or the simulator's).
    Authenticate with ``user`` + ``api_key`` (HTTP Basic) or with an OAuth ``oauth_token``
    (Bearer). ``ledger`` counts calls under ``ledger_key`` (default: the base URL), which also
    names the concurrency gate shared with other clients of the account. ``timeout`` is
    ``(connect, read)`` in seconds and applies to every call. Retries: at most ``max_retries``
    per call on throttling, ``max_server_error_retries`` on a 500 to a GET; delays follow
    ``backoff_base``/``backoff_cap`` with full jitter, and a ``Retry-After`` up to
    ``max_retry_after`` seconds is obeyed (a longer one is raised at once, for the task queue
    to reschedule). ``sleep`` and ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        base_url: str,
        user: str | None = None,
        api_key: str | None = None,
        oauth_token: str | None = None,
        ledger: CallLedger | None = None,
        ledger_key: str | None = None,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 5,
        max_server_error_retries: int = 1,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_retry_after: float = 120.0,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if (api_key is None) == (oauth_token is None):
            raise ValueError("give exactly one of api_key (with user) or oauth_token")
        if api_key is not None and not user:
            raise ValueError("api_key authentication needs the user's login email as user")
        if api_key == "" or oauth_token == "":
            raise ValueError("the API key or OAuth token is empty")
        if len(timeout) != 2 or min(timeout) <= 0:
            raise ValueError(f"timeout must be (connect, read) seconds > 0, got {timeout!r}")
        if max_retries < 0 or max_server_error_retries < 0:
            raise ValueError("retry counts must be zero or more")
        if backoff_base < 0 or backoff_cap < 0 or max_retry_after < 0:
            raise ValueError("backoff delays must be zero or more")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")

        self.base_url = base_url.rstrip("/")
        self.ledger: CallLedger = ledger if ledger is not None else InMemoryCallLedger()
        self.ledger_key = ledger_key or self.base_url
        self.max_concurrency = min(max_concurrency, HIBOUTIK_MAX_CONCURRENCY)
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.max_retries = max_retries
        self.max_server_error_retries = max_server_error_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.page_size = page_size
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._gate = gate_for(self.ledger_key, self.max_concurrency)

        self._session = session or requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        if oauth_token is not None:
            self._session.auth = None
            self._session.headers["Authorization"] = f"Bearer {oauth_token}"
        else:
            self._session.auth = (user or "", api_key or "")
        self.user = user

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url} user={self.user!r}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        empty_on_404: bool = False,
        essential: bool,
    ) -> Any:
        try:
            return self._send("GET", path, params=params, retry=Retry.READ, essential=essential)
        except HiboutikNotFound:
            if empty_on_404:
                return []
            raise

    def _get_list(self, path: str, essential: bool) -> list[Any]:
        return rows(self._get(path, essential=essential), path)

    def _paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        empty_on_404: bool = False,
        essential: bool,
    ) -> Iterator[Any]:
        """Rows of every page of ``path``. A 404 past the first page ends the list; on the
        first page it means "no match" for searches (``empty_on_404``) and is raised
        otherwise (an unknown warehouse or store)."""
        page, seen = 1, 0
        while True:
            try:
                response = self._request(
                    "GET",
                    path,
                    params={**(params or {}), "p": page},
                    retry=Retry.READ,
                    essential=essential,
                )
            except HiboutikNotFound:
                if page > 1 or empty_on_404:
                    return
                raise
            found = rows(self._decode(response, path), path)
            seen += len(found)
            yield from found
            following = next_page(
                page, len(found), seen, read_page_headers(response.headers), self.page_size
            )
            if following is None:
                return
            page = following

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        retry: Retry = Retry.NEVER,
        essential: bool,
    ) -> Any:
        response = self._request(
            method, path, params=params, data=data, files=files, retry=retry, essential=essential
        )
        return self._decode(response, path)

    def _decode(self, response: requests.Response, path: str) -> Any:
        return decode_json(
            response.content,
            method=response.request.method or "",
            path=path,
            status=response.status_code,
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        retry: Retry,
        essential: bool,
    ) -> requests.Response:
        """One logical call: as many HTTP attempts as ``retry`` allows, each one checked
        against and recorded in the ledger, each one inside the account's concurrency gate."""
        url = self.base_url + path
        throttle_retries = server_error_retries = 0
        attempt = 0
        while True:
            attempt += 1
            if self.ledger.is_exhausted(self.ledger_key, essential=essential):
                raise HiboutikQuotaExhausted(
                    "monthly Hiboutik call quota is spent according to the call ledger; "
                    "no request was sent",
                    method=method,
                    path=path,
                )
            outcome = self._attempt(method, url, path, params, data, files, attempt)
            if isinstance(outcome, requests.Response):
                return outcome
            error = outcome
            if isinstance(error, HiboutikQuotaExhausted):
                self.ledger.mark_exhausted(self.ledger_key)
                raise error
            delay = self._retry_delay(error, retry, throttle_retries, server_error_retries)
            if delay is None:
                raise error
            if isinstance(error, HiboutikThrottled):
                throttle_retries += 1
            else:
                server_error_retries += 1
            log.warning(
                "Hiboutik %s %s failed (%s); retrying in %.2f s", method, path, error, delay
            )
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        attempt: int,
    ) -> requests.Response | HiboutikError:
        """One HTTP attempt: the response when it succeeded, else the error to handle."""
        with self._gate.slot():
            self.ledger.record(self.ledger_key)
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    files=files,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except _TRANSIENT_EXCEPTIONS as exc:
                log.debug(
                    "Hiboutik %s %s attempt %d: %s", method, path, attempt, type(exc).__name__
                )
                return HiboutikThrottled(
                    f"{type(exc).__name__}: no usable answer from Hiboutik",
                    method=method,
                    path=path,
                )
            except requests.exceptions.RequestException as exc:
                return HiboutikError(
                    f"request failed: {type(exc).__name__}", method=method, path=path
                )
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "Hiboutik %s %s attempt %d -> %d in %.0f ms",
            method,
            path,
            attempt,
            response.status_code,
            elapsed_ms,
        )
        if response.status_code < 300:
            return response
        if response.status_code < 400:
            # Never followed: the Authorization header must not travel to a host a response
            # names, and Hiboutik's API has no reason to redirect.
            return HiboutikError(
                f"unexpected redirect to {response.headers.get('Location', '?')!r}",
                status=response.status_code,
                method=method,
                path=path,
            )
        return error_from_response(
            response.status_code,
            response.content,
            method=method,
            path=path,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _retry_delay(
        self,
        error: HiboutikError,
        retry: Retry,
        throttle_retries: int,
        server_error_retries: int,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up and raise."""
        if retry is Retry.NEVER:
            return None
        if isinstance(error, HiboutikThrottled):
            if throttle_retries >= self.max_retries:
                return None
            if error.retry_after is not None:
                return error.retry_after if error.retry_after <= self.max_retry_after else None
            return backoff_delay(
                throttle_retries, base=self.backoff_base, cap=self.backoff_cap, rng=self._rng
            )
        if isinstance(error, HiboutikServerError) and retry is Retry.READ:
            if server_error_retries >= self.max_server_error_retries:
                return None
            return backoff_delay(
                server_error_retries, base=self.backoff_base, cap=self.backoff_cap, rng=self._rng
            )
        return None


def rows(payload: Any, what: str) -> list[Any]:
    """A list answer; ``None`` or ``{}`` (an empty body) count as no rows."""
    if payload is None or payload == {}:
        return []
    if not isinstance(payload, list):
        raise HiboutikPayloadError(f"{what}: expected a list, got {type(payload).__name__}")
    return payload
