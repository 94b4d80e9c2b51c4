import gc
import weakref
from collections.abc import Iterator

import pytest
from celery import signals

import connect.celery  # noqa: F401 - connects the worker's start-up handler
from connect.startup_heap import freeze_startup_heap


class Node:
    pass


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_garbage_is_collected_and_the_living_set_aside():
    cycle = Node()
    cycle.itself = cycle
    gone = weakref.ref(cycle)
    del cycle
    alive = [Node()]
    freeze_startup_heap()
    assert gone() is None
    assert gc.get_freeze_count() > 0
    # What was alive is out of every generation the collector walks.
    assert all(obj is not alive for obj in gc.get_objects())


# Without a worker to send it, Celery's Django fix-up warns and does nothing.
@pytest.mark.filterwarnings("ignore::celery.fixups.django.FixupWarning")
def test_a_celery_worker_freezes_its_heap_once_started():
    assert gc.get_freeze_count() == 0
    signals.worker_init.send(sender=None)
    assert gc.get_freeze_count() > 0
