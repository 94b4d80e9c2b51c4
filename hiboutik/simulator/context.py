"""What a route handler gets: the simulator (state, config, URLs) and the parsed request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hiboutik.simulator.clock import DEFAULT_TIME_ZONE, local_now, stamp
from hiboutik.simulator.config import SimulatorConfig
from hiboutik.simulator.http_types import Request
from hiboutik.simulator.state import State

if TYPE_CHECKING:
    from hiboutik.simulator.simulator import Simulator


@dataclass
class Context:
    sim: Simulator
    request: Request

    @property
    def state(self) -> State:
        return self.sim.state

    @property
    def config(self) -> SimulatorConfig:
        return self.sim.config

    @cached_property
    def base_url(self) -> str:
        # Once per request: a page of products renders it into every product's image URLs.
        return self.sim.base_url

    @property
    def fields(self) -> dict[str, Any]:
        return self.request.fields

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def now(self, time_zone: str = DEFAULT_TIME_ZONE) -> str:
        return stamp(local_now(time_zone))

    def list_url(self) -> str:
        """Absolute URL of the requested list, for pagination links."""
        return f"{self.base_url}{self.request.path}"
