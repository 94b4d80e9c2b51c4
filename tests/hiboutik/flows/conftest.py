"""Fixtures of the flow tests: an integration on a live simulator, and running a flow the way
the task and `run_flow` do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hiboutik.simulator import Simulator
from integrations import runner
from integrations.models import FlowRun, Integration
from tests.hiboutik.flows.shop import shop  # noqa: F401 - fixture
from tests.integrations.conftest import hiboutik_integration_for


@pytest.fixture
def empty_simulator(simulator_factory: Callable[..., Simulator]) -> Simulator:
    return simulator_factory(seed="empty")


@pytest.fixture
def integration(empty_simulator: Simulator) -> Integration:
    return hiboutik_integration_for(empty_simulator)


def run(integration: Integration, flow_key: str) -> FlowRun:
    outcome = runner.run_flow(integration.pk, flow_key, "manual")
    assert outcome.run is not None
    outcome.run.refresh_from_db()
    return outcome.run


def calls(sim: Simulator) -> int:
    return sim.stats()["calls_this_month"]


def routes(sim: Simulator) -> dict[str, int]:
    return dict(sim.stats()["by_route"])
