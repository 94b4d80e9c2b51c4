"""The socket layer: a threaded HTTP/1.1 server with keep-alive, TCP_NODELAY and the ability
to reset a connection abruptly. What to answer is decided by the dispatcher it is given."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hiboutik.simulator.http_types import Response

logger = logging.getLogger("hiboutik.simulator")

# Bodies larger than this are refused; image uploads are the largest legitimate ones.
MAX_BODY_BYTES = 20 * 1024 * 1024
# An idle keep-alive connection is closed after this many seconds.
IDLE_TIMEOUT = 30


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: str  # path and query string, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes


class ResetConnection(Exception):
    """Returned (not raised) by a dispatcher to have the connection reset with no answer."""


Dispatcher = Callable[[RawRequest], "Response | type[ResetConnection]"]


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # Room for well over the 30 concurrent calls Hiboutik allows, so excess calls reach the
    # dispatcher (and get Hiboutik's 429) instead of waiting in the kernel's accept queue.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        # Small JSON answers must not wait for Nagle's algorithm (40 ms per call otherwise).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._connections_lock:
            self._connections.add(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        """Wake every handler thread blocked on a keep-alive read so stop() is clean."""
        with self._connections_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server: SimulatorHTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _serve(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = self._read_body(headers)
        except ValueError as exc:
            self._send(Response(413, _bare_error(str(exc))))
            self.close_connection = True
            return
        outcome = self.server.dispatcher(RawRequest(self.command, self.path, headers, body))
        if outcome is ResetConnection:
            self._reset()
            return
        assert isinstance(outcome, Response)
        self._send(outcome)

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError(f"request body larger than {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise ValueError(f"request body larger than {MAX_BODY_BYTES} bytes")
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response) -> None:
        if isinstance(response.body, bytes):
            payload = response.body
        else:
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(response.status, HTTPStatus(response.status).phrase)
            self.send_header("Content-Type", _content_type(response.content_type))
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST, the client sees a connection reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type == "application/json" else media_type


def _bare_error(message: str) -> dict[str, Any]:
    return {"error": "invalid_data", "code": 6, "error_description": message, "details": {}}
