"""What *Tester la connexion* found: the type's `test_connection(integration)` returns one
:class:`ConnectionReport`, shown by the Configuration tab in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from integrations.text import render_message


class ConnectionStatus:
    OK = "ok"
    INCOMPLETE = "incomplete"  # settings missing: nothing was called
    CREDENTIALS_REFUSED = "credentials_refused"
    MISSING_RIGHTS = "missing_rights"
    QUOTA_BLOCKED = "quota_blocked"  # the month's calls are spent: nothing was called
    UNREACHABLE = "unreachable"
    FAILED = "failed"  # the other side answered something else


@dataclass(frozen=True)
class ReportLine:
    """One more fact (untranslated message id and parameters), e.g. the stores found."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    level: str = "info"  # or "warning"

    def text(self) -> str:
        return render_message(self.message, self.params)


@dataclass(frozen=True)
class ConnectionReport:
    status: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[ReportLine, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == ConnectionStatus.OK

    @property
    def level(self) -> str:
        if self.ok:
            return "success"
        if self.status in (ConnectionStatus.INCOMPLETE, ConnectionStatus.QUOTA_BLOCKED):
            return "warning"
        return "error"

    def text(self) -> str:
        return render_message(self.message, self.params)
