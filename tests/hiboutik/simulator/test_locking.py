"""The account's shared lock: readers together, writers alone, re-entrant writers."""

from __future__ import annotations

import threading
import time

import pytest

from hiboutik.simulator.locking import SharedLock


def in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_readers_share_the_lock() -> None:
    lock = SharedLock()
    inside = threading.Barrier(3, timeout=5)

    def read() -> None:
        with lock.shared():
            inside.wait()  # all three are inside at once, or this times out

    threads = [in_thread(read) for _ in range(3)]
    for thread in threads:
        thread.join(timeout=5)
    assert not inside.broken


def test_a_writer_waits_for_readers_and_keeps_new_readers_out() -> None:
    lock = SharedLock()
    events: list[str] = []
    reading = threading.Event()
    release_reader = threading.Event()

    def first_reader() -> None:
        with lock.shared():
            reading.set()
            release_reader.wait(5)
            events.append("reader 1 done")

    def writer() -> None:
        with lock:
            events.append("writer")

    def late_reader() -> None:
        with lock.shared():
            events.append("reader 2")

    threads = [in_thread(first_reader)]
    reading.wait(5)
    threads.append(in_thread(writer))
    time.sleep(0.05)  # the writer is now waiting
    threads.append(in_thread(late_reader))
    time.sleep(0.05)
    assert events == []  # the writer waits, and the late reader waits behind it
    release_reader.set()
    for thread in threads:
        thread.join(timeout=5)
    assert events == ["reader 1 done", "writer", "reader 2"]


def test_the_writer_side_is_reentrant_and_may_read() -> None:
    lock = SharedLock()
    with lock, lock, lock.shared():
        pass
    with lock.shared(), lock.shared():
        pass
    with lock.shared(), pytest.raises(RuntimeError, match="cannot become a writer"):
        lock.acquire()
