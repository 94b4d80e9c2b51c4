"""Logging filters of Connect's LOGGING setting."""

import logging


class ClientErrorsBrief(logging.Filter):
    """Keeps the line of a 4xx logged by `django.request` (who asked what, and the status) and
    drops its traceback: a permission refused or a page not found is expected, not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
