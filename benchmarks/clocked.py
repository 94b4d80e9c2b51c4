"""Connect on a simulated clock: ``django.utils.timezone.now`` reads the time from a file.

The simulated month plays 30 days in minutes. Every Connect process of it — the benchmark that
drives the shop, gunicorn receiving the webhooks, the Celery worker running the flows — must
agree on the time the simulator's till uses, or a flow comparing a mark's time with now (a
reconciliation interval, a coalescing window, a quota month) would see the real clock's minutes
instead of the simulated days. The driver writes the simulated time (ISO 8601, aware) into one
file; each process reads it back when the file changed.

    python -m benchmarks.clocked CLOCK_FILE gunicorn connect.wsgi:application ...
    python -m benchmarks.clocked CLOCK_FILE celery --app=connect worker ...

The function object ``timezone.now`` is kept and its code swapped, so references taken before
(model fields' ``default=timezone.now``) follow the simulated clock too. Celery's own timers
(countdowns, expiry) stay on the real clock.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import CodeType

_HOOK = "_connect_simulated_now"
_saved_code: CodeType | None = None


class FileClock:
    """The time written in ``path``, read again only when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._now = datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a simulated time needs its UTC offset")
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(moment.astimezone(UTC).isoformat(), encoding="ascii")
        os.replace(temporary, self.path)

    def __call__(self) -> datetime:
        status = os.stat(self.path)
        stamp = (status.st_mtime_ns, status.st_ino)
        if stamp != self._stamp:
            self._now = datetime.fromisoformat(self.path.read_text(encoding="ascii"))
            self._stamp = stamp
        return self._now


def _simulated_now():  # its code replaces timezone.now's; the name below is looked up there
    return _connect_simulated_now()  # noqa: F821


def install(clock: Callable[[], datetime]) -> None:
    """From now on, ``timezone.now()`` is ``clock()``, in every module of this process."""
    global _saved_code
    from django.utils import timezone

    setattr(timezone, _HOOK, clock)
    if _saved_code is None:
        _saved_code = timezone.now.__code__
        timezone.now.__code__ = _simulated_now.__code__


def uninstall() -> None:
    global _saved_code
    from django.utils import timezone

    if _saved_code is not None:
        timezone.now.__code__ = _saved_code
        _saved_code = None
    if hasattr(timezone, _HOOK):
        delattr(timezone, _HOOK)


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit("usage: python -m benchmarks.clocked CLOCK_FILE MODULE [ARGS...]")
    clock_file, module = Path(sys.argv[1]), sys.argv[2]
    install(FileClock(clock_file))
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
