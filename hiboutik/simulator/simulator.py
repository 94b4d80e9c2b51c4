"""The ``Simulator``: a fake Hiboutik account served over HTTP on localhost.

sim = Simulator(port=0).start()
requests.get(f"{sim.base_url}/products/", auth=("demo@connect.test", "DEMOKEY"))
sim.stop()
"""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from hiboutik.simulator.app import App
from hiboutik.simulator.clock import Clock, current_month, local_now, stamp, using
from hiboutik.simulator.config import SimulatorConfig
from hiboutik.simulator.control import build_control_router
from hiboutik.simulator.faults import Faults
from hiboutik.simulator.locking import SharedLock
from hiboutik.simulator.routes import build_api_router
from hiboutik.simulator.seed import add_bulk_products, build_state
from hiboutik.simulator.server import SimulatorHTTPServer
from hiboutik.simulator.state import State, load_state, save_state


class Simulator:
    def __init__(
        self,
        account: str = "demo",
        user: str = "demo@connect.test",
        api_key: str = "DEMOKEY",
        port: int = 0,
        seed: str | None = "demo",
        quota: int = 10_000,
        latency_ms: int = 0,
        state_path: str | Path | None = None,
        host: str = "127.0.0.1",
        **options: Any,
    ) -> None:
        """``options`` are the other :class:`SimulatorConfig` fields, keyword-only: the extra
        users, the answers to Hiboutik's unknowns (``empty_search``, ``page_past_end``,
        ``page_param``...), ``max_concurrent``, ``webhook_timeout``."""
        self.config = SimulatorConfig(
            account=account,
            user=user,
            api_key=api_key,
            host=host,
            port=port,
            seed=seed,
            quota=quota,
            latency_ms=latency_ms,
            state_path=Path(state_path) if state_path is not None else None,
            **options,
        )
        # Reads share the account's lock, writes take it alone: a change (a sale and its
        # stock movements) stays atomic and reads never queue behind one another.
        self.lock = SharedLock()
        # The real clock until /_sim/clock sets a simulated one.
        self.clock = Clock()
        # The call counters change on every call, reads included: a lock of their own.
        self._usage_lock = threading.Lock()
        self.state = self._initial_state()
        self.faults = Faults(latency_ms=latency_ms)
        self.rng = random.Random()  # noqa: S311 - fault dice, not security
        self._flight_lock = threading.Lock()
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._app = App(self, build_api_router(), build_control_router())

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> Simulator:
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._server = SimulatorHTTPServer((self.config.host, self.config.port), self._app)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"hiboutik-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_all_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None
        with self.lock:
            self.persist()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api"

    # --- state --------------------------------------------------------------------------
    def _initial_state(self) -> State:
        path = self.config.state_path
        self.loaded_from_file = path is not None and path.exists()
        if path is not None and self.loaded_from_file:
            return load_state(path)
        with using(self.clock):
            state = build_state(self.config.seed, stamp(local_now()))
        if path is not None:
            save_state(state, path)
        return state

    def persist(self) -> None:
        """Call with the lock held (the writer side)."""
        if self.config.state_path is not None:
            with self._usage_lock:
                save_state(self.state, self.config.state_path)

    def reset(self) -> None:
        """Back to the seed: data, counters, deliveries and faults."""
        with self.lock, using(self.clock):
            state = build_state(self.config.seed, stamp(local_now()))
            with self._usage_lock:
                self.state = state
            self.faults = Faults(latency_ms=self.config.latency_ms)
            with self._flight_lock:
                self._max_in_flight = self._in_flight
            self.persist()

    def add_products(self, count: int) -> list[int]:
        """Bulk-create ``count`` products without going through the API (no quota used)."""
        with self.lock, using(self.clock):
            created = add_bulk_products(self.state, count, stamp(local_now()))
            self.persist()
        return created

    # --- metering -----------------------------------------------------------------------
    def count_call(self, route_name: str) -> int:
        """Count one API call against the month; returns the month's count including it."""
        with using(self.clock):
            month = current_month()
        with self._usage_lock:
            usage = self.state.usage
            if usage["month"] != month:
                usage.update(month=month, calls=0, by_route={})
            usage["calls"] += 1
            usage["by_route"][route_name] = usage["by_route"].get(route_name, 0) + 1
            return usage["calls"]

    def enter_call(self) -> bool:
        with self._flight_lock:
            if self._in_flight >= self.config.max_concurrent:
                return False
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return True

    def leave_call(self) -> None:
        with self._flight_lock:
            self._in_flight -= 1

    def webhook_lost(self) -> bool:
        """Whether the next webhook delivery is one Hiboutik never sends (``/_sim/faults``)."""
        with self.lock:
            faults = self.faults
            if faults.lose_webhooks:
                self.faults = replace(faults, lose_webhooks=faults.lose_webhooks - 1)
                return True
            return faults.webhook_loss_rate > 0 and self.rng.random() < faults.webhook_loss_rate

    def stats(self) -> dict[str, Any]:
        with self.lock.shared(), self._usage_lock:
            usage = self.state.usage
            with using(self.clock):
                month = current_month()
            same_month = usage["month"] == month
            with self._flight_lock:
                in_flight, max_in_flight = self._in_flight, self._max_in_flight
            return {
                "account": self.config.account,
                "month": month,
                "quota": self.config.quota,
                "calls_this_month": usage["calls"] if same_month else 0,
                "by_route": dict(usage["by_route"]) if same_month else {},
                "in_flight": in_flight,
                "max_in_flight": max_in_flight,
                "faults": self.faults.as_dict(),
                "clock": self.clock.as_dict(),
                "webhook_deliveries": [dict(d) for d in self.state.deliveries],
            }
