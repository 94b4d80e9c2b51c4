"""Settings as a fresh process sees them: embedded defaults, production values, bad values.

Settings are read once per process, so each case starts Python in a subprocess with exactly the
environment under test (and no `.env` file).
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "connect.example.com",
}
# Read by the settings from the environment (the pattern finds every way they read one).
VARIABLE_READ = re.compile(
    r"""(?:env_bool|env_int|env_list|env_networks|os\.environ\.get|persistent_secret)\(\s*["']([A-Z_]+)["']"""
)


def variables_read_by(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in VARIABLE_READ.findall(path.read_text())}


def example_variables() -> set[str]:
    text = (PROJECT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def clean_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This process' environment without any Connect variable, plus `overrides`."""
    connect_variables = variables_read_by(sorted((PROJECT / "connect").rglob("*.py")))
    # DJANGO_*: e.g. DJANGO_ALLOW_ASYNC_UNSAFE, set in this process by the browser tests.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in connect_variables and not key.startswith("DJANGO_")
    }
    env.update(CONNECT_ENV_FILE="", CONNECT_DATA_DIR=str(data_dir), PYTHONPATH=str(PROJECT))
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**env, "DJANGO_SETTINGS_MODULE": "connect.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode") if connection.vendor == "sqlite" else None
    journal = cursor.fetchone()[0] if connection.vendor == "sqlite" else None
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "journal_mode": journal,
    "broker": settings.CELERY_BROKER_URL,
    "broker_folder": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in"),
    "cache": settings.CACHES["default"],
    "media": str(settings.MEDIA_ROOT),
    "secret_key": settings.SECRET_KEY,
    "field_keys": settings.FIELD_ENCRYPTION_KEYS,
    "allowed_hosts": settings.ALLOWED_HOSTS,
}))
"""


def probe_settings(env: dict[str, str]) -> dict:
    result = run_python(SETTINGS_PROBE, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_env_example_lists_every_variable_the_code_reads():
    read = variables_read_by(sorted((PROJECT / "connect").rglob("*.py")))
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"} <= read
    assert read - example_variables() == set()


def test_defaults_need_no_service_and_persist_in_the_data_folder(tmp_path):
    data_dir = tmp_path / "data"
    first = probe_settings(clean_environment(data_dir))

    assert first["debug"] is False
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(data_dir / "connect.sqlite3")
    assert first["journal_mode"] == "wal"
    assert first["broker"].startswith("filesystem://")
    assert first["broker_folder"] == str(data_dir / "broker" / "queue")
    assert first["cache"]["BACKEND"].endswith("FileBasedCache")
    assert first["cache"]["LOCATION"] == str(data_dir / "cache")
    assert first["media"] == str(data_dir / "media")
    assert first["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert (data_dir / "field_encryption_key").read_text() == first["field_keys"][0]

    # A second start (web after worker, or the next `make run`) reads the same secrets.
    second = probe_settings(clean_environment(data_dir))
    assert second["secret_key"] == first["secret_key"]
    assert second["field_keys"] == first["field_keys"]


def test_environment_and_env_file_override_the_defaults(tmp_path):
    env_file = tmp_path / "connect.env"
    env_file.write_text(
        "# deployment values\n"
        "export ALLOWED_HOSTS='shop.example.com'\n"
        'CACHE_URL="redis://127.0.0.1:6379/1"\n'
        "SECRET_KEY=from-the-file\n"
    )
    env = clean_environment(
        tmp_path / "data",
        CONNECT_ENV_FILE=str(env_file),
        SECRET_KEY="from-the-environment",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    values = probe_settings(env)
    assert values["allowed_hosts"] == ["shop.example.com"]
    assert values["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert values["secret_key"] == "from-the-environment"
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert not (tmp_path / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"FIELD_ENCRYPTION_KEY": "short"}, "FIELD_ENCRYPTION_KEY: key #1 is not a Fernet key"),
        ({"CELERY_TASK_TIME_LIMIT": "30m"}, "CELERY_TASK_TIME_LIMIT='30m' is not a whole number"),
        ({"CELERY_TASK_SOFT_TIME_LIMIT": "1800"}, "must be below CELERY_TASK_TIME_LIMIT"),
        ({"CACHE_URL": "memcached://cache"}, "CACHE_URL='memcached://cache'"),
    ],
)
def test_a_bad_value_stops_the_start_with_its_name(tmp_path, overrides, message):
    result = run_python(SETTINGS_PROBE, clean_environment(tmp_path, **overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_pass_check_deploy_with_zero_warnings(tmp_path):
    result = manage(
        clean_environment(tmp_path, **PRODUCTION), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_does_flag_an_unsafe_production(tmp_path):
    unsafe = {**PRODUCTION, "DEBUG": "1", "SECRET_KEY": "too-short"}
    result = manage(clean_environment(tmp_path, **unsafe), "check", "--deploy")
    assert "security.W018" in result.stderr  # DEBUG on
    assert "security.W009" in result.stderr  # weak SECRET_KEY


CELERY_PROBE = """
import json, django
django.setup()
from django.conf import settings
from connect.celery import app
app.loader.import_default_modules()
longest = 0
for name, task in app.tasks.items():
    if name.startswith("celery."):
        continue
    time_limit = task.time_limit or app.conf.task_time_limit
    retry_delay = max(
        task.default_retry_delay or 0,
        (task.retry_backoff_max or 0) if getattr(task, "retry_backoff", False) else 0,
        settings.CELERY_MAX_RETRY_DELAY,
    )
    longest = max(longest, time_limit + retry_delay)
