"""Fixtures for the integration framework: a test-only "counting" integration type, and a
Hiboutik integration against a live simulator."""

import uuid
from collections.abc import Callable, Iterator

import pytest

from hiboutik.simulator import Simulator
from integrations.models import Integration
from integrations.services.integrations import integration_create
from tests.hiboutik.conftest import simulator, simulator_factory  # noqa: F401 - fixtures
from tests.integrations import counting


@pytest.fixture
def counting_type() -> Iterator:
    yield counting.install()
    counting.uninstall()


@pytest.fixture
def make_integration(counting_type) -> Callable[..., Integration]:
    """`make_integration(records=3, fail=[2])`: a counting integration with that config."""

    def make(name: str | None = None, enabled: bool = True, **config) -> Integration:
        return integration_create(
            type=counting.TYPE_KEY,
            name=name or f"counting-{uuid.uuid4().hex[:8]}",
            config=config,
            enabled=enabled,
        )

    return make


@pytest.fixture
def hiboutik_integration(simulator: Simulator) -> Integration:  # noqa: F811
    """A Hiboutik integration on the simulator's demo account, credentials filled in."""
    return hiboutik_integration_for(simulator)


def hiboutik_integration_for(sim: Simulator, name: str | None = None, **general) -> Integration:
    return integration_create(
        type="hiboutik",
        name=name or f"hiboutik-{uuid.uuid4().hex[:8]}",
        config={
            "general": {
                "account": "demo",
                "user": "demo@connect.test",
                "api_url": sim.base_url,
                **general,
            },
            "order_import": {"hiboutik_store_id": 1},
            "stock": {"hiboutik_warehouse_id": 1},
        },
        secrets={"api_key": "DEMOKEY"},
    )


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in the caller's thread when enqueued (after commit, as in production)."""
    from connect.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
