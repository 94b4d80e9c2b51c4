"""The account's lock: many readers at once, or one writer.

Reads (every ``GET`` under ``/api``, the statistics) share it, so they never queue behind one
another; writes (creates, updates, POS actions, webhook bookkeeping, resets) take it alone, so
a sale and its stock movements stay atomic. A writer waiting keeps new readers out, so a stream
of reads cannot starve it. ``with lock:`` is the writer side and is re-entrant; a thread that
holds the writer side may also read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SharedLock:
    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._readers: dict[int, int] = {}  # thread id → nesting depth
        self._writer: int | None = None
        self._writer_depth = 0
        self._writers_waiting = 0

    # --- writer side ----------------------------------------------------------------------
    def acquire(self) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._writer == me:
                self._writer_depth += 1
                return
            if me in self._readers:
                raise RuntimeError("a reader cannot become a writer: it would wait for itself")
            self._writers_waiting += 1
            try:
                self._condition.wait_for(lambda: self._writer is None and not self._readers)
            finally:
                self._writers_waiting -= 1
            self._writer, self._writer_depth = me, 1

    def release(self) -> None:
        with self._condition:
            if self._writer != threading.get_ident():
                raise RuntimeError("release of a lock this thread does not hold")
            self._writer_depth -= 1
            if self._writer_depth == 0:
                self._writer = None
                self._condition.notify_all()

    def __enter__(self) -> SharedLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    # --- reader side ----------------------------------------------------------------------
    @contextmanager
    def shared(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._condition:
            if self._writer == me:
                registered = False
            else:
                if me not in self._readers:
                    self._condition.wait_for(
                        lambda: self._writer is None and not self._writers_waiting
                    )
                self._readers[me] = self._readers.get(me, 0) + 1
                registered = True
        try:
            yield
        finally:
            if registered:
                with self._condition:
                    self._readers[me] -= 1
                    if not self._readers[me]:
                        del self._readers[me]
                        self._condition.notify_all()
