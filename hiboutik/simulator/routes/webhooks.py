"""Webhook registrations (hiboutik-api.md §11.1). Only ``sale`` webhooks are fired; the other
events can be registered, as on Hiboutik, but their payloads are unknown."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import require_row

ACTIONS = (
    "sale",
    "sale_item",
    "payment",
    "customer",
    "store_credit",
    "product",
    "stock_order",
    "timestamp",
    "schedule",
)


def register(router: Router) -> None:
    router.add("GET", "/webhooks", list_webhooks)
    router.add("POST", "/webhooks", post_webhook)
    router.add("DELETE", "/webhooks/{webhook_id:int}", delete_webhook)


def list_webhooks(ctx: Context) -> list[dict[str, Any]]:
    return [dict(w) for w in ctx.state.rows("webhooks")]


def _action(value: Any) -> str:
    action = f.parse_required_text(value)
    if action not in ACTIONS:
        raise f.FieldError(f"must be one of {', '.join(ACTIONS)}")
    return action


def post_webhook(ctx: Context) -> dict[str, Any]:
    """Answers 200 (not 201) with the id, as OP observed."""
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown(
        {"webhook_label", "webhook_url", "webhook_action", "webhook_app_id_int", "webhook_async"}
    )
    row = {
        "webhook_label": reader.get("webhook_label", f.parse_required_text, required=True),
        "webhook_url": reader.get("webhook_url", f.parse_url, required=True),
        "webhook_action": reader.get("webhook_action", _action, required=True),
        "webhook_app_id_int": reader.get("webhook_app_id_int", f.parse_text, default=""),
        "webhook_async": reader.get("webhook_async", f.parse_flag, default=0),
    }
    reader.check()
    row["created_at"] = ctx.now()
    webhook = ctx.state.insert("webhooks", row, "webhook_id")
    return {"webhook_id": webhook["webhook_id"]}


def delete_webhook(ctx: Context, webhook_id: int) -> dict[str, Any]:
    require_row(ctx, "webhooks", webhook_id, "webhook")
    del ctx.state.tables["webhooks"][webhook_id]
    return {"webhook_id": webhook_id, "deleted": 1}
