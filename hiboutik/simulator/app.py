"""Turns a raw HTTP request into a response: the gate every ``/api`` call passes (quota
counting, concurrency cap, injected faults, authentication, rights) and the dispatch to the
route handlers. ``/_sim`` control calls skip the gate: they are the test bench, not Hiboutik."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from hiboutik.simulator.auth import READONLY, authenticate
from hiboutik.simulator.body import parse_body
from hiboutik.simulator.clock import using
from hiboutik.simulator.config import NEUTRAL_429_MESSAGE
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import (
    CODE_NOT_ACCEPTABLE,
    CODE_SERVER,
    ApiError,
    forbidden,
    not_found,
    quota_reached,
    too_many_concurrent,
)
from hiboutik.simulator.faults import Outcome, draw
from hiboutik.simulator.fields import UNKNOWN_FIELDS
from hiboutik.simulator.http_types import Request, Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.server import RawRequest, ResetConnection

if TYPE_CHECKING:
    from hiboutik.simulator.simulator import Simulator

logger = logging.getLogger("hiboutik.simulator")

API_PREFIX = "/api"
CONTROL_PREFIX = "/_sim"
# Read-only users may not manage webhooks at all (OP reads a 403 on /webhooks as "no rights").
ADMIN_ONLY_PREFIXES = ("/webhooks",)
_ERROR_NAMES = {500: "server_error", 503: "service_unavailable"}


class App:
    def __init__(self, sim: Simulator, api: Router, control: Router) -> None:
        self.sim = sim
        self.api = api
        self.control = control

    def __call__(self, raw: RawRequest) -> Response | type[ResetConnection]:
        # Every stamp, fiscal day and quota month of this request on this simulator's clock.
        with using(self.sim.clock):
            return self._dispatch(raw)

    def _dispatch(self, raw: RawRequest) -> Response | type[ResetConnection]:
        split = urlsplit(raw.target)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return self._api(raw, path[len(API_PREFIX) :] or "/", query)
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self._control(raw, path[len(CONTROL_PREFIX) :] or "/", query)
        return not_found(f"No route {path}: the API lives under {API_PREFIX}").to_response()

    # --- /api ---------------------------------------------------------------------------
    def _api(
        self, raw: RawRequest, path: str, query: dict[str, str]
    ) -> Response | type[ResetConnection]:
        matched = self.api.match(raw.method, path)
        route_name = matched[0].name if matched else f"{raw.method} (unknown route)"
        calls = self.sim.count_call(route_name)
        if not self.sim.enter_call():
            return too_many_concurrent(NEUTRAL_429_MESSAGE).to_response()
        try:
            faults = self.sim.faults
            outcome, slow = draw(faults, self.sim.rng)
            delay_ms = faults.latency_ms + (faults.slow_ms if slow else 0)
            if delay_ms:
                time.sleep(delay_ms / 1000)
            if outcome is Outcome.RESET:
                return ResetConnection
            if outcome is Outcome.ERROR:
                return _injected_error(faults.status, faults.retry_after)
            return self._api_checked(raw, path, query, matched, calls)
        except ApiError as exc:
            return exc.to_response()
        finally:
            self.sim.leave_call()

    def _api_checked(
        self,
        raw: RawRequest,
        path: str,
        query: dict[str, str],
        matched: Any,
        calls: int,
    ) -> Response:
        _check_accept(raw.headers.get("accept"))
        role = authenticate(self.sim.config, raw.headers.get("authorization"))
        if calls > self.sim.config.quota:
            raise quota_reached(self.sim.config.quota_message)
        if matched is None:
            raise not_found(f"Unknown route {raw.method} {path}", {"route": "unknown"})
        route, params = matched
        if role == READONLY and (
            raw.method != "GET" or route.pattern.startswith(ADMIN_ONLY_PREFIXES)
        ):
            raise forbidden()
        fields, files = parse_body(raw.headers.get("content-type"), raw.body)
        request = Request(raw.method, path, query, raw.headers, fields, files, role)
        token = UNKNOWN_FIELDS.set(self.sim.config.unknown_fields)
        try:
            return self._run(route, params, request)
        finally:
            UNKNOWN_FIELDS.reset(token)

    # --- /_sim --------------------------------------------------------------------------
    def _control(self, raw: RawRequest, path: str, query: dict[str, str]) -> Response:
        try:
            matched = self.control.match(raw.method, path)
            if matched is None:
                raise not_found(f"Unknown control route {raw.method} {CONTROL_PREFIX}{path}")
            route, params = matched
            fields, files = parse_body(raw.headers.get("content-type"), raw.body)
            request = Request(raw.method, path, query, raw.headers, fields, files)
            return self._run(route, params, request)
        except ApiError as exc:
            return exc.to_response()

    # --- both ---------------------------------------------------------------------------
    def _run(self, route: Any, params: dict[str, Any], request: Request) -> Response:
        ctx = Context(self.sim, request)
        try:
            if route.locked and request.method == "GET":
                with self.sim.lock.shared():
                    response = _as_response(route.handler(ctx, **params))
            elif route.locked:
                with self.sim.lock:
                    response = _as_response(route.handler(ctx, **params))
                    if response.status < 400:
                        self.sim.persist()
            else:
                response = _as_response(route.handler(ctx, **params))
        except ApiError:
            raise
        except Exception:
            logger.exception("simulator bug while serving %s %s", request.method, request.path)
            raise ApiError(
                500, "server_error", CODE_SERVER, "Internal error in the simulator"
            ) from None
        return response


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else Response(200, result)


def _check_accept(accept: str | None) -> None:
    """406 when the client refuses JSON (hiboutik-api.md §1.3)."""
    if not accept:
        return
    accepted = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if not any(a in ("*/*", "application/*", "application/json") for a in accepted):
        raise ApiError(
            406,
            "not_acceptable",
            CODE_NOT_ACCEPTABLE,
            "Responses are JSON: send Accept: application/json",
        )


def _injected_error(status: int, retry_after: int | None) -> Response:
    error = ApiError(
        status,
        _ERROR_NAMES[status],
        CODE_SERVER,
        "Service temporarily unavailable" if status == 503 else "Internal server error",
        headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
    )
    return error.to_response()
