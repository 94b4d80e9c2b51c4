"""Maps ``METHOD /path`` to a handler. Patterns look like ``/products/{product_id:int}``;
trailing slashes are optional on every route, as on Hiboutik (hiboutik-api.md §1.1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

Handler = Callable[..., Any]

_PARAM = re.compile(r"\{(\w+)(?::(int))?\}")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]
    int_params: frozenset[str]
    # False for handlers that take the state lock themselves (to call out while unlocked).
    locked: bool = True

    @property
    def name(self) -> str:
        return f"{self.method} {self.pattern.replace(':int}', '}')}"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, locked: bool = True) -> None:
        int_params = set()

        def to_group(match: re.Match[str]) -> str:
            name, kind = match.group(1), match.group(2)
            if kind == "int":
                int_params.add(name)
                return rf"(?P<{name}>\d+)"
            return rf"(?P<{name}>[^/]+)"

        body = _PARAM.sub(to_group, re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}"))
        self.routes.append(
            Route(
                method=method,
                pattern=pattern,
                handler=handler,
                regex=re.compile(f"^{body}$"),
                int_params=frozenset(int_params),
                locked=locked,
            )
        )

    def match(self, method: str, path: str) -> tuple[Route, dict[str, Any]] | None:
        path = normalise(path)
        for route in self.routes:
            if route.method != method:
                continue
            found = route.regex.match(path)
            if found:
                params: dict[str, Any] = {}
                for key, raw in found.groupdict().items():
                    params[key] = int(raw) if key in route.int_params else unquote(raw)
                return route, params
        return None


def normalise(path: str) -> str:
    """Collapse duplicate slashes and drop the trailing one."""
    path = re.sub(r"/{2,}", "/", path)
    return path.rstrip("/") or "/"
