"""The local dev server: ``python -m local serve`` and ``make serve``.

A thin HTTP adapter around ``runtime.app.ScimApp`` doing locally what API Gateway and the TOKEN
authorizer do when deployed: the ``/scim/v2`` prefix, the bearer check (constant time), the
body size limit (from Content-Length, before reading a byte), the query string limit. Everything
SCIM is the same core the Lambda runs, so what passes here passes there. One route exists only
here: ``GET /scim/v2/openapi.json``, the API described as OpenAPI 3 (``runtime.scim.openapi``),
behind the same token as everything under the base path.

Without ``--connect-endpoint``/``--instance-id`` it starts the Amazon Connect emulator in this
process, throttled like Connect (2 requests/s, burst 5) unless told otherwise. The same
``--connect-rate``/``--connect-burst`` pace the app's own Connect calls (``runtime.connect.pacing``),
whatever the target, so they wait for the quota instead of being throttled.

The token is printed once, to the operator's terminal; it never reaches a log line. Access
logs are off on purpose: request lines carry filter values (userNames, e-mails).
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any, Final, TextIO
from urllib.parse import parse_qsl, urlsplit

from local.background import BackgroundServer
from runtime.app import ScimApp, error_response
from runtime.observability import allow_fields, get_logger, log_event
from runtime.scim.errors import (
    InvalidSyntax,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ScimError,
    Unauthorized,
)
from runtime.scim.http import MAX_QUERY_CHARS, ScimRequest, ScimResponse, check_query_length
from runtime.scim.openapi import DOCUMENT_PATH as OPENAPI_PATH
from runtime.scim.openapi import build_openapi

BASE_PATH: Final = "/scim/v2"
DEFAULT_PORT: Final = 8080
_HOST_HEADER: Final = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_LOG = get_logger("local.server")
allow_fields("reason")
_TOKEN: Final = re.compile(r"^[A-Za-z0-9._~+/-]{16,512}$")


class LengthRequired(ScimError):
    status = 411


class _ServerUnavailable(ScimError):
    status = 503


class _HeadersTooLarge(ScimError):
    status = 431


_METHODS: Final = "GET, POST, PUT, PATCH, DELETE"


def bearer_matches(authorization: str | None, token: str) -> bool:
    """``Bearer <token>`` (scheme in any case), compared in constant time."""
    if not authorization:
        return False
    scheme, _, presented = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode("utf-8"), token.encode("utf-8"))


def denial_reason(authorization: str | None) -> str:
    """Why a header that did not match was refused: a category that is safe to log."""
    if not authorization or not authorization.strip():
        return "missing_token"
    scheme, _, presented = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return "wrong_scheme"
    return "token_mismatch" if presented.strip() else "malformed_header"


class _ScimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], scim: LocalScimServer) -> None:
        super().__init__(address, _Handler)
        self.scim = scim


class _Handler(BaseHTTPRequestHandler):
    """Translates one HTTP exchange to a ``ScimRequest`` and the ``ScimResponse`` back."""

    server: _ScimHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "connect-scim-local"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed ACK
    # adds ~40 ms to every response (measured by make bench: 45 ms -> 1.3 ms per GET).
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: request lines carry filter values (userNames, e-mails)."""

    def _handle(self) -> None:
        scim = self.server.scim
        try:
            response = self._answer(scim)
        except ScimError as err:
            # Answered here, before the app: log it like the app logs its requests.
            response = error_response(err)
            response.headers["X-Correlation-Id"] = uuid.uuid4().hex
            log_event(
                _LOG,
                "scim.request",
                adapter="local",
                method=self.command[:16],
                route="(before routing)",
                status=response.status,
                correlation_id=response.headers["X-Correlation-Id"],
                error_type=type(err).__name__,
            )
        except Exception as exc:  # pragma: no cover - the app already answers its own failures
            log_event(_LOG, "scim.adapter_error", level=logging.ERROR, exc=exc, adapter="local")
            response = error_response(_ServerUnavailable("The local server failed to read the request"))
            self.close_connection = True
        self._send(response)

    def _answer(self, scim: LocalScimServer) -> ScimResponse:
        authorization = self.headers.get("Authorization")
        if not bearer_matches(authorization, scim.token):
            # A security event, logged with a reason category only (never the header).
            log_event(_LOG, "auth.denied", adapter="local", reason=denial_reason(authorization))
            # The body is not read; do not reuse a connection that may still hold it.
            self.close_connection = True
            raise Unauthorized(
                "Missing or wrong bearer token: send 'Authorization: Bearer <token>' with the token "
                "the server printed at start-up",
                headers={"WWW-Authenticate": 'Bearer realm="connect-scim"'},
            )
        split = urlsplit(self.path)
        path = split.path
        if path != BASE_PATH and not path.startswith(BASE_PATH + "/"):
            self.close_connection = True
            raise NotFound(f"SCIM is served under {BASE_PATH}; for example {scim.base_url}/Users")
        check_query_length(len(split.query))
        if path == BASE_PATH + OPENAPI_PATH:
            return self._openapi(scim)
        body = self._read_body(scim.max_body_bytes)
        query: dict[str, str] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key, value)
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            headers.setdefault(key.lower(), value)
        request = ScimRequest(
            method=self.command,
            path=path[len(BASE_PATH) :] or "/",
            base_url=self._base_url(scim),
            query=query,
            headers=headers,
            body=body,
        )
        return scim.app.handle(request)

    def _openapi(self, scim: LocalScimServer) -> ScimResponse:
        """``GET /scim/v2/openapi.json``: the API described (``runtime.scim.openapi``), token required."""
        if self.command not in ("GET", "HEAD"):
            raise MethodNotAllowed(f"{OPENAPI_PATH} is read with GET", headers={"Allow": "GET"})
        document = build_openapi(self._base_url(scim))
        return ScimResponse(200, document, {"Content-Type": "application/json"})

    def _read_body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower().strip() not in ("", "identity"):
            self.close_connection = True
            raise LengthRequired("Send the body with a Content-Length header (chunked bodies are not read)")
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        if not raw_length.strip().isdigit():
            self.close_connection = True
            raise InvalidSyntax("Content-Length must be a non-negative integer")
        length = int(raw_length)
        if length > limit:
            self.close_connection = True
            raise PayloadTooLarge(f"The body is {length} bytes; the limit is {limit} bytes")
        return self.rfile.read(length) if length else b""

    def _base_url(self, scim: LocalScimServer) -> str:
        """The URL the client used (Host header), so ``Location`` works through port forwarding."""
        host = self.headers.get("Host", "")
        if not _HOST_HEADER.match(host):
            return scim.base_url
        scheme = "https" if self.headers.get("X-Forwarded-Proto", "").lower() == "https" else "http"
        return f"{scheme}://{host}{BASE_PATH}"

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals as SCIM errors, never its HTML page.

        It answers by itself, before ``_handle``, for a request line over 64 KiB (414: the query
        string limit is far below, so 400 like any over-long query), too many or too long header
        lines (431), an unparsable request (400) and a method no ``do_*`` serves (501: a
        method SCIM does not define, so 405 like any other the app refuses).
        """
        self.close_connection = True
        error: ScimError
        if code == HTTPStatus.NOT_IMPLEMENTED:
            error = MethodNotAllowed(
                f"{(self.command or '')[:16]!r} is not an HTTP method SCIM uses; use {_METHODS}",
                headers={"Allow": _METHODS},
            )
        elif code == HTTPStatus.REQUEST_URI_TOO_LONG:
            error = InvalidSyntax(
                f"the request line is too long; query strings are limited to {MAX_QUERY_CHARS}"
            )
        elif code == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
            error = _HeadersTooLarge("too many request headers, or one too long")
        else:
            error = InvalidSyntax("the HTTP request is malformed")
        response = error_response(error)
        response.headers["X-Correlation-Id"] = uuid.uuid4().hex
        log_event(
            _LOG,
            "scim.request",
            adapter="local",
            method=(self.command or "")[:16],
            route="(before routing)",
            status=response.status,
            correlation_id=response.headers["X-Correlation-Id"],
            error_type=type(error).__name__,
        )
        if not getattr(self, "request_version", "") or self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"  # answer with a status line and headers anyway
        self._send(response)

    def _send(self, response: ScimResponse) -> None:
        payload = b""
        if response.body is not None and response.status != 204:
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class LocalScimServer(BackgroundServer):
    """The SCIM app behind a loopback HTTP server with a bearer token; port 0 picks a free port.

    >>> server = LocalScimServer(app, token="t0ken")   # doctest: +SKIP
    >>> server.start()                                 # doctest: +SKIP
    'http://127.0.0.1:54321/scim/v2'
    >>> server.stop()                                  # doctest: +SKIP
    """

    _thread_name = "scim-local"

    def __init__(
        self,
        app: ScimApp,
        *,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body_bytes: int | None = None,
    ) -> None:
        super().__init__()
        if not token:
            raise ValueError("the bearer token must not be empty")
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes if max_body_bytes is not None else app.max_body_bytes
        self._httpd = _ScimHTTPServer((host, port), self)

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{BASE_PATH}"

    def start(self) -> str:
        """Serve in a background thread; returns the base URL."""
        self._serve_in_background()
        return self.base_url


# -- command line ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local serve",
        description="Serve SCIM 2.0 at http://HOST:PORT/scim/v2 over the Connect emulator or real Connect.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port; 0 picks a free one (default: 8080)"
    )
    parser.add_argument("--token", help="bearer token to require (default: a new random one)")
    parser.add_argument(
        "--idp",
        choices=("okta", "entra", "azure", "generic"),
        default="generic",
        help="attribute mapping profile (default: generic)",
    )
    target = parser.add_argument_group("Connect target (default: an embedded emulator)")
    target.add_argument("--connect-endpoint", metavar="URL", help="a running Connect emulator or endpoint")
    target.add_argument(
        "--instance-id", metavar="ID", help="Connect instance id (alone: real Amazon Connect)"
    )
    target.add_argument("--region", help="AWS Region for real Connect (default: the ambient configuration)")
    emulator = parser.add_argument_group(
        "Connect quota (paces our calls; also the embedded emulator's throttle)"
    )
    emulator.add_argument(
        "--connect-rate",
        type=float,
        default=2.0,
        help="Connect requests/s: calls wait for it instead of being throttled; 0 = off (default: 2)",
    )
    emulator.add_argument("--connect-burst", type=int, default=5, help="quota burst (default: 5)")
    behaviour = parser.add_argument_group("provisioning behaviour (the stack config keys)")
    behaviour.add_argument("--deactivation", choices=("disable", "delete"), default="disable")
    behaviour.add_argument("--default-routing-profile", default="Basic Routing Profile")
    behaviour.add_argument(
        "--default-security-profiles", default="Agent", metavar="NAMES", help="comma-separated"
    )
    behaviour.add_argument(
        "--assignable-security-profiles", metavar="NAMES", help="comma-separated allowlist"
    )
    behaviour.add_argument("--deactivated-security-profile", default="SCIM-Deactivated")
    return parser


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return value


def settings_from_args(args: argparse.Namespace, instance_id: str, endpoint_url: str | None) -> Any:
    """The same ``Settings`` the Lambda reads from its environment, from the command line."""
    from runtime.settings import Settings

    environ = {
        "CONNECT_INSTANCE_ID": instance_id,
        "IDP_TYPE": args.idp,
        "DEACTIVATION": args.deactivation,
        "DEFAULT_ROUTING_PROFILE": args.default_routing_profile,
        "DEFAULT_SECURITY_PROFILES": args.default_security_profiles,
        "ASSIGNABLE_SECURITY_PROFILES": args.assignable_security_profiles or "",
        "DEACTIVATED_SECURITY_PROFILE": args.deactivated_security_profile,
        "AWS_REGION": args.region
        or os.environ.get("AWS_REGION", "")
        or os.environ.get("AWS_DEFAULT_REGION", ""),
        "CONNECT_ENDPOINT_URL": endpoint_url or "",
        "CONNECT_RATE_LIMIT": str(args.connect_rate),
        "CONNECT_BURST": str(args.connect_burst),
    }
    return Settings.from_env(environ)


class StartupError(Exception):
    """The server cannot start; the message says why and what to change (no traceback)."""


def discover_instance(client: Any, endpoint_url: str | None) -> str:
    """The only instance ListInstances reports; several or none is the operator's choice to make."""
    try:
        instances = client.list_instances().get("InstanceSummaryList", [])
    except Exception as exc:
        raise StartupError(
            f"could not list Connect instances at {endpoint_url or 'Amazon Connect'} ({type(exc).__name__}); "
            "is the endpoint running, or pass --instance-id"
        ) from None
    if len(instances) != 1:
        found = ", ".join(str(item.get("Id")) for item in instances) or "none"
        raise StartupError(f"the endpoint serves {len(instances)} instances ({found}); pass --instance-id")
    return str(instances[0]["Id"])


