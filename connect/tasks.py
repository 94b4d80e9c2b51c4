"""Housekeeping tasks of the Connect project itself, scheduled by beat (CELERY_BEAT_SCHEDULE).

The heartbeat lets the UI tell an operator whether background work is running at all: flows,
imports and stock exports all stop silently when no worker consumes the queue.
"""

import datetime
import socket
from dataclasses import dataclass
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "connect:worker-heartbeat"
# A worker is called stopped after this many heartbeats were missed in a row.
MISSED_HEARTBEATS_BEFORE_STOPPED = 3


@dataclass(frozen=True)
class WorkerStatus:
    last_seen: datetime.datetime | None
    worker: str

    def is_alive(self, now: datetime.datetime | None = None) -> bool:
        if self.last_seen is None:
            return False
        now = now or timezone.now()
        limit = datetime.timedelta(
            seconds=settings.WORKER_HEARTBEAT_INTERVAL * MISSED_HEARTBEATS_BEFORE_STOPPED
        )
        return now - self.last_seen <= limit


@shared_task(name="connect.tasks.record_heartbeat")
def record_heartbeat() -> str:
    """Record that a worker consumes the queue and reaches the database; return its name."""
    # A worker that cannot reach the database is as good as no worker: fail rather than beat.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    hostname = getattr(record_heartbeat.request, "hostname", None) or socket.gethostname()
    cache.set(
        HEARTBEAT_CACHE_KEY,
        {"at": timezone.now().isoformat(), "worker": hostname},
        timeout=None,
    )
    return hostname


def worker_status() -> WorkerStatus:
    """What the last heartbeat says; `last_seen` is None when no worker ever recorded one."""
    recorded = cache.get(HEARTBEAT_CACHE_KEY)
    if not recorded:
        return WorkerStatus(last_seen=None, worker="")
    return WorkerStatus(
        last_seen=datetime.datetime.fromisoformat(recorded["at"]),
        worker=recorded.get("worker", ""),
    )


@shared_task(name="connect.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired login sessions, which Django never removes by itself."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
