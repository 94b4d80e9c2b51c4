"""The Hiboutik simulator in a process of its own, as `make run` starts it.

In the benchmark's own process the simulator would share the interpreter lock with the client
it serves, and each would slow the other down: a load measured that way says little about
either. Out of process, the client pays what it pays against a server, the simulator what it
pays serving.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from benchmarks.checks import BenchmarkError

USER, API_KEY = "bench@connect.test", "BENCHKEY"
_BANNER = re.compile(r" at (http://127\.0\.0\.1:\d+/api) ")
START_TIMEOUT = 60.0  # seconds; generating 100,000 products takes a few


class SimulatorProcess:
    """``with SimulatorProcess(latency_ms=50, products=25_000) as sim:`` → ``sim.base_url``."""

    def __init__(
        self,
        *,
        latency_ms: int = 0,
        products: int = 0,
        max_concurrent: int = 30,
        quota: int = 100_000_000,
        extra_arguments: tuple[str, ...] = (),
    ) -> None:
        self.arguments = [
            "--port=0",
            "--seed=empty",
            "--no-readonly-user",
            f"--user={USER}",
            f"--api-key={API_KEY}",
            f"--quota={quota}",
            f"--latency-ms={latency_ms}",
            f"--products={products}",
            f"--max-concurrent={max_concurrent}",
            *extra_arguments,
        ]
        self.user, self.api_key = USER, API_KEY
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None
        # The simulator's stderr, to say why it did not start; closed when it stops.
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._http = requests.Session()

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/api")

    def __enter__(self) -> SimulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "hiboutik.simulator", *self.arguments],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            self.base_url = self._wait_for_banner()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def set_latency(self, latency_ms: int) -> None:
        self._control("POST", "faults", {"latency_ms": latency_ms})

    def _control(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        response = self._http.request(method, f"{self.root_url}/_sim/{path}", json=body, timeout=30)
        if response.status_code != 200:
            raise BenchmarkError(f"simulator {method} /_sim/{path}: {response.status_code}")
        return response.json()

    def _wait_for_banner(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self._process.stdout.readline()
                if not line:  # the process ended before it served
                    break
                match = _BANNER.search(line)
                if match:
                    return match.group(1)
        self._log.seek(0)
        raise BenchmarkError(
            f"the simulator did not start within {START_TIMEOUT:.0f} s: {self._log.read()[-500:]}"
        )

    def _stop(self) -> None:
        self._http.close()
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        self._log.close()
