"""A real Celery worker, started as `make run` and docker compose start it, runs Connect's tasks.

Each test gives its worker a queue of its own, so a developer's running worker (or a parallel
test process) never takes the messages, and nothing stale in the broker reaches this worker.
"""

import datetime
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from connect.celery import app as connect_app
from connect.tasks import HEARTBEAT_CACHE_KEY, clear_expired_sessions, record_heartbeat

PROJECT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 45


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, name: str) -> None:
        self.process = process
        self.log = log
        self.name = name

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.log_tail()}")
            time.sleep(0.2)
        pytest.fail(f"no {what} within {WAIT_SECONDS}s; worker log:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(queue: str, **env: str) -> Worker:
        name = f"{queue}@test"
        log = tmp_path / f"{queue}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "connect", "worker", "--pool=solo", "--loglevel=INFO"),
                *("--queues", queue, "--hostname", name),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=PROJECT,
            env={
                **os.environ,
                "CONNECT_ENV_FILE": "",
                "CONNECT_DATA_DIR": str(settings.DATA_DIR),
                # The cache this test process reads, whatever its backend.
                "CACHE_URL": os.environ.get("CACHE_URL")
                or f"file://{settings.CACHES['default']['LOCATION']}",
                **env,
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log, name)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def no_heartbeat() -> Iterator[None]:
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def recorded_worker() -> str | None:
    recorded = cache.get(HEARTBEAT_CACHE_KEY)
    return recorded["worker"] if recorded else None


def test_worker_on_the_filesystem_broker_records_a_heartbeat(
    start_worker, tmp_path, monkeypatch, no_heartbeat
):
    """The embedded default: kombu's filesystem transport, no server, any machine."""
    # Celery lets this variable override any broker given in code.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    broker_dir = tmp_path / "broker"
    folders = {name: broker_dir / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    queue = f"heartbeat-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        queue,
        CONNECT_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    )
    sender = Celery("sender", broker="filesystem://", set_as_current=False)
    sender.conf.update(
        task_serializer="json",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
        },
    )

    sender.send_task("connect.tasks.record_heartbeat", queue=queue)

    worker.wait_for(lambda: recorded_worker() == worker.name, "heartbeat from the worker")
    assert "connect.tasks.record_heartbeat" in worker.log.read_text()
    # The message was consumed, not left for another worker.
    assert list(folders["queue"].iterdir()) == []


def database_url_for(database: dict) -> str:
    user = quote(database["USER"] or "", safe="")
    password = quote(database["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database["HOST"] or "localhost"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(database['NAME'], safe='')}"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_on_redis_runs_tasks_against_the_test_database(start_worker, no_heartbeat):
    """The production layout: Redis broker, PostgreSQL, tasks published by the app's own config."""
    live = SessionStore()
    live["cart"] = "kept"
    live.create()
    stale = SessionStore()
    stale["cart"] = "dropped"
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(hours=1)
    )
    queue = f"housekeeping-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        queue, DATABASE_URL=database_url_for(connection.settings_dict), DATABASE_CONN_MAX_AGE="0"
    )
    try:
        clear_expired_sessions.apply_async(queue=queue)
        record_heartbeat.apply_async(queue=queue)

        worker.wait_for(lambda: recorded_worker() == worker.name, "heartbeat from the worker")
        worker.wait_for(
            lambda: not Session.objects.filter(session_key=stale.session_key).exists(),
            "expired session cleared",
        )
        assert Session.objects.filter(session_key=live.session_key).exists()
    finally:
        # The worker holds connections to the test database, which must be dropped after.
        worker.stop()
        with connect_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
