"""Webhook registrations (``/webhooks``)."""

from __future__ import annotations

from typing import Any

from hiboutik.mappers.values import optional, require, require_int, require_mapping, text
from hiboutik.types import Webhook


def webhook_from_payload(payload: Any) -> Webhook:
    row = require_mapping(payload, what="webhook")
    return Webhook(
        webhook_id=require_int(row, "webhook_id"),
        url=text(require(row, "webhook_url")),
        action=text(optional(row, "webhook_action")),
        label=text(optional(row, "webhook_label")),
        app_id=text(optional(row, "webhook_app_id_int")),
    )
