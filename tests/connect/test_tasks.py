"""Housekeeping tasks, run in this process (the real worker is exercised in test_celery_worker)."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from connect.tasks import (
    HEARTBEAT_CACHE_KEY,
    WorkerStatus,
    clear_expired_sessions,
    record_heartbeat,
    worker_status,
)


@pytest.fixture(autouse=True)
def no_heartbeat_yet():
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def test_no_heartbeat_means_no_worker():
    status = worker_status()
    assert status.last_seen is None
    assert not status.is_alive()


@pytest.mark.django_db
def test_heartbeat_records_when_and_which_worker():
    before = timezone.now()
    name = record_heartbeat.run()
    status = worker_status()
    assert status.worker == name
    assert before <= status.last_seen <= timezone.now()
    assert status.last_seen.tzinfo is not None
    assert status.is_alive()


def test_a_worker_is_stopped_after_three_missed_heartbeats(settings):
    settings.WORKER_HEARTBEAT_INTERVAL = 60
    seen = timezone.now()
    status = WorkerStatus(last_seen=seen, worker="celery@shop")
    assert status.is_alive(now=seen + datetime.timedelta(seconds=180))
    assert not status.is_alive(now=seen + datetime.timedelta(seconds=181))


@pytest.mark.django_db
def test_clear_expired_sessions_keeps_live_ones():
    live = SessionStore()
    live["user"] = "still here"
    live.create()
    expired = SessionStore()
    expired["user"] = "gone"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )

    clear_expired_sessions.run()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