print(json.dumps({
    "visibility_timeout": app.conf.broker_transport_options.get("visibility_timeout"),
    "longest": longest,
    "tasks": sorted(name for name in app.tasks if not name.startswith("celery.")),
    "acks_late": app.conf.task_acks_late,
    "serializer": app.conf.task_serializer,
    "accept": app.conf.accept_content,
    "scheduler": app.conf.beat_scheduler,
    "always_eager": app.conf.task_always_eager,
    "soft": app.conf.task_soft_time_limit,
    "hard": app.conf.task_time_limit,
}))
"""


@pytest.mark.parametrize(
    "limits",
    [{}, {"CELERY_TASK_TIME_LIMIT": "7200", "CELERY_MAX_RETRY_DELAY": "3600"}],
    ids=["defaults", "raised-limits"],
)
def test_redis_visibility_timeout_outlasts_every_task_and_its_retry_delay(tmp_path, limits):
    env = clean_environment(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0", **limits)
    result = run_python(CELERY_PROBE, env)
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert "connect.tasks.record_heartbeat" in conf["tasks"]
    assert conf["longest"] >= int(limits.get("CELERY_TASK_TIME_LIMIT", 1800))
    assert conf["visibility_timeout"] > conf["longest"]


def test_celery_runs_late_acks_json_and_the_database_scheduler(tmp_path):
    result = run_python(CELERY_PROBE, clean_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert conf["acks_late"] is True
    assert conf["serializer"] == "json"
    assert conf["accept"] == ["json"]
    assert conf["scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf["always_eager"] is False
    assert 0 < conf["soft"] < conf["hard"]


def test_the_test_run_keeps_its_files_out_of_the_project_data_folder():
    """tests/conftest.py points every file the code writes at a temporary folder."""
    from django.conf import settings
    from django.core.cache import cache

    from connect.celery import app

    data_dir = settings.DATA_DIR
    assert data_dir != PROJECT / ".local"
    assert Path(settings.MEDIA_ROOT).is_relative_to(data_dir)
    if not os.environ.get("CACHE_URL"):
        assert Path(cache._dir).is_relative_to(data_dir)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            assert Path(app.conf.broker_transport_options[folder]).is_relative_to(data_dir)
