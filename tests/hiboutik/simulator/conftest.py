"""Helpers for the simulator tests: an authenticated API session and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests

from hiboutik.simulator import Simulator

DEMO_AUTH = ("demo@connect.test", "DEMOKEY")
READONLY_AUTH = ("readonly@connect.test", "READONLYKEY")


class Api:
    """``requests`` against one simulator: ``api.get("/products/")`` hits ``/api/products/``,
    ``api.sim_post("/sales", json=...)`` hits ``/_sim/sales``."""

    def __init__(self, sim: Simulator, auth: tuple[str, str] | None = DEMO_AUTH) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.auth = auth

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.sim.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def sim_get(self, path: str) -> requests.Response:
        return requests.get(f"{self.sim.root_url}/_sim{path}", timeout=10)

    def sim_post(self, path: str, timeout: float = 30, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.sim.root_url}/_sim{path}", timeout=timeout, **kwargs)

    def sale(self, **body: Any) -> dict[str, Any]:
        """Ring up a sale at the till and return it (fails the test if refused)."""
        response = self.sim_post("/sales", json=body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def api(simulator: Simulator) -> Iterator[Api]:
    client = Api(simulator)
    yield client
    client.session.close()


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records each POST and answers like Hiboutik's
    official plugins do (200, JSON ``{"alerte": ...}``), or with ``status``."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    status: int = 200
    alerte: str = '<div class="alert alert-success">Vente importée</div>'

    def forms(self) -> list[dict[str, str]]:
        return [dict(parse_qsl(b.decode("ascii"), keep_blank_values=True)) for b in self.bodies]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.bodies.append(body)
            received.content_types.append(self.headers.get("Content-Type", ""))
            received.user_agents.append(self.headers.get("User-Agent", ""))
            answer = json.dumps({"alerte": received.alerte}).encode()
            self.send_response(received.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hiboutik/webhook/secret-token"
    yield received
    server.shutdown()
    server.server_close()


def register_sale_webhook(api: Api, url: str, **extra: Any) -> int:
    response = api.post(
        "/webhooks/",
        data={"webhook_label": "Connect", "webhook_url": url, "webhook_action": "sale", **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()["webhook_id"]
