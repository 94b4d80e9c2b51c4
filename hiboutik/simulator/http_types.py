"""The request and response objects route handlers see, independent of the socket layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    fields: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    role: str = "admin"  # "admin" or "readonly"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # Raw bytes (e.g. an image download) are sent as-is with this content type.
    content_type: str = "application/json"
