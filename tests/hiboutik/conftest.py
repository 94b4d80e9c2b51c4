"""Fixtures for everything Hiboutik: a live simulator on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hiboutik.simulator import Simulator


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., Simulator]]:
    """Call with any ``Simulator`` keyword arguments; returns it started (on a free port unless
    ``port`` is given). Every simulator made is stopped at teardown."""
    started: list[Simulator] = []

    def make(**kwargs: Any) -> Simulator:
        sim = Simulator(**{"port": 0, **kwargs}).start()
        started.append(sim)
        return sim

    yield make
    for sim in reversed(started):
        sim.stop()


@pytest.fixture
def simulator(simulator_factory: Callable[..., Simulator]) -> Simulator:
    """A started simulator holding the demo account (demo@connect.test / DEMOKEY)."""
    return simulator_factory(seed="demo")
