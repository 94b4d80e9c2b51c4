"""What the transport takes from the environment: the proxy, read once when it is built, and
never a password from ~/.netrc in place of the credentials it was given."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hiboutik.retry import Retry
from hiboutik.transport import HiboutikTransport


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with an empty list and keeps its request line and Authorization."""

    seen: list[tuple[str, str]]

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        body = json.dumps([]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    seen: list[tuple[str, str]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_environment_proxy_carries_the_calls(server, monkeypatch):
    proxy, seen = server
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = HiboutikTransport(base_url="http://acme.invalid/api", user="u@x.fr", api_key="K")
    # Read when the transport was built: a later change does not reroute its calls.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert transport._send("GET", "/taxes/", retry=Retry.READ, essential=False) == []
    assert [path for path, _auth in seen] == ["http://acme.invalid/api/taxes/"]


def test_no_proxy_for_the_hosts_the_environment_exempts(server, monkeypatch):
    base, seen = server
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    transport = HiboutikTransport(base_url=f"{base}/api", user="u@x.fr", api_key="K")
    assert transport._send("GET", "/taxes/", retry=Retry.READ, essential=False) == []
    assert [path for path, _auth in seen] == ["/api/taxes/"]


def test_a_netrc_password_never_replaces_the_token(server, monkeypatch, tmp_path):
    base, seen = server
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    transport = HiboutikTransport(base_url=f"{base}/api", oauth_token="TOKEN")
    transport._send("GET", "/taxes/", retry=Retry.READ, essential=False)
    assert seen == [("/api/taxes/", "Bearer TOKEN")]
