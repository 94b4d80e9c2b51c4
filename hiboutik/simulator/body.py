"""Request bodies: Hiboutik accepts form-encoded, JSON and multipart bodies alike
(hiboutik-api.md §1.3); all three end up as one flat ``fields`` dict plus uploaded files."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from hiboutik.simulator.errors import CODE_INVALID, ApiError
from hiboutik.simulator.http_types import UploadedFile


def bad_body(description: str) -> ApiError:
    return ApiError(422, "invalid_data", CODE_INVALID, description, {"body": description})


def parse_body(
    content_type: str | None, raw: bytes
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    if not raw.strip():
        return {}, {}
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "application/json":
        return _json(raw), {}
    if media_type in ("application/x-www-form-urlencoded", ""):
        return _form(raw), {}
    if media_type == "multipart/form-data":
        return _multipart(content_type or "", raw)
    raise bad_body(f"unsupported content type {media_type!r}: send JSON, form or multipart")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_body(f"malformed JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise bad_body("the JSON body must be an object")
    return data


def _form(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad_body(f"malformed form body: {exc}") from None
    return dict(pairs)


def _multipart(content_type: str, raw: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    if "boundary=" not in content_type:
        raise bad_body("multipart body without a boundary")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        raise bad_body("malformed multipart body")
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            # "" when the part declares no type (requests omits it unless told).
            declared = part.get_content_type() if part.get("content-type") else ""
            files[str(name)] = UploadedFile(filename=filename, content_type=declared, data=data)
        else:
            fields[str(name)] = data.decode("utf-8", errors="replace")
    return fields, files
