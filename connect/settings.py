"""Connect settings: everything comes from environment variables with embedded defaults.

Without any variable set, Connect runs on a SQLite file and a filesystem Celery broker in
`.local/` (see `.env.example` for the full list).
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from connect.data_dir import secure_data_dir
from connect.env import (
    cache_config,
    env_bool,
    env_int,
    env_list,
    env_networks,
    fernet_keys,
    load_env_file,
    new_fernet_key,
    new_secret_key,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# A `.env` file beside manage.py (see .env.example) fills in what the environment does not set;
# CONNECT_ENV_FILE names another file, or none when empty.
_env_file = os.environ.get("CONNECT_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_env_file(Path(_env_file))

# Everything a run keeps on this machine: SQLite file, broker folder, cache, media, secrets.
# A relative path is taken from the project folder, wherever the command runs from.
DATA_DIR = (BASE_DIR / (os.environ.get("CONNECT_DATA_DIR") or ".local")).resolve()
# Owner-only (0700), and an older folder's content made owner-only on the first start.
secure_data_dir(DATA_DIR)

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = persistent_secret("SECRET_KEY", DATA_DIR / "secret_key", new_secret_key)
# Fernet keys, comma-separated: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEY = persistent_secret(
    "FIELD_ENCRYPTION_KEY", DATA_DIR / "field_encryption_key", new_fernet_key
)
FIELD_ENCRYPTION_KEYS = fernet_keys("FIELD_ENCRYPTION_KEY", FIELD_ENCRYPTION_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL used to build the webhook addresses given to Hiboutik.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The local Hiboutik simulator (`make run` starts it) that the demo integration talks to.
HIBOUTIK_SIMULATOR_URL = os.environ.get(
    "HIBOUTIK_SIMULATOR_URL", "http://127.0.0.1:8765/api"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "connect",
    "inventory",
    "sales",
    "integrations",
    "hiboutik",
]

MIDDLEWARE = [
    # First: nothing may read X-Forwarded-* before untrusted ones are removed.
    "connect.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "connect.sessions.SessionTimeoutMiddleware",
    "connect.middleware.LoginRequiredMiddleware",
    # Last: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "connect.urls"
WSGI_APPLICATION = "connect.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "connect.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "connect.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on `timeout` instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests get a file too, next to the database: an in-memory one is shared between threads
    # through SQLite's shared cache, where a write while another connection writes fails at
    # once ("database table is locked") instead of waiting its turn as it does here.
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if str(_sqlite_file) != ":memory:":
        DATABASES["default"]["TEST"] = {
            "NAME": str(_sqlite_file.with_name(f"test_{_sqlite_file.name}"))
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed sign-ins (both login pages) per username and per client address:
# LOGIN_FAILURE_LIMIT failures lock either for LOGIN_LOCKOUT_MINUTES, every new attempt restarting
# the wait. `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS` unlock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "connect.login_lockout.locked_out"
# The address is REMOTE_ADDR as TrustedProxyMiddleware left it (the client, not the proxy).
AXES_CLIENT_IP_CALLABLE = "connect.proxy.request_client_address"
# No start-up banner in every command's output; failures and lockouts are still logged, with
# the address but not the username (people type their password there by mistake).
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username"]
# Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks);
# forwarding headers from anyone else are removed (connect/proxy.py).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "127.0.0.1,::1")
LOGIN_URL = "login"
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
# seconds after sign-in whatever the activity (connect/sessions.py).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 8 * 3600, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600, minimum=60)
if SESSION_ABSOLUTE_TIMEOUT < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured(
        "SESSION_ABSOLUTE_TIMEOUT must be at least SESSION_IDLE_TIMEOUT (an idle timeout longer "
        "than the session's whole life would never apply)."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates in one style on every page (connect/formats/en).
FORMAT_MODULE_PATH = ["connect.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = "EUR"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / (os.environ.get("STATIC_ROOT") or "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / (os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
# Uploaded files are served by Django behind the login, like every page; a deployment whose web
# server serves MEDIA_ROOT itself (with its own access control) turns this off.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
# Served by Django, uploads need to be readable by Connect's own user only; a web server serving
# MEDIA_ROOT itself needs them readable by its user too.
FILE_UPLOAD_PERMISSIONS = 0o600 if SERVE_MEDIA else 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700 if SERVE_MEDIA else 0o755
# Hashed, compressed file names once `collectstatic` has built the manifest (the Docker image
# does); before that the files are served straight from the source folders.
USE_STATIC_MANIFEST = not DEBUG and env_bool(
    "STATIC_MANIFEST", default=(STATIC_ROOT / "staticfiles.json").exists()
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if USE_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not USE_STATIC_MANIFEST
if WHITENOISE_USE_FINDERS:
    # Serving from the finders, an absent STATIC_ROOT is expected, not worth a warning.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
WHITENOISE_AUTOREFRESH = DEBUG

# --- Cache ----------------------------------------------------------------------------------
# Shared by the web server and the workers (e.g. the worker heartbeat), never per process.
CACHES = {"default": cache_config(os.environ.get("CACHE_URL", ""), DATA_DIR / "cache")}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = DATA_DIR / "broker"
# Default: kombu's filesystem transport, a real broker that needs no server.
# (A hostname, though unused, keeps kombu from warning about its absence on every start.)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost//"
# Where tasks go when none is named (a test's worker gets a queue of its own this way).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 1500, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800, minimum=1)
# Longest delay a task waits before a retry (task backoff is capped at this).
CELERY_MAX_RETRY_DELAY = env_int("CELERY_MAX_RETRY_DELAY", 900)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT, so a task can clean "
        "up before it is killed."
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # With acks_late, Redis redelivers a message not acknowledged within visibility_timeout:
    # it must outlast the longest task plus its longest retry delay, or a slow task runs twice.
    # The margin covers an ETA task's wait in the worker before it starts.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + CELERY_MAX_RETRY_DELAY + 600,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
# Flow runs: a running run writes a sign of life every FLOW_RUN_HEARTBEAT_SECONDS; one silent for
# FLOW_RUN_STALE_SECONDS (three beats missed) lost its worker and is taken over. A run the other
# side refuses for now is retried at most FLOW_RUN_MAX_RETRIES times, the first after about
# FLOW_RETRY_BASE_SECONDS.
FLOW_RUN_HEARTBEAT_SECONDS = env_int("FLOW_RUN_HEARTBEAT_SECONDS", 30)
FLOW_RUN_STALE_SECONDS = env_int("FLOW_RUN_STALE_SECONDS", 90, minimum=30)
FLOW_RUN_MAX_RETRIES = env_int("FLOW_RUN_MAX_RETRIES", 5)
FLOW_RETRY_BASE_SECONDS = env_int("FLOW_RETRY_BASE_SECONDS", 30, minimum=1)
# Largest webhook body accepted (bytes): a 200-line sale is about 150 KB.
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
# Seconds between two worker heartbeats; the UI calls the worker stopped after three missed.
WORKER_HEARTBEAT_INTERVAL = env_int("WORKER_HEARTBEAT_INTERVAL", 60, minimum=5)
# Written into django-celery-beat's tables when beat starts; integration flows add their own
# rows there (upserted by name), so an operator's changes in the admin are kept.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "connect.tasks.record_heartbeat",
        "schedule": float(WORKER_HEARTBEAT_INTERVAL),
        "options": {"expires": WORKER_HEARTBEAT_INTERVAL},
    },
    "clear-expired-sessions": {
        "task": "connect.tasks.clear_expired_sessions",
        "schedule": 6 * 3600.0,
    },
    # Work a lost message or a killed worker left undone is found in the database and redone.
    "integrations-recover": {
        "task": "integrations.recover",
        "schedule": 5 * 60.0,
        "options": {"expires": 5 * 60},
    },
}

# --- Security (production: DEBUG off) -------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): scripts, styles and everything else only from Connect's
# own files. No inline script, style attribute or eval: htmx is configured not to need them
# (templates/base.html), and templates keep JavaScript and CSS in static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "client_errors_without_traceback": {"()": "connect.log_filters.ClientErrorsBrief"},
        "webhook_tokens_masked": {"()": "connect.log_filters.WebhookTokensMasked"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["webhook_tokens_masked"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every line a second time through the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 403 or 404 is the client's doing: one line, not a traceback.
        "django.request": {"filters": ["client_errors_without_traceback"]},
        "django.db.backends": {"level": "WARNING"},
    },
}
