"""Worker threads for the client's calls that go out side by side (later pages of a list,
the lines of a stock order), running in the context of the thread that started them.

Each worker runs its calls in its own copy of that context, made once: what the caller
attributes calls by (the run a flow's calls are counted in) holds in the workers, and what a
worker keeps in its context for itself (a database connection of the call ledger) serves all
its calls instead of one each. ``on_exit`` runs in each worker as it ends (the integration layer
closes the worker's database connection there), so nothing is left open behind the pool.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

R = TypeVar("R")


class CallerContextPool:
    """At most ``size`` worker threads, started as calls are submitted."""

    def __init__(self, size: int, *, name: str, on_exit: Callable[[], None] | None = None) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, got {size}")
        self.size = size
        self.name = name
        self._on_exit = on_exit
        self._context = contextvars.copy_context()
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple, dict] | None]
        self._tasks = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, call: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        if self._closed:
            raise RuntimeError("the pool is closed")
        future: Future[R] = Future()
        self._tasks.put((future, call, args, kwargs))
        if len(self._threads) < self.size:
            thread = threading.Thread(
                target=self._context.copy().run,
                args=(self._work,),
                name=f"{self.name}-{len(self._threads) + 1}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()
        return future

    def close(self) -> None:
        """Let the workers finish what they started and the calls still queued (cancel those
        first to drop them), then end them."""
        if self._closed:
            return
        self._closed = True
        for _thread in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> CallerContextPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _work(self) -> None:
        try:
            while True:
                task = self._tasks.get()
                if task is None:
                    return
                future, call, args, kwargs = task
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    result = call(*args, **kwargs)
                except BaseException as error:  # handed to whoever waits on the future
                    future.set_exception(error)
                else:
                    future.set_result(result)
        finally:
            if self._on_exit is not None:
                self._on_exit()