def banner(base_url: str, token: str, target: str, idp: str) -> str:
    return (
        f"connect-scim local SCIM server ({target}; idp profile {idp})\n"
        f"  SCIM base URL: {base_url}\n"
        f"  Bearer token:  {token}\n"
        "Try it:\n"
        f"  curl -s -H 'Authorization: Bearer {token}' '{base_url}/Users?startIndex=1&count=2'\n"
        "Press Ctrl-C to stop.\n"
    )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """``python -m local serve``: run until Ctrl-C (SIGINT) or SIGTERM; returns the exit status."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        token = _token(args.token)
        server, stop_emulator, description = _start(args, token)
    except StartupError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    out.write(banner(server.base_url, token, description, args.idp))
    out.flush()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous: dict[int, Any] = {}
    if in_main_thread:
        # Ctrl-C must stop the server even when started from a shell that ignores SIGINT for
        # background jobs (Python then installs no KeyboardInterrupt handler); SIGTERM likewise.
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.stop()
        stop_emulator()
        out.write("Stopped.\n")
        out.flush()
    return 0


def _token(given: str | None) -> str:
    if given is None:
        return secrets.token_urlsafe(32)
    if not _TOKEN.match(given):
        raise StartupError("--token must be 16-512 characters of letters, digits and -._~+/ (a bearer token)")
    return given


def _start(args: argparse.Namespace, token: str) -> tuple[LocalScimServer, Callable[[], None], str]:
    """Connect target, settings, app and listening socket; undone if any step fails."""
    from runtime.connect.client import connect_client
    from runtime.settings import SettingsError
    from runtime.wiring import build_app

    stop_emulator: Callable[[], None] = _nothing
    endpoint_url: str | None = args.connect_endpoint
    try:
        if endpoint_url is None and args.instance_id is None:
            from local.emulator import EmulatorServer
            from local.emulator.config import ConfigError, EmulatorConfig

            try:
                emulator = EmulatorServer(EmulatorConfig(rate=args.connect_rate, burst=args.connect_burst))
            except ConfigError as exc:
                raise StartupError(f"--connect-rate/--connect-burst: {exc}") from None
            endpoint_url = emulator.start()
            stop_emulator = emulator.stop
            throttle = (
                "off"
                if args.connect_rate == 0
                else f"{args.connect_rate:g} req/s, burst {args.connect_burst}"
            )
            target = f"embedded Connect emulator at {endpoint_url}, throttle {throttle}"
        elif endpoint_url is not None:
            target = f"Connect endpoint {endpoint_url}"
        else:
            target = "Amazon Connect (ambient AWS credentials)"
        client = connect_client(args.region, endpoint_url)
        instance_id = args.instance_id or discover_instance(client, endpoint_url)
        try:
            settings = settings_from_args(args, instance_id, endpoint_url)
            app = build_app(settings, client)
        except SettingsError as exc:
            raise StartupError(f"invalid setting: {exc}") from None
        try:
            server = LocalScimServer(app, token=token, host=args.host, port=args.port)
        except OSError as exc:
            raise StartupError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except BaseException:
        stop_emulator()
        raise
    return server, stop_emulator, f"{target}, instance {instance_id}"


def _nothing() -> None:
    """Nothing to stop (no embedded emulator)."""


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
