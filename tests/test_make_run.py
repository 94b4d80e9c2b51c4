"""`make run` for real, on ports and in a data folder of its own: the printed login signs in,
the `hiboutik-demo` integration shows its tabs, and its Quota tab counts the calls the
simulator counted. Everything is stopped as Ctrl-C would."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[1]
START_SECONDS = 240
TABS = ("configuration", "flows", "history", "errors", "events", "quota", "webhook")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, process: subprocess.Popen, log: Path, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"make run exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    pytest.fail(f"no {what} within {seconds:.0f} s:\n{log.read_text()[-4000:]}")


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code < 500
    except requests.RequestException:
        return False


@pytest.fixture
def make_run(tmp_path):
    port, simulator_port = free_port(), free_port()
    log = tmp_path / "make-run.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "ADMIN_PASSWORD")
    }
    variables = {
        "PORT": port,
        "SIMULATOR_PORT": simulator_port,
        "CONNECT_DATA_DIR": tmp_path / "data",
        "WORKER_CONCURRENCY": 1,
    }
    process = subprocess.Popen(
        ["make", "run", *(f"{name}={value}" for name, value in variables.items())],
        cwd=PROJECT,
        env={**env, "CONNECT_ENV_FILE": ""},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process, log, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{simulator_port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_make_run_serves_the_demo_integration_and_its_quota(make_run):
    process, log, site, simulator = make_run
    password = wait_for(
        lambda: re.search(r"Admin login: admin / (\S+)", log.read_text()),
        "admin login printed",
        process,
        log,
        START_SECONDS,
    ).group(1)
    wait_for(lambda: answers(f"{site}/login/"), "web server", process, log, 60)
    wait_for(lambda: answers(f"{simulator}/_sim/stats"), "simulator", process, log, 60)

    browser = requests.Session()
    login = browser.get(f"{site}/login/", timeout=30)
    signed_in = browser.post(
        login.url,
        data={
            "username": "admin",
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": login.url},
        timeout=30,
    )
    assert "/login/" not in signed_in.url
    listing = browser.get(f"{site}/integrations/", timeout=30).text
    assert "hiboutik-demo" in listing
    pk = re.search(r'href="/integrations/(\d+)/', listing).group(1)
    for tab in TABS:
        assert browser.get(f"{site}/integrations/{pk}/{tab}/", timeout=60).status_code == 200

    def quota_matches():
        # The worker registers the webhook (2 calls at least) once it is up; the Configuration
        # tab read the pick-lists. The page and the simulator must then agree.
        counted = requests.get(f"{simulator}/_sim/stats", timeout=10).json()["calls_this_month"]
        page = browser.get(f"{site}/integrations/{pk}/quota/", timeout=30).text
        shown = re.search(r'data-testid="quota-calls">([^<]+)<', page).group(1)
        return counted >= 2 and re.sub(r"\D", "", shown) == str(counted)

    wait_for(quota_matches, "Quota tab equal to the simulator's count", process, log, 90)
    hooks = requests.get(f"{simulator}/_sim/stats", timeout=10).json()
    assert hooks["by_route"].get("POST /webhooks") == 1
