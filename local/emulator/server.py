"""The emulator on a loopback socket: what boto3 talks to with ``endpoint_url``.

HTTP/1.1 with keep-alive, because botocore pools connections; a dropped reply closes the socket
without a status line, which botocore reports as a closed connection, like a response lost on the
way back from AWS.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local.background import BackgroundServer
from local.emulator.config import EmulatorConfig
from local.emulator.core import Emulator, Request

LOG = logging.getLogger("local.emulator.http")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        super().__init__(address, _Handler)
        self.emulator = emulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds ~40 ms a call.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _dispatch(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send(411, {"Content-Type": "application/json"}, b'{"message": "send a Content-Length"}')
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(self.command, self.path, dict(self.headers.items()), body)
        reply = self.server.emulator.handle(request)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply.status, reply.headers, reply.body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line carries ids only (bodies are never logged); keep it out of stderr by default.
        LOG.debug(format, *args)


class EmulatorServer(BackgroundServer):
    """An emulator listening on loopback, for tests (``start``/``stop``) and the CLI (``serve_forever``).

    ``EmulatorServer(EmulatorConfig(port=0)).start()`` returns the base URL on a free port; the
    emulator itself (stats, reset, configure, seed_users) is ``server.emulator``.
    """

    _thread_name = "connect-emulator"

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        super().__init__()
        self.emulator = Emulator(config)
        config = self.emulator.config
        self._httpd = _Server((config.host, config.port), self.emulator)

    @property
    def url(self) -> str:
        return f"http://{self.emulator.config.host}:{self.port}"

    @property
    def instance_id(self) -> str:
        return self.emulator.instance_id

    def start(self) -> str:
        """Serve in a background thread; returns the base URL to give boto3 as ``endpoint_url``."""
        self._serve_in_background()
        return self.url
