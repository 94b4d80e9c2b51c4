"""The HTTP side of the Hiboutik client: authentication, timeouts, the call ledger, the
per-account concurrency gate, retries and pagination. :class:`~hiboutik.client.HiboutikClient`
adds the typed routes on top; nothing here knows what a product or a sale is.

What every call goes through:

- **Quota accounting.** Before each HTTP attempt (retries included) the
  :class:`~hiboutik.ledger.CallLedger` is asked to consume one call, atomically: when it
  refuses (quota spent, or only ``essential`` calls allowed now) :class:`HiboutikQuotaExhausted`
  is raised without any HTTP.
- **Explicit retries, a few seconds at most.** Each call names its
  :class:`~hiboutik.retry.Retry` policy: reads and PUT/DELETE are retried on throttling with
  backoff and jitter, honouring ``Retry-After``; creates are never re-sent. One call waits at
  most ``max_throttle_wait`` seconds in all (10 by default): a longer ``Retry-After``, retries
  spent, or 5xx answers repeated after a retry raise
  :class:`~hiboutik.errors.HiboutikThrottled` so that the task queue retries the step later
  with its own countdown, and no worker sleeps for minutes.
- **The month's quota decided from evidence, not words.** Every 429 is throttling; the month is
  spent when the ledger says so, or after repeated 429s on a quiet account
  (:mod:`hiboutik.throttling`), which marks the ledger exhausted.
- **A concurrency cap per account**: by default shared by all clients of the same ledger key
  in the process (:mod:`hiboutik.concurrency`); a ``gate`` given to the constructor can hold
  it across processes. A slot is held for one attempt (its ledger entry, then its HTTP
  request), never during a backoff sleep: a call is counted only once it holds a slot and is
  sent at once, so a worker killed while its calls wait for a slot leaves none counted unsent.
- **Pagination that always ends** (:mod:`hiboutik.pagination`): a repeated or short page ends
  a list and ``max_pages`` caps it; when the first page announces the total, the other pages
  are fetched concurrently within the account's cap and yielded in order.
- **Independent calls in parallel** (:meth:`HiboutikTransport.concurrently`): calls that do not
  depend on each other (the lines of a stock order) go out as many at once as the account's cap
  allows, each in the caller's context, their outcomes handed back in order.
- **Success is any 2xx**: Hiboutik answers 200 or 201 to creates and 200 or an empty body to
  updates; a PUT or DELETE answer that is not JSON is a success too. A 3xx is an error and is
  never followed, so credentials stay on the account's host.
- **No secrets in logs.** Only the method, the path below the base URL, the status and the
  timing are logged; the API key, the token and the ``Authorization`` header never are.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, wait
from typing import Any, Self, TypeVar

import requests
from requests.adapters import HTTPAdapter

from hiboutik.concurrency import (
    DEFAULT_CONCURRENCY,
    HIBOUTIK_MAX_CONCURRENCY,
    ConcurrencyGate,
    gate_for,
)
from hiboutik.errors import (
    HiboutikError,
    HiboutikNotFound,
    HiboutikPaginationError,
    HiboutikPayloadError,
    HiboutikQuotaExhausted,
    HiboutikServerError,
    HiboutikThrottled,
)
from hiboutik.ledger import CallLedger, InMemoryCallLedger
from hiboutik.pagination import PageHeaders, next_page, planned_pages, read_page_headers
from hiboutik.responses import decode_json, error_from_response
from hiboutik.retry import Retry, backoff_delay, parse_retry_after
from hiboutik.throttling import ACTIVITY
from hiboutik.types import PAGE_SIZE
from hiboutik.workers import CallerContextPool

log = logging.getLogger("hiboutik.client")

T = TypeVar("T")
R = TypeVar("R")

USER_AGENT = "Connect-Hiboutik/1.0"

# 1,000 pages are 250,000 rows, far beyond a shop's catalogue or stock list, and a tenth of a
# month's 10,000 calls: a list that long is a server that ignores the page number.
DEFAULT_MAX_PAGES = 1_000

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
    names the in-process concurrency gate shared with other clients of the account, unless a
    ``gate`` is given (one that holds across processes, for instance). ``timeout`` is
    ``(connect, read)`` in seconds and applies to every call. Retries: at most ``max_retries``
    per call on throttling, ``max_server_error_retries`` on a 500 to a GET; delays follow
    ``backoff_base``/``backoff_cap`` with full jitter or the server's ``Retry-After``, and all
    the waits of one call add up to ``max_throttle_wait`` seconds at most (a longer wait is
    raised at once, for the task queue to reschedule). A list stops after ``max_pages``
    pages. Calls that go out side by side run in worker threads, in the caller's context;
    ``worker_exit`` runs in each worker as it ends (to release what the ledger holds per
    thread). ``sleep`` and ``rng`` are injectable for tests.
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
        gate: ConcurrencyGate | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 5,
        max_server_error_retries: int = 1,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_throttle_wait: float = 10.0,
        page_size: int = PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
        worker_exit: Callable[[], None] | None = None,
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
        if backoff_base < 0 or backoff_cap < 0 or max_throttle_wait < 0:
            raise ValueError("backoff delays must be zero or more")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if page_size < 1 or max_pages < 1:
            raise ValueError(f"page_size and max_pages must be at least 1, got {page_size}")

        self.base_url = base_url.rstrip("/")
        self.ledger: CallLedger = ledger if ledger is not None else InMemoryCallLedger()
        self.ledger_key = ledger_key or self.base_url
        self.max_concurrency = min(max_concurrency, HIBOUTIK_MAX_CONCURRENCY)
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.max_retries = max_retries
        self.max_server_error_retries = max_server_error_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_throttle_wait = max_throttle_wait
        self.page_size = page_size
        self.max_pages = max_pages
        self._worker_exit = worker_exit
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._gate = gate if gate is not None else gate_for(self.ledger_key, self.max_concurrency)

        self._session = session or _session_for(self.base_url)
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
        """Rows of every page of ``path``, in order. A 404 past the first page ends the list;
        on the first page it means "no match" for searches (``empty_on_404``) and is raised
        otherwise (an unknown warehouse or store). When the first page announces the total,
        the other pages are fetched concurrently within the account's cap."""
        first = self._read_page(path, params, 1, essential=essential, missing_ok=empty_on_404)
        if first is None:
            return
        found, headers = first
        yield from found
        pages = planned_pages(len(found), headers)
        if pages is not None and pages > 1 and self.max_concurrency > 1:
            if pages > self.max_pages:
                raise self._page_cap_error(path, f"its first page announces {headers.total} rows")
            yield from self._later_pages_concurrently(path, params, found, pages, essential)
        else:
            yield from self._later_pages_in_turn(path, params, found, headers, essential)

    def _read_page(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        page: int,
        *,
        essential: bool,
        missing_ok: bool,
    ) -> tuple[list[Any], PageHeaders] | None:
        """One page's rows and headers; ``None`` for a 404 when ``missing_ok``."""
        response = self._fetch_page(path, params, page, essential=essential, missing_ok=missing_ok)
        return None if response is None else self._page_rows(response, path)

    def _fetch_page(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        page: int,
        *,
        essential: bool,
        missing_ok: bool,
    ) -> requests.Response | None:
        """One page's answer, not decoded yet; ``None`` for a 404 when ``missing_ok``."""
        try:
            return self._request(
                "GET",
                path,
                params={**(params or {}), "p": page},
                retry=Retry.READ,
                essential=essential,
            )
        except HiboutikNotFound:
            if missing_ok:
                return None
            raise

    def _page_rows(self, response: requests.Response, path: str) -> tuple[list[Any], PageHeaders]:
        return rows(self._decode(response, path), path), read_page_headers(response.headers)

    def _later_pages_in_turn(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        found: list[Any],
        headers: PageHeaders,
        essential: bool,
    ) -> Iterator[Any]:
        page, seen, repeated = 1, len(found), False
        while True:
            following = next_page(
                page, len(found), seen, headers, self.page_size, repeated=repeated
            )
            if following is None:
                return
            if following > self.max_pages:
                raise self._page_cap_error(path, f"{seen} rows were read")
            result = self._read_page(path, params, following, essential=essential, missing_ok=True)
            if result is None:
                return
            previous = found
            found, headers = result
            page = following
            repeated = bool(found) and found == previous
            if repeated:
                log.info("Hiboutik %s page %d repeats page %d: the list ends", path, page, page - 1)
                continue
            seen += len(found)
            yield from found

    def _later_pages_concurrently(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        first: list[Any],
        pages: int,
        essential: bool,
    ) -> Iterator[Any]:
        """Pages 2..``pages``, fetched by a pool as wide as the account's cap (the gate still
        bounds what is in flight across every client of the account), a bounded window ahead
        of the page being yielded, so a consumer that stops early wastes few calls. The
        guards of the sequential walk still apply: an empty or repeated page ends the list.

        The workers only fetch; each page is decoded here, as it is yielded: a worker that
        decoded would hold its next call back by as long, and the interpreter is shared
        anyway."""
        self._widen_connection_pool()
        window = 2 * self.max_concurrency
        pool = self._pool("hiboutik-page")
        pending: dict[int, Future[requests.Response | None]] = {}
        submitted = 1
        previous = first
        try:
            for page in range(2, pages + 1):
                while submitted < pages and submitted < page + window:
                    submitted += 1
                    # In the caller's context: whatever it attributes calls by (the run a
                    # flow's calls are counted in) applies to the pages read for it too.
                    pending[submitted] = pool.submit(
                        self._fetch_page,
                        path,
                        params,
                        submitted,
                        essential=essential,
                        missing_ok=True,
                    )
                response = pending.pop(page).result()
                if response is None:
                    return
                found, _headers = self._page_rows(response, path)
                if not found or found == previous:
                    return
                previous = found
                yield from found
        finally:
            for future in pending.values():
                future.cancel()
            pool.close()

    def concurrently(
        self,
        call: Callable[[T], R],
        items: Iterable[T],
        *,
        stop: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[T, Future[R] | None]]:
        """``call(item)`` for every item, as many at once as the account's cap allows (the
        gate still bounds what is in flight across every client of the account), each in the
        caller's context: whatever it attributes calls by (the run a flow's calls are counted
        in) applies to them too. Yields ``(item, outcome)`` in the items' order, ``outcome``
        a finished future (``.result()`` returns ``call``'s value or raises its error).

        ``call`` must make HTTP calls only: it runs in a worker thread. Once ``stop()`` is
        true (checked before each item is started and after each outcome is yielded), no
        other item is started: the calls already in flight finish and their outcomes are
        yielded, and the items never sent come back with ``None``. Leaving the loop early
        waits for the calls in flight and drops their outcomes. A single item is called on
        the caller's thread."""
        pending = list(items)
        upcoming = iter(pending)
        if self.max_concurrency == 1 or len(pending) < 2:
            yield from self._one_by_one(call, upcoming, stop)
            return
        self._widen_connection_pool()
        window = 2 * self.max_concurrency
        pool = self._pool("hiboutik-call")
        queued: deque[tuple[T, Future[R] | None]] = deque()
        stopped = False
        try:
            while True:
                while not stopped and len(queued) < window:
                    item = next(upcoming, _END)
                    if item is _END:
                        break
                    if stop is not None and stop():
                        stopped = True
                        queued.append((item, None))
                        break
                    queued.append((item, pool.submit(call, item)))
                if not queued:
                    return
                item, future = queued.popleft()
                if future is not None:
                    wait([future])
                yield item, future
                if not stopped and stop is not None and stop():
                    stopped = True
                if stopped:
                    # Calls not started yet are never sent; those in flight are awaited.
                    queued = deque(
                        (queued_item, _uncancelled(queued_future))
                        for queued_item, queued_future in queued
                    )
                    queued.extend((rest, None) for rest in upcoming)
        finally:
            for _item, future in queued:
                if future is not None:
                    future.cancel()
            pool.close()

    @staticmethod
    def _one_by_one(
        call: Callable[[T], R], upcoming: Iterator[T], stop: Callable[[], bool] | None
    ) -> Iterator[tuple[T, Future[R] | None]]:
        for item in upcoming:
            if stop is not None and stop():
                yield item, None
                continue
            future: Future[R] = Future()
            try:
                future.set_result(call(item))
            except Exception as error:  # handed to the caller, as from a worker thread
                future.set_exception(error)
            yield item, future

    def _pool(self, name: str) -> CallerContextPool:
        """Workers in the caller's context, as many as the account's cap. More would not send
        more (the gate keeps what is in flight within the cap) but would wait on the gate:
        a slot freed goes to a waiting worker only once it wakes and takes the interpreter
        back, while a worker of a pool as wide as the cap goes on to its next call at once."""
        return CallerContextPool(self.max_concurrency, name=name, on_exit=self._worker_exit)

    def _widen_connection_pool(self) -> None:
        """requests keeps 10 connections per host; concurrent pages need one per slot."""
        adapter = self._session.get_adapter(self.base_url)
        if type(adapter) is HTTPAdapter and adapter._pool_maxsize < self.max_concurrency:
            self._session.mount(
                self.base_url, HTTPAdapter(pool_connections=1, pool_maxsize=self.max_concurrency)
            )

    def _page_cap_error(self, path: str, why: str) -> HiboutikPaginationError:
        return HiboutikPaginationError(
            f"the list does not end within {self.max_pages} pages ({why}); a server that "
            "ignores the page number p would send the same rows forever. Nothing more is "
            "read; raise max_pages if the list is really that long",
            method="GET",
            path=path,
        )

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
        if method in ("PUT", "DELETE"):
            # Their answer body is undocumented and nothing is read from it: a 2xx whose body
            # is not JSON ("OK", an HTML fragment) is still a success.
            try:
                return self._decode(response, path)
            except HiboutikPayloadError:
                log.debug(
                    "Hiboutik %s %s answered %d without JSON", method, path, response.status_code
                )
                return None
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
        """One logical call: as many HTTP attempts as ``retry`` and the wait budget allow, each
        one consumed from the ledger first, each one inside the account's concurrency gate."""
        url = self.base_url + path
        throttle_retries = server_error_retries = 0
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            outcome = self._attempt(method, url, path, params, data, files, attempt, essential)
            if isinstance(outcome, requests.Response):
                return outcome
            error = outcome
            if isinstance(error, HiboutikQuotaExhausted):
                self.ledger.mark_exhausted(self.ledger_key)
                raise error
            delay = self._retry_delay(error, retry, throttle_retries, server_error_retries)
            if delay is None:
                raise self._given_up(error, server_error_retries)
            if waited + delay > self.max_throttle_wait:
                raise self._deferred(error, delay, waited)
            if isinstance(error, HiboutikThrottled):
                throttle_retries += 1
            else:
                server_error_retries += 1
            log.warning(
                "Hiboutik %s %s failed (%s); retrying in %.2f s", method, path, error, delay
            )
            self._sleep(delay)
            waited += delay

    def _attempt(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        attempt: int,
        essential: bool,
    ) -> requests.Response | HiboutikError:
        """One HTTP attempt: the response when it succeeded, else the error to handle. The
        ledger counts it once it holds its slot, right before it is sent."""
        with self._gate.slot():
            if not self.ledger.try_consume(self.ledger_key, essential=essential):
                raise HiboutikQuotaExhausted(
                    "the call ledger refused the call (monthly quota spent, or kept for "
                    "essential calls); no request was sent",
                    method=method,
                    path=path,
                )
            started = time.monotonic()
            with ACTIVITY.calling(self.ledger_key) as call:
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
                streak = ACTIVITY.answered(self.ledger_key, response.status_code, call)
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
        if response.status_code == 429 and streak.month_spent:
            return HiboutikQuotaExhausted(
                f"Hiboutik answered 429 {streak.answers} times in a row over {streak.seconds:.0f} "
                "s while this account had no other call in flight: the month's call quota is "
                "taken as spent",
                status=429,
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
                return error.retry_after
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

    def _given_up(self, error: HiboutikError, server_error_retries: int) -> HiboutikError:
        """What to raise once retries are spent: a 5xx that came back after a retry is no
        longer a one-off, and the task queue should try the step again later."""
        if isinstance(error, HiboutikServerError) and server_error_retries > 0:
            throttled = HiboutikThrottled(
                f"{error.message} (again after {server_error_retries} retry)",
                status=error.status,
                code=error.code,
                error=error.error,
                details=error.details,
                method=error.method,
                path=error.path,
            )
            throttled.__cause__ = error
            return throttled
        return error

    def _deferred(self, error: HiboutikError, delay: float, waited: float) -> HiboutikError:
        """The next wait would exceed ``max_throttle_wait``: hand the wait to the task queue."""
        log.warning(
            "Hiboutik %s %s failed (%s); waiting %.2f s more would exceed %.0f s, deferred",
            error.method,
            error.path,
            error,
            delay,
            self.max_throttle_wait - waited,
        )
        if isinstance(error, HiboutikThrottled):
            return error
        return self._given_up(error, 1)


_END: Any = object()


def _session_for(base_url: str) -> requests.Session:
    """A session that reads the environment's proxy and CA bundle settings once, here, rather
    than on every call as requests does by default (a fifth of its own time on a page). It
    never falls back to ``~/.netrc`` either: a Bearer token is never replaced by a password."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


def _uncancelled(future: Future[R] | None) -> Future[R] | None:
    """``future`` when it is running or done; ``None`` when it was still queued (now
    cancelled, never to run)."""
    if future is None or future.cancel():
        return None
    return future


def rows(payload: Any, what: str) -> list[Any]:
    """A list answer; ``None`` or ``{}`` (an empty body) count as no rows."""
    if payload is None or payload == {}:
        return []
    if not isinstance(payload, list):
        raise HiboutikPayloadError(f"{what}: expected a list, got {type(payload).__name__}")
    return payload
