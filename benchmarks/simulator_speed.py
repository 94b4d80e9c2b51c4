"""How fast the Hiboutik simulator serves, and how fast the client reads through it.

    .venv/bin/python -m benchmarks.simulator_speed            # every measure, printed
    .venv/bin/python -m benchmarks.simulator_speed --quick    # smaller sizes, a smoke run

Not part of ``python -m benchmarks`` (whose figures are API calls and queries): these are wall
times on this machine, recorded by hand in docs/simulator.md with the machine they ran on.
Everything runs on 127.0.0.1, the simulator on a free port: in this process for the per-call
figures, in a process of its own (``python -m hiboutik.simulator``) for the whole reads, so
that the client's work and the simulator's do not share one interpreter lock.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests

from hiboutik.client import HiboutikClient
from hiboutik.ledger import InMemoryCallLedger
from hiboutik.simulator import Simulator
from hiboutik.types import PAGE_SIZE

AUTH = ("demo@connect.test", "DEMOKEY")


@dataclass(frozen=True)
class Sizes:
    throughput_calls: int
    page_catalogues: tuple[int, ...]
    page_samples: int
    full_read_rows: int
    latency_pages: int
    latency_ms: int
    cap: int


FULL = Sizes(
    throughput_calls=2_000,
    page_catalogues=(2_000, 20_000),
    page_samples=50,
    full_read_rows=100_000,
    latency_pages=100,
    latency_ms=50,
    cap=4,
)
QUICK = Sizes(
    throughput_calls=200,
    page_catalogues=(500, 2_000),
    page_samples=10,
    full_read_rows=5_000,
    latency_pages=8,
    latency_ms=20,
    cap=4,
)


def simulator(products: int = 0, latency_ms: int = 0) -> Simulator:
    """The empty seed (one store, one warehouse) and ``products`` bulk products, each with a
    stock row in that warehouse."""
    sim = Simulator(port=0, seed="empty", latency_ms=latency_ms, quota=10_000_000)
    if products:
        sim.add_products(products)
    return sim.start()


@contextmanager
def simulator_process(products: int, latency_ms: int = 0) -> Iterator[str]:
    """``python -m hiboutik.simulator`` on a free port; yields its API base URL."""
    command = [
        sys.executable,
        "-m",
        "hiboutik.simulator",
        "--port",
        "0",
        "--seed",
        "empty",
        "--quota",
        "10000000",
        "--products",
        str(products),
        "--latency-ms",
        str(latency_ms),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"at (http://\S+/api)", banner)
        if not found:
            raise RuntimeError(f"the simulator did not start: {banner!r}")
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def client(base_url: str, cap: int) -> HiboutikClient:
    return HiboutikClient(
        base_url=base_url,
        user=AUTH[0],
        api_key=AUTH[1],
        ledger=InMemoryCallLedger(quota=10_000_000),
        ledger_key=f"speed-{uuid.uuid4()}",
        max_concurrency=cap,
    )


def calls_per_second(sim: Simulator, calls: int, threads: int) -> float:
    """``calls`` GET /taxes (a tiny route) spread over ``threads`` keep-alive sessions."""
    per_thread = calls // threads

    def work() -> None:
        with requests.Session() as session:
            session.auth = AUTH
            for _ in range(per_thread):
                session.get(f"{sim.base_url}/taxes", timeout=10).raise_for_status()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - started)


def stock_page_ms(sim: Simulator, page: int, samples: int) -> float:
    """Median wall time of one stock page (250 rows), keep-alive, one thread."""
    times = []
    with requests.Session() as session:
        session.auth = AUTH
        url = f"{sim.base_url}/stock_available/warehouse_id/1"
        for _ in range(samples):
            started = time.perf_counter()
            session.get(url, params={"p": page}, timeout=30).raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def timed_read(base_url: str, cap: int) -> tuple[int, float]:
    """Rows and seconds of a whole warehouse read through the client."""
    reader = client(base_url, cap)
    started = time.perf_counter()
    rows = sum(1 for _ in reader.iter_stock(1))
    seconds = time.perf_counter() - started
    reader.close()
    return rows, seconds


def measure(sizes: Sizes, say: Callable[[str], None]) -> None:
    say(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    say("")
    say("| Measure | Result |")
    say("|---|---|")
    sim = simulator()
    try:
        for threads in (1, 4):
            rate = calls_per_second(sim, sizes.throughput_calls, threads)
            label = "1 thread" if threads == 1 else f"{threads} threads"
            say(f"| GET /taxes, {label} | {rate:,.0f} calls/s |")
    finally:
        sim.stop()
    for products in sizes.page_catalogues:
        sim = simulator(products)
        try:
            middle = max(1, math.ceil(products / PAGE_SIZE) // 2)
            ms = stock_page_ms(sim, middle, sizes.page_samples)
            say(f"| one stock page (250 rows, p={middle}) at {products:,} products | {ms:.1f} ms |")
        finally:
            sim.stop()
    with simulator_process(sizes.full_read_rows) as base_url:
        rows, seconds = timed_read(base_url, sizes.cap)
        say(f"| whole stock read, {rows:,} rows, no latency, cap {sizes.cap} | {seconds:.2f} s |")
    with simulator_process(sizes.latency_pages * PAGE_SIZE, sizes.latency_ms) as base_url:
        rows, seconds = timed_read(base_url, sizes.cap)
        pages = math.ceil(rows / PAGE_SIZE)
        floor = pages * sizes.latency_ms / 1000 / sizes.cap
        say(
            f"| whole stock read, {pages} pages at {sizes.latency_ms} ms, cap {sizes.cap} | "
            f"{seconds:.2f} s, floor {floor:.2f} s, ratio {seconds / floor:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args()
    measure(QUICK if args.quick else FULL, print)


if __name__ == "__main__":
    main()
