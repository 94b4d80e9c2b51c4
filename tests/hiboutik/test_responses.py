import json

import pytest

from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikServerError,
    HiboutikThrottled,
    HiboutikValidationError,
)
from hiboutik.responses import decode_json, error_from_response


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def classify(status: int, content: bytes, retry_after: float | None = None):
    return error_from_response(
        status, content, method="GET", path="/products/", retry_after=retry_after
    )


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (401, body(error="unauthorized", code=1, error_description="Bad"), HiboutikAuthError),
        (403, body(error="forbidden", code=2), HiboutikAuthError),
        (400, body(error="expired_token", code=1), HiboutikAuthError),
        (404, body(error="not_found", code=5), HiboutikNotFound),
        (422, body(error="invalid_data", code=6), HiboutikValidationError),
        (400, b"", HiboutikValidationError),
        (503, b"<html>down</html>", HiboutikThrottled),
        (500, body(error="internal"), HiboutikServerError),
        (502, b"", HiboutikServerError),
        (406, b"", HiboutikError),
    ],
)
def test_status_decides_the_class(status, content, cls):
    error = classify(status, content)
    assert type(error) is cls
    assert error.status == status


def test_validation_error_carries_details_and_the_description():
    error = classify(
        422,
        body(
            error="invalid_data",
            code=6,
            error_description="Invalid data",
            details={"product_price": "must be a number"},
        ),
    )
    assert error.details == {"product_price": "must be a number"}
    assert error.code == 6
    assert "Invalid data" in str(error)
    assert "GET /products/" in str(error)


def test_description_falls_back_to_details_then_error():
    assert classify(404, body(details={"error_description": "No sale"})).message == "No sale"
    assert classify(404, body(error="invalid_data", code=6)).message == "invalid_data"
    assert classify(404, b"").message == "HTTP 404"


@pytest.mark.parametrize(
    "content",
    [
        body(error="quota_exceeded", error_description="Monthly API call quota reached"),
        body(error="too_many_requests", error_description="Quota mensuel atteint"),
        body(error="too_many_requests", error_description="Too many concurrent requests"),
        body(error="rate_limited"),
        b"monthly quota reached",
        b"",
    ],
)
def test_every_429_is_throttling_whatever_its_words(content):
    # No real 429 body is known: whether the month is spent is the transport's decision,
    # from the ledger and repeated 429s, never from wording.
    error = classify(429, content, retry_after=2.0)
    assert type(error) is HiboutikThrottled
    assert error.retry_after == 2.0


def test_decode_json():
    assert decode_json(b"", method="PUT", path="/p", status=200) is None
    assert decode_json(b'[{"a": 1}]', method="GET", path="/p", status=200) == [{"a": 1}]
    with pytest.raises(HiboutikPayloadError, match="not JSON"):
        decode_json(b"<html>", method="GET", path="/p", status=200)


@pytest.mark.parametrize(
    "content",
    [
        '{"id": 123456789012345678901234567890}',  # beyond 64 bits
        '{"id": -9223372036854775809}',  # below 64 bits
        '{"id": 18446744073709551616}',
        "\ufeff" + '[{"a": 1}]',  # a byte-order mark, as some PHP scripts send
        '{"a": NaN}',
        '{"a": "\\ud800"}',  # a lone surrogate
    ],
)
def test_decode_json_reads_every_body_as_the_standard_library_does(content):
    body = content.encode("utf-8", "surrogatepass")
    decoded = decode_json(body, method="GET", path="/p", status=200)
    assert json.dumps(decoded) == json.dumps(json.loads(body))


def test_decode_json_keeps_numbers_and_text_as_sent():
    body = (
        b'[{"price": "6.01", "qty": 3, "rate": 0.1, "big": 18446744073709551615, "t": "\\u00e9"}]'
    )
    decoded = decode_json(body, method="GET", path="/p", status=200)
    assert decoded == [{"price": "6.01", "qty": 3, "rate": 0.1, "big": 2**64 - 1, "t": "é"}]
    assert type(decoded[0]["qty"]) is int
