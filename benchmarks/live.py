"""Connect in processes of its own, as a deployment runs it: gunicorn serving the web app (the
webhook endpoint), a Celery worker on Redis running the flows, and beat.

They work on the run's temporary database (a server database: PostgreSQL) and the Redis broker
the run was given (:func:`benchmarks.environment.redis_broker_url`), whose queue they empty
before and after. Every process gets the benchmark's own environment otherwise (the temporary
data folder, hence the same secrets and cache), so what one writes the others read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import requests

from benchmarks.checks import BenchmarkError, NotRun
from benchmarks.environment import redis_broker_url

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0  # seconds: a worker importing Django on a busy 2-core machine
QUEUE = "celery"  # Celery's default queue, the one every Connect task goes to


def require_worker_services() -> str:
    """The Redis URL, after checking the run can start Connect's processes at all."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise NotRun("Connect's own processes share the run's database, which needs PostgreSQL")
    url = redis_broker_url()
    if not url:
        raise NotRun("no Redis broker: set CELERY_BROKER_URL=redis://… to run it")
    return url


def database_url() -> str:
    """``DATABASE_URL`` naming the run's temporary database instead of the developer's."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def child_environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": require_worker_services(),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ConnectProcess:
    """A child process whose output goes to a temporary log, read back to say why it failed."""

    name = "process"

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.command = command
        self.environment = environment
        self.process: subprocess.Popen[bytes] | None = None
        self._log_start = 0
        self._log = tempfile.NamedTemporaryFile(prefix=f"bench-{self.name}-", suffix=".log")  # noqa: SIM115

    def __enter__(self) -> ConnectProcess:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self._log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self._log_start = Path(self._log.name).stat().st_size  # a restart reads its own lines
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its children (gunicorn's, the pool's) stop with it
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log()[-1500:]
                self.stop()
                raise BenchmarkError(f"{self.name} did not start: {log}")
            time.sleep(0.2)

    def ready(self) -> bool:
        raise NotImplementedError

    def log(self) -> str:
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def log_since_start(self) -> str:
        with open(self._log.name, "rb") as handle:
            handle.seek(self._log_start)
            return handle.read().decode("utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group, as the machine killing a worker would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _entry(program: str, clock_file: Path | None) -> list[str]:
    """``python -m program``, or the same behind :mod:`benchmarks.clocked`'s simulated clock."""
    if clock_file is None:
        return [sys.executable, "-m", program]
    return [sys.executable, "-m", "benchmarks.clocked", str(clock_file), program]


class WebServer(ConnectProcess):
    """gunicorn serving ``connect.wsgi`` on a free localhost port."""

    name = "gunicorn"

    def __init__(
        self,
        *,
        workers: int = 2,
        threads: int = 4,
        clock_file: Path | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.workers, self.threads = workers, threads
        super().__init__(
            [
                *_entry("gunicorn", clock_file),
                "connect.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--timeout=60",
                "--log-level=warning",
            ],
            child_environment(**(environment or {})),
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        try:
            requests.get(f"{self.base_url}/login/", timeout=2)
        except requests.RequestException:
            return False
        return True


class Worker(ConnectProcess):
    """``celery worker`` on the Redis broker, ``concurrency`` prefork processes."""

    name = "celery-worker"

    def __init__(
        self,
        *,
        concurrency: int = 2,
        clock_file: Path | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.concurrency = concurrency
        super().__init__(
            [
                *_entry("celery", clock_file),
                "--app=connect",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                f"--hostname=bench-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            child_environment(**(environment or {})),
        )

    def ready(self) -> bool:
        return " ready." in self.log_since_start()


class Beat(ConnectProcess):
    """``celery beat`` with django-celery-beat's database scheduler, as deployed."""

    name = "celery-beat"

    def __init__(self, schedule_dir: Path) -> None:
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "--app=connect",
                "beat",
                "--loglevel=INFO",
                f"--pidfile={schedule_dir / 'beat.pid'}",
            ],
            child_environment(),
        )

    def ready(self) -> bool:
        return "beat: Starting" in self.log_since_start()


# --- the database ---------------------------------------------------------------------------


@contextmanager
def commits_without_waiting_for_the_disk() -> Iterator[None]:
    """PostgreSQL's ``synchronous_commit`` off on the run's database while inside: for this
    process's connection and every connection opened meanwhile (a worker's, gunicorn's).

    A commit is seen by every other connection exactly as before; what changes is that it
    returns before its record reaches the disk, which only a crash of the database server could
    tell (the run's database is dropped at its end anyway). For the scenarios whose figures are
    counts and simulated times, not the database's own speed: a flow run's handful of commits
    then costs no disk flush each on a slow disk."""
    from django.db import connection

    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {name} RESET synchronous_commit")
            cursor.execute("RESET synchronous_commit")


# --- the broker --------------------------------------------------------------------------------


_redis = {}


def redis_client():
    """One client per broker URL for the process (a tick of the month asks many times)."""
    import redis

    url = require_worker_services()
    if url not in _redis:
        _redis[url] = redis.Redis.from_url(url)
    return _redis[url]


def purge_queue() -> None:
    """Nothing left over from another run: the queue and its unacknowledged messages."""
    redis_client().delete(QUEUE, "unacked", "unacked_index")


def queued() -> int:
    """Messages waiting or being worked on (delivered, not yet acknowledged)."""
    pipeline = redis_client().pipeline(transaction=False)
    pipeline.llen(QUEUE)
    pipeline.hlen("unacked")
    waiting, unacked = pipeline.execute()
    return int(waiting) + int(unacked)


@contextmanager
def sending_to_redis() -> Iterator[None]:
    """Tasks this process enqueues go to the Redis broker, not the isolated one."""
    from connect.celery import app

    saved = app.conf.broker_url
    _reset_pools(app)
    app.conf.broker_url = require_worker_services()
    try:
        yield
    finally:
        _reset_pools(app)
        app.conf.broker_url = saved


def _reset_pools(app) -> None:
    """Forget every broker connection and producer (kombu keeps them in global pools): the
    next task sent connects to the broker now configured."""
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
