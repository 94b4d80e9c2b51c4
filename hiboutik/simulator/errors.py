"""Hiboutik's error body (hiboutik-api.md §3.2) and the few kinds of error the fake raises."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator.http_types import Response

# Error codes: 1 is documented for authentication (§1.2); 5 and 6 were measured for "not
# found" and "invalid data" (§3.2). The rest are the simulator's own choice, kept distinct so
# a client can tell the cases apart.
CODE_AUTH = 1
CODE_FORBIDDEN = 2
CODE_NOT_FOUND = 5
CODE_INVALID = 6
# One code for both 429s: no real 429 body is known, so nothing tells them apart by default.
CODE_TOO_MANY_REQUESTS = 7
CODE_SERVER = 9
CODE_NOT_ACCEPTABLE = 10


class ApiError(Exception):
    """Raised anywhere in a handler; the dispatcher turns it into the error response."""

    def __init__(
        self,
        status: int,
        error: str,
        code: int,
        description: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description
        self.details = {} if details is None else details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "code": self.code,
            "error_description": self.description,
            "details": self.details,
        }

    def to_response(self) -> Response:
        return Response(status=self.status, body=self.body(), headers=dict(self.headers))


def unauthorized(description: str = "Invalid credentials") -> ApiError:
    return ApiError(401, "unauthorized", CODE_AUTH, description)


def forbidden(description: str = "Your user does not have the rights for this action") -> ApiError:
    return ApiError(403, "forbidden", CODE_FORBIDDEN, description)


def not_found(description: str = "Resource not found", details: Any = None) -> ApiError:
    return ApiError(404, "not_found", CODE_NOT_FOUND, description, details)


def invalid(details: dict[str, str], description: str = "Invalid data") -> ApiError:
    """422: the request is well formed but some fields are wrong; ``details`` names them."""
    return ApiError(422, "invalid_data", CODE_INVALID, description, details)


def quota_reached(message: str) -> ApiError:
    """The month's quota is spent. The body says what ``--quota-message`` says: by default the
    same neutral words as the concurrency 429, since no real 429 body is known."""
    return ApiError(429, "too_many_requests", CODE_TOO_MANY_REQUESTS, message)


def too_many_concurrent(message: str) -> ApiError:
    """More calls in flight than the account allows."""
    return ApiError(429, "too_many_requests", CODE_TOO_MANY_REQUESTS, message)
