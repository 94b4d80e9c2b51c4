"""Logging filters of Connect's LOGGING setting."""

import logging
import re

# The token of a webhook URL is its only credential: request lines show the path without it.
WEBHOOK_TOKEN = re.compile(r"(/webhooks/[^/\s?\"]+/)[^/\s?\"]+")


def mask_webhook_tokens(text: str) -> str:
    return WEBHOOK_TOKEN.sub(r"\1***", text)


class WebhookTokensMasked(logging.Filter):
    """Replaces the token of any webhook URL in a line (the development server's and
    Django's request lines) by ***, whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        masked = mask_webhook_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class ClientErrorsBrief(logging.Filter):
    """Keeps the line of a 4xx logged by `django.request` (who asked what, and the status) and
    drops its traceback: a permission refused or a page not found is expected, not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
