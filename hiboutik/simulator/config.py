"""Everything a simulator run is configured with (CLI options and ``Simulator`` kwargs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# hiboutik-api.md §1.1: the account label Hiboutik accepts.
ACCOUNT_PATTERN = re.compile(r"^[a-z0-9_]+$")
# hiboutik-api.md §1.2: WOO only accepts keys of this shape.
API_KEY_PATTERN = re.compile(r"^[A-Za-z0-9]{1,64}$")

EMPTY_SEARCH_CHOICES = ("200", "404")
PAGE_PAST_END_CHOICES = ("200", "404")
PAGE_PARAM_CHOICES = ("honoured", "ignored")
SEARCH_MATCH_CHOICES = ("substring", "exact")
UNKNOWN_FIELDS_CHOICES = ("ignored", "rejected")
NEGATIVE_INVENTORY_CHOICES = ("accepted", "refused")
EXCHANGE_MODE_CHOICES = ("credit-note", "return-lines")
SEED_CHOICES = ("demo", "empty")

# No real 429 body is known (hiboutik-api.md §14): by default both 429s say only this.
NEUTRAL_429_MESSAGE = "Too Many Requests"

# hiboutik-api.md §3.3: 30 concurrent calls per account.
DEFAULT_MAX_CONCURRENT = 30


@dataclass(frozen=True)
class SimulatorConfig:
    account: str = "demo"
    user: str = "demo@connect.test"
    api_key: str = "DEMOKEY"
    readonly_user: str | None = "readonly@connect.test"
    readonly_key: str | None = "READONLYKEY"
    oauth_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    seed: str | None = "demo"
    quota: int = 10_000
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    latency_ms: int = 0
    state_path: Path | None = None
    empty_search: str = "200"
    page_past_end: str = "200"
    page_param: str = "honoured"
    quota_message: str = NEUTRAL_429_MESSAGE
    search_match: str = "substring"
    unknown_fields: str = "ignored"
    negative_inventory: str = "accepted"
    exchange_mode: str = "credit-note"
    webhook_timeout: float = 10.0

    def __post_init__(self) -> None:
        problems = []
        if not ACCOUNT_PATTERN.match(self.account):
            problems.append(f"account {self.account!r} must match [a-z0-9_]+")
        if "@" not in self.user:
            problems.append(f"user {self.user!r} must be an email address")
        if not API_KEY_PATTERN.match(self.api_key):
            problems.append("api_key must be 1 to 64 letters or digits")
        if (self.readonly_user is None) != (self.readonly_key is None):
            problems.append("readonly_user and readonly_key go together")
        if self.readonly_key is not None and not API_KEY_PATTERN.match(self.readonly_key):
            problems.append("readonly_key must be 1 to 64 letters or digits")
        if self.readonly_user is not None and self.readonly_user == self.user:
            problems.append("readonly_user must differ from user")
        if not 0 <= self.port <= 65535:
            problems.append(f"port {self.port} out of range")
        if self.seed is not None and self.seed not in SEED_CHOICES:
            problems.append(f"seed must be one of {', '.join(SEED_CHOICES)} or None")
        if self.quota < 0:
            problems.append("quota must be >= 0")
        if self.max_concurrent < 1:
            problems.append("max_concurrent must be >= 1")
        if self.latency_ms < 0:
            problems.append("latency_ms must be >= 0")
        if self.empty_search not in EMPTY_SEARCH_CHOICES:
            problems.append(f"empty_search must be one of {EMPTY_SEARCH_CHOICES}")
        if self.page_past_end not in PAGE_PAST_END_CHOICES:
            problems.append(f"page_past_end must be one of {PAGE_PAST_END_CHOICES}")
        if self.page_param not in PAGE_PARAM_CHOICES:
            problems.append(f"page_param must be one of {PAGE_PARAM_CHOICES}")
        if self.exchange_mode not in EXCHANGE_MODE_CHOICES:
            problems.append(f"exchange_mode must be one of {EXCHANGE_MODE_CHOICES}")
        if self.negative_inventory not in NEGATIVE_INVENTORY_CHOICES:
            problems.append(f"negative_inventory must be one of {NEGATIVE_INVENTORY_CHOICES}")
        if self.unknown_fields not in UNKNOWN_FIELDS_CHOICES:
            problems.append(f"unknown_fields must be one of {UNKNOWN_FIELDS_CHOICES}")
        if self.search_match not in SEARCH_MATCH_CHOICES:
            problems.append(f"search_match must be one of {SEARCH_MATCH_CHOICES}")
        if not self.quota_message.strip():
            problems.append("quota_message must not be empty")
        if self.webhook_timeout <= 0:
            problems.append("webhook_timeout must be > 0")
        if problems:
            raise ValueError("invalid simulator configuration: " + "; ".join(problems))
