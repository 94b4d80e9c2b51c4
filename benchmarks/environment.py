"""Where benchmarks run: a process kept away from the developer's data, a throw-away database,
and a description of the machine to print beside the numbers.

Connect's settings read their folders and services from the environment when they are first
imported, so :func:`isolate` must run before anything imports Django settings. It points every
folder Connect writes to (data, media, cache, broker) at a temporary folder; only
``DATABASE_URL`` is kept, to choose SQLite (default) or PostgreSQL — and even then the
benchmarks only use a database of their own, created and dropped by Django's test machinery.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.checks import BenchmarkError

# What a benchmark process must not share with a developer's `make run`: every folder and
# service that is not the database. Empty means "Connect's default inside CONNECT_DATA_DIR".
ISOLATED_ENVIRONMENT = {
    "CACHE_URL": "",
    "CELERY_BROKER_URL": "",
    # Static files straight from the source folders: no dependency on a collectstatic run.
    "STATIC_MANIFEST": "0",
    # The test client speaks plain HTTP; production's HTTPS redirect would answer every page 301.
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
}


# The Redis broker the scenarios that start a Celery worker use: CELERY_BROKER_URL as the run
# was given it (the benchmark process itself sends nothing there unless a scenario says so).
BROKER_VARIABLE = "BENCHMARK_BROKER_URL"


def isolate(data_dir: Path) -> None:
    """Send everything Connect writes to ``data_dir``; call before Django is set up.

    A Redis ``CELERY_BROKER_URL`` is kept aside as ``BENCHMARK_BROKER_URL`` for the scenarios
    that run a real worker (:func:`redis_broker_url`): its database must be the benchmarks' own,
    since they empty its queue."""
    if "django.conf" in sys.modules:
        from django.conf import settings

        if settings.configured:
            raise BenchmarkError(
                "Django settings are already loaded: the benchmarks must start in a fresh process"
            )
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        os.environ.setdefault(BROKER_VARIABLE, broker)
    os.environ["CONNECT_DATA_DIR"] = str(data_dir)
    os.environ["MEDIA_ROOT"] = str(data_dir / "media")
    os.environ.update(ISOLATED_ENVIRONMENT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect.settings")


def redis_broker_url() -> str:
    """The Redis broker for a real worker, or "" when the run was given none."""
    return os.environ.get(BROKER_VARIABLE, "")


def setup_django() -> None:
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    # Test mode: e-mail kept in memory, "testserver" allowed as a host for the test client.
    setup_test_environment()


def teardown_django() -> None:
    from django.test.utils import teardown_test_environment

    teardown_test_environment()


@contextmanager
def temporary_database(*, migrate: bool = True) -> Iterator[str]:
    """A new, empty database for the run's database benchmarks, dropped afterwards.

    SQLite gets an in-memory database. PostgreSQL gets ``test_connect_bench_<pid>``: a name no
    developer database, test run or other benchmark process uses, so dropping it can only drop
    our own. ``migrate=False`` builds the tables straight from the models (much faster, for
    smoke runs); recorded results use the migrations, as production does.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    settings_dict = connection.settings_dict
    test_settings = settings_dict.setdefault("TEST", {})
    saved = dict(test_settings)
    original_name = settings_dict["NAME"]
    if connection.vendor != "sqlite":
        test_settings["NAME"] = f"test_connect_bench_{os.getpid()}"
    test_settings["MIGRATE"] = migrate
    try:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        # Content type ids are cached per process; this database numbers them afresh.
        ContentType.objects.clear_cache()
        try:
            yield name
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            ContentType.objects.clear_cache()
    finally:
        test_settings.clear()
        test_settings.update(saved)


def empty_database() -> None:
    """Back to the state :func:`temporary_database` created: every table emptied, ids restarted
    and what migrations seed (content types, permissions, the roles' groups) written again.
    Cheaper than a new database, and each benchmark still starts from nothing."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


def cpu_count() -> int:
    """What ``nproc`` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} (in-memory)"
    if connection.vendor == "postgresql":
        version = connection.pg_version  # e.g. 150020
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return connection.vendor


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def machine_description() -> str:
    import django

    return (
        f"{cpu_count()} CPUs (`nproc`), {cpu_model()}, {memory_gib()} GiB, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}, Django {django.get_version()}"
    )


def load_average() -> float | None:
    """The 1-minute load average: how many processes wanted a CPU, on average."""
    try:
        return round(os.getloadavg()[0], 1)
    except (OSError, AttributeError):
        return None


def memory_gib() -> int:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError, AttributeError):
        return 0


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


# What a run writes: a tree that differs only by these is still the commit it ran on.
OUTPUTS = ("docs/benchmarks.md", "docs/benchmarks.json")


def commit_description(root: Path) -> dict[str, object]:
    """The commit the code ran on, and whether the tracked files differed from it."""

    def git(*args: str) -> str:
        completed = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30
        )
        if completed.returncode != 0:
            raise OSError(completed.stderr.strip())
        return completed.stdout.strip()

    try:
        sha = git("rev-parse", "HEAD")
        subject = git("log", "-1", "--format=%s")
        changes = git(
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            *(f":!{path}" for path in OUTPUTS),
        )
    except (OSError, subprocess.SubprocessError):
        return {"sha": "", "short": "unknown", "subject": "", "dirty": False}
    return {"sha": sha, "short": sha[:10], "subject": subject, "dirty": bool(changes)}
