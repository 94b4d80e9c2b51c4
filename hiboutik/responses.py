"""Turn an HTTP answer from Hiboutik into a decoded body or a typed error.

Hiboutik's error body is ``{"error", "code", "error_description", "details"}``; the status
decides the class, except that ``code`` 1 always means an authentication failure (an expired
OAuth token may come back with another status). A 429 is always throttling here: the monthly
quota and the 30-concurrent-calls limit share it, no real 429 body is known, and the words of
an answer are never trusted to tell them apart. Whether the month is spent is decided by the
transport from the call ledger and from repeated 429s on a quiet account
(:mod:`hiboutik.throttling`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikServerError,
    HiboutikThrottled,
    HiboutikValidationError,
)

AUTH_ERROR_CODE = 1


# Every byte of a body mapped to "0" for a digit and " " otherwise: a run of 19 zeros in the
# result is a run of 19 digits in the body.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19


def decode_json(content: bytes, *, method: str, path: str, status: int) -> Any:
    """The JSON body of a successful answer; an empty body (a bare 200 to a PUT) is ``None``.

    orjson decodes a page of products three to four times faster than the standard library,
    but reads an integer beyond 64 bits as a float: a body holding a run of 19 digits or more
    (any such integer has one) is left to the standard library, which keeps it exact, as is
    a body orjson refuses (a byte-order mark, ``NaN``, a lone surrogate)."""
    if _LONG_NUMBER not in content.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise HiboutikPayloadError(
            f"answer is not JSON: {content[:200]!r}", status=status, method=method, path=path
        ) from None


def error_from_response(
    status: int,
    content: bytes,
    *,
    method: str,
    path: str,
    retry_after: float | None = None,
) -> HiboutikError:
    """The exception for an answer with ``status >= 400``."""
    body = _error_body(content)
    code = _int_or_none(body.get("code"))
    error = body.get("error") if isinstance(body.get("error"), str) else None
    details = body.get("details")
    message = _description(body) or f"HTTP {status}"
    fields: dict[str, Any] = {
        "status": status,
        "code": code,
        "error": error,
        "details": details,
        "method": method,
        "path": path,
    }
    if status in (401, 403) or code == AUTH_ERROR_CODE:
        return HiboutikAuthError(message, **fields)
    if status == 404:
        return HiboutikNotFound(message, **fields)
    if status in (400, 422):
        return HiboutikValidationError(message, **fields)
    if status in (429, 503):
        return HiboutikThrottled(message, retry_after=retry_after, **fields)
    if status >= 500:
        return HiboutikServerError(message, **fields)
    return HiboutikError(message, **fields)


def _error_body(content: bytes) -> Mapping[str, Any]:
    try:
        body = json.loads(content) if content.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    return body if isinstance(body, Mapping) else {}


def _description(body: Mapping[str, Any]) -> str:
    # Hiboutik's own library reads error_description first, then details.error_description.
    description = body.get("error_description")
    details = body.get("details")
    if not description and isinstance(details, Mapping):
        description = details.get("error_description")
    if not description:
        description = body.get("error")
    return str(description) if description else ""


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
