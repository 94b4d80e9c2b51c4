"""What serving costs the Hiboutik simulator in CPU time, whatever the machine's load.

    .venv/bin/python -m benchmarks.simulator_cpu            # 2,000 / 20,000 / 100,000 products
    .venv/bin/python -m benchmarks.simulator_cpu --quick    # 500 / 5,000

Wall times on a machine shared with other work mostly measure that work (``python -m
benchmarks --only simulator`` records them, with their targets). This script reads instead the
CPU seconds the simulator process itself spent (``/proc/<pid>/stat``, Linux) while it served,
over HTTP from 4 kept-alive connections: every stock page of warehouse 1, then every products
page, at each catalogue size, each list read twice (the simulator keeps each product's JSON
until it changes, so a second read of the products costs less than the first). CPU time per
page that does not grow with the catalogue is what "a page costs O(page size)" means; the whole
stock read's CPU seconds are what serving it costs on an idle machine. Figures are recorded by
hand in docs/simulator.md.
"""

from __future__ import annotations

import argparse
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path

import requests

from benchmarks.simulator_process import SimulatorProcess
from hiboutik.types import PAGE_SIZE

CONNECTIONS = 4
ROUTES = {"stock": "/stock_available/warehouse_id/1", "products": "/products/"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_all(sim: SimulatorProcess, route: str, pages: int) -> None:
    def work(first: int) -> None:
        with requests.Session() as session:
            session.auth = (sim.user, sim.api_key)
            for page in range(first, pages + 1, CONNECTIONS):
                response = session.get(f"{sim.base_url}{route}", params={"p": page}, timeout=60)
                response.raise_for_status()

    workers = [threading.Thread(target=work, args=(n + 1,)) for n in range(CONNECTIONS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def measure(catalogues: tuple[int, ...], say: Callable[[str], None]) -> None:
    say(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    say("")
    say("| Products | Route | Read | Pages | Simulator CPU (s) | CPU per page (ms) |")
    say("|---:|---|---|---:|---:|---:|")
    for products in catalogues:
        with SimulatorProcess(products=products) as sim:
            assert sim._process is not None  # the process it runs, for its pid
            pid = sim._process.pid
            pages = math.ceil(products / PAGE_SIZE)
            for name, route in ROUTES.items():
                serve_all(sim, route, 1)  # the list's index is built on its first page
                for read in ("first", "again"):
                    before = cpu_seconds(pid)
                    serve_all(sim, route, pages)
                    spent = cpu_seconds(pid) - before
                    say(
                        f"| {products:,} | {name} | {read} | {pages} | {spent:.2f} | "
                        f"{spent / pages * 1000:.1f} |"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small catalogues: a smoke run")
    args = parser.parse_args()
    measure((500, 5_000) if args.quick else (2_000, 20_000, 100_000), print)


if __name__ == "__main__":
    main()
