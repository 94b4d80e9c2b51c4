"""The per-account cap on concurrent API calls, held across every worker process.

Hiboutik refuses more than 30 calls in flight per account; Connect keeps its own calls under
the integration's setting (4 by default) whatever the number of workers, with one of two gates
(both implement `hiboutik.concurrency.ConcurrencyGate`):

- :class:`RedisGate` when the broker is Redis (production: several workers, maybe several
  machines): a semaphore in a sorted set, each holder a random token scored with the time it
  took its slot; a slot whose holder died is freed after ``lease`` seconds. Taking a slot is one
  Lua script (atomic in Redis), timed by Redis' own clock so machines' clocks need not agree.
- :class:`FileGate` on the embedded default (one machine): ``limit`` lock files per account,
  a slot is an exclusive ``flock`` on one of them. The kernel frees a lock when its process
  dies, so a killed worker never keeps a slot.

A slot that cannot be had within ``max_wait`` seconds raises :class:`GateTimeout`, which the
task layer treats as transient (the run is retried later).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from hiboutik.concurrency import capped

DEFAULT_LEASE_SECONDS = 120.0
DEFAULT_MAX_WAIT_SECONDS = 300.0


class GateTimeout(TimeoutError):
    """No slot freed up in time: too many calls to this account are in flight."""


def _pause(waited: int) -> None:
    # Short, jittered, growing pauses: slots free up within one HTTP call's time.
    time.sleep(min(0.05, 0.002 * (waited + 1)) * random.uniform(0.5, 1.5))  # noqa: S311


class FileGate:
    def __init__(
        self, directory: Path, key: str, limit: int, *, max_wait: float = DEFAULT_MAX_WAIT_SECONDS
    ) -> None:
        self.directory = Path(directory)
        self.key = key
        self.limit = capped(limit)
        self.max_wait = max_wait
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._stem = _file_stem(key)

    def _path(self, index: int) -> Path:
        return self.directory / f"{self._stem}.{index}.lock"

    @contextmanager
    def slot(self) -> Iterator[None]:
        deadline = time.monotonic() + self.max_wait
        waited = 0
        while True:
            fd = self._try_take()
            if fd is not None:
                break
            if time.monotonic() > deadline:
                raise GateTimeout(f"no free call slot for {self.key} after {self.max_wait:.0f} s")
            _pause(waited)
            waited += 1
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _try_take(self) -> int | None:
        start = random.randrange(self.limit)  # noqa: S311 - spreads the processes over the files
        for offset in range(self.limit):
            fd = os.open(self._path((start + offset) % self.limit), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None


_ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now_ms, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 1
end
return 0
"""


class RedisGate:
    def __init__(
        self,
        client,
        key: str,
        limit: int,
        *,
        lease: float = DEFAULT_LEASE_SECONDS,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
    ) -> None:
        self.client = client
        self.key = key
        self.limit = capped(limit)
        self.lease_ms = int(lease * 1000)
        self.max_wait = max_wait
        self._redis_key = f"connect:gate:{key}"
        self._acquire = client.register_script(_ACQUIRE)

    @contextmanager
    def slot(self) -> Iterator[None]:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self.max_wait
        waited = 0
        while not self._acquire(keys=[self._redis_key], args=[self.limit, token, self.lease_ms]):
            if time.monotonic() > deadline:
                raise GateTimeout(f"no free call slot for {self.key} after {self.max_wait:.0f} s")
            _pause(waited)
            waited += 1
        try:
            yield
        finally:
            self.client.zrem(self._redis_key, token)

    def in_flight(self) -> int:
        return int(self.client.zcard(self._redis_key))


def _file_stem(key: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:40]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def redis_url() -> str | None:
    url = settings.CELERY_BROKER_URL
    return url if url.startswith(("redis://", "rediss://")) else None


_gates: dict[tuple[str, int], FileGate | RedisGate] = {}
_gates_lock = threading.Lock()
_redis_clients: dict[str, object] = {}


def gate_for_account(key: str, limit: int) -> FileGate | RedisGate:
    """The gate every process uses for account `key`: Redis when the broker is Redis, lock
    files in the data folder otherwise."""
    limit = capped(limit)
    with _gates_lock:
        gate = _gates.get((key, limit))
        if gate is None:
            url = redis_url()
            if url:
                import redis

                client = _redis_clients.get(url)
                if client is None:
                    client = _redis_clients[url] = redis.Redis.from_url(url)
                gate = RedisGate(client, key, limit)
            else:
                gate = FileGate(Path(settings.DATA_DIR) / "locks", key, limit)
            _gates[(key, limit)] = gate
        return gate
