"""Running database work in parallel threads, for the PostgreSQL concurrency tests."""

import threading
from collections.abc import Callable

from django.db import connection


def run_in_threads(*targets: Callable[[], object]) -> list[BaseException]:
    """Run each target in its own thread, all released at once; the failures they raised.

    Each thread has its own database connection, closed when it ends, so the test database can
    be dropped afterwards.
    """
    start = threading.Barrier(len(targets))
    failures: list[BaseException] = []

    def run(target: Callable[[], object]) -> None:
        try:
            start.wait()
            target()
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
