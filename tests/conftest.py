"""Suite-wide test set-up: tests that need PostgreSQL, Redis or Chromium are skipped, with the
reason, when the run does not have them."""

import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"


def _redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


def pytest_collection_modifyitems(config, items):
    reasons = {
        "postgres": None
        if settings.USING_POSTGRES
        else "needs PostgreSQL: set DATABASE_URL=postgres://... to run it",
        "redis": None if _redis_url() else "needs Redis: set CELERY_BROKER_URL=redis://... to run it",
        "browser": None
        if os.path.exists(CHROMIUM) or shutil.which("chromium")
        else f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
