"""Suite-wide test set-up.

- Tests that need PostgreSQL, Redis or Chromium are skipped, with the reason, when the run does
  not have them.
- Files the code writes (media, cache, filesystem broker, admin password) go to a temporary
  folder per test process, never into the developer's `.local/` of a running `make run`.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from connect.env import cache_config

CHROMIUM = "/usr/bin/chromium"

# pytest-django imports the settings before this file, so the isolation is applied to the
# loaded settings; nothing has read these values yet (caches, storages and the Celery
# configuration are all built lazily on first use).
TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="connect-tests-"))
atexit.register(shutil.rmtree, TEST_DATA_DIR, ignore_errors=True)
settings.DATA_DIR = TEST_DATA_DIR
settings.MEDIA_ROOT = TEST_DATA_DIR / "media"
if not os.environ.get("CACHE_URL"):
    settings.CACHES = {"default": cache_config("", TEST_DATA_DIR / "cache")}
if settings.CELERY_BROKER_URL.startswith("filesystem://"):
    settings.CELERY_BROKER_DIR = TEST_DATA_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (settings.CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(settings.CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(settings.CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(settings.CELERY_BROKER_DIR / "processed"),
        "control_folder": str(settings.CELERY_BROKER_DIR / "control"),
    }
# Templates resolve {% static %} from the source folders even where collectstatic once ran.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.WHITENOISE_USE_FINDERS = True
# Hashing passwords at production strength costs a second per login; tests need no strength.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and live servers speak plain HTTP: no redirect to HTTPS, cookies sent over it.
settings.SECURE_SSL_REDIRECT = False
settings.SESSION_COOKIE_SECURE = False
settings.CSRF_COOKIE_SECURE = False
settings.SECURE_HSTS_SECONDS = 0


def _redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    return [
        f"connect database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})",
        f"connect broker: {_without_password(settings.CELERY_BROKER_URL)}",
        f"connect test data folder: {TEST_DATA_DIR}",
    ]


def pytest_collection_modifyitems(config, items):
    reasons = {
        "postgres": None
        if settings.USING_POSTGRES
        else "needs PostgreSQL: set DATABASE_URL=postgres://... to run it",
        "redis": None
        if _redis_url()
        else "needs Redis: set CELERY_BROKER_URL=redis://... to run it",
        "browser": None
        if os.path.exists(CHROMIUM) or shutil.which("chromium")
        else f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language: a request made in English by an earlier test
    (LocaleMiddleware activates the language of the thread) must not leak into the next one."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
