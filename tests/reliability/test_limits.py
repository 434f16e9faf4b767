"""Size and depth limits hold at both doors: the local server (HTTP) and the Lambda handler (proxy events).

The limits (README "Security and reliability"): bodies up to 64 KiB (413 beyond), JSON nested up
to 16 levels (400 beyond), integers up to 19 digits, query strings up to 8192 characters (400
beyond; a filter up to 4096 characters, 100 comparisons, 32 levels). Each is probed just inside
and just outside, through both adapters, and every refusal is a SCIM error body. The local
server also answers http.server's own refusals (request line over 64 KiB, header floods, garbage,
methods SCIM does not use) as SCIM errors instead of HTML pages.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from local.emulator import EmulatorConfig
from runtime.handlers import provisioning
from runtime.scim.errors import ERROR_SCHEMA
from runtime.scim.filter import MAX_DEPTH as FILTER_DEPTH
from runtime.scim.filter import MAX_FILTER_LENGTH, MAX_TERMS
from runtime.scim.http import MAX_QUERY_CHARS
from runtime.scim.jsonbody import MAX_BODY_BYTES, MAX_DEPTH, MAX_INTEGER_DIGITS
from runtime.scim.openapi import build_openapi

from .idp import CORE
from .stack import Stack, running_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack(EmulatorConfig(rate=0.0)) as running:
        provisioning.install_app(running.app)
        try:
            yield running
        finally:
            provisioning.install_app(None)


def _padded_user(size: int, name: str) -> bytes:
    """A valid user body of exactly ``size`` bytes (whitespace padding inside the object)."""
    core = json.dumps({"schemas": [CORE], "userName": name}).encode()
    return core[:-1] + b" " * (size - len(core)) + b"}"


def _nested_user(depth: int) -> bytes:
    """A user body whose deepest value sits ``depth`` arrays/objects deep (the body itself is 1)."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    return f'{{"schemas": ["{CORE}"], "userName": "deep{depth}@example.net", "x": {inner}}}'.encode()


class Doors:
    """The same request through the local server and through the Lambda handler."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def http(self, method: str, target: str, body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
        return raw_http(
            self.stack,
            f"{method} /scim/v2{target} HTTP/1.1\r\n".encode()
            + f"Host: 127.0.0.1\r\nAuthorization: Bearer {self.stack.token}\r\n".encode()
            + b"Content-Type: application/scim+json\r\n"
            + (f"Content-Length: {len(body)}\r\n".encode() if body is not None else b"")
            + b"\r\n"
            + (body or b""),
        )

    def lambda_(
        self, method: str, path: str, body: bytes | None = None, query: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        event = {
            "path": f"/scim/v2{path}",
            "httpMethod": method,
            "headers": {"Host": "api.example.com", "Content-Type": "application/scim+json"},
            "queryStringParameters": query,
            "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
            "requestContext": {"stage": "dev", "requestId": "limits"},
            "body": body.decode() if body is not None else None,
            "isBase64Encoded": False,
        }
        response = provisioning.handler(event, None)
        return response["statusCode"], json.loads(response["body"]) if response["body"] else None


def raw_http(stack: Stack, request: bytes) -> tuple[int, dict[str, str], Any]:
    with socket.create_connection((stack.server.host, stack.server.port), timeout=10) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(payload) if payload else None


@pytest.fixture
def doors(stack: Stack) -> Doors:
    return Doors(stack)


def _is_scim_error(status: int, body: Any, scim_type: str | None = None) -> bool:
    return (
        isinstance(body, dict)
        and body.get("schemas") == [ERROR_SCHEMA]
        and body.get("status") == str(status)
        and (scim_type is None or body.get("scimType") == scim_type)
    )


def test_a_body_at_the_size_limit_is_read_and_one_byte_more_is_413_at_both_doors(doors: Doors) -> None:
    status, _, created = doors.http("POST", "/Users", _padded_user(MAX_BODY_BYTES, "at.limit@example.net"))
    assert status == 201, created
    status, _, body = doors.http("POST", "/Users", _padded_user(MAX_BODY_BYTES + 1, "over.limit@example.net"))
    assert status == 413 and _is_scim_error(status, body)
    status, created = doors.lambda_("POST", "/Users", _padded_user(MAX_BODY_BYTES, "at.limit2@example.net"))
    assert status == 201, created
    status, body = doors.lambda_(
        "POST", "/Users", _padded_user(MAX_BODY_BYTES + 1, "over.limit2@example.net")
    )
    assert status == 413 and _is_scim_error(status, body)


def test_the_local_server_refuses_an_oversized_body_from_its_length_before_reading_it(stack: Stack) -> None:
    head = (
        f"POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {stack.token}\r\n"
        f"Content-Type: application/scim+json\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n"
    ).encode()
    status, headers, body = raw_http(stack, head + b"{")  # 50 MiB announced, 1 byte sent
    assert status == 413 and _is_scim_error(status, body)
    assert headers.get("connection") == "close"


def test_nesting_at_the_depth_limit_is_parsed_and_one_level_more_is_400_at_both_doors(doors: Doors) -> None:
    def via_http(body: bytes) -> tuple[int, Any]:
        status, _, answer = doors.http("POST", "/Users", body)
        return status, answer

    def via_lambda(body: bytes) -> tuple[int, Any]:
        return doors.lambda_("POST", "/Users", body)

    for send in (via_http, via_lambda):
        status, body = send(_nested_user(MAX_DEPTH))
        assert not (status == 400 and "nests deeper" in body["detail"]), body
        status, body = send(_nested_user(MAX_DEPTH + 1))
        assert status == 400 and _is_scim_error(status, body, "invalidSyntax")
        assert "nests deeper" in body["detail"]
        status, body = send(_nested_user(30_000))  # far beyond Python's recursion limit, under 64 KiB
        assert status == 400 and _is_scim_error(status, body, "invalidSyntax")


def test_integers_longer_than_the_limit_are_400(doors: Doors) -> None:
    body = f'{{"schemas": ["{CORE}"], "userName": "n@example.net", "x": {"9" * (MAX_INTEGER_DIGITS + 1)}}}'
    status, answer = doors.lambda_("POST", "/Users", body.encode())
    assert status == 400 and _is_scim_error(status, answer, "invalidSyntax")


def test_query_strings_over_the_limit_are_400_at_both_doors(doors: Doors) -> None:
    pad = "x" * (MAX_QUERY_CHARS - len("attributes=") - len("&a=") - 1)
    inside = f"attributes=userName&a={pad}"[:MAX_QUERY_CHARS]
    status, _, body = doors.http("GET", f"/Users?{inside}")
    assert status == 200, body
    status, _, body = doors.http("GET", f"/Users?{inside}yy")
    assert (
        status == 400 and _is_scim_error(status, body, "invalidSyntax") and "query string" in body["detail"]
    )
    status, body = doors.lambda_("GET", "/Users", query={"a": "x" * MAX_QUERY_CHARS})
    assert (
        status == 400 and _is_scim_error(status, body, "invalidSyntax") and "query string" in body["detail"]
    )
    status, body = doors.lambda_("GET", "/Users", query={"count": "1", "a": "x" * 100})
    assert status == 200, body


def test_filters_beyond_their_own_limits_are_400_invalid_filter(doors: Doors) -> None:
    too_long = 'userName eq "' + "x" * MAX_FILTER_LENGTH + '"'
    too_many = " or ".join(['userName eq "x"'] * (MAX_TERMS + 1))
    too_deep = "(" * (FILTER_DEPTH + 1) + 'userName eq "x"' + ")" * (FILTER_DEPTH + 1)
    for text in (too_long, too_many, too_deep):
        status, body = doors.lambda_("GET", "/Users", query={"filter": text})
        assert status == 400 and _is_scim_error(status, body, "invalidFilter"), body


def test_transport_level_refusals_of_the_local_server_are_scim_errors_not_html(stack: Stack) -> None:
    auth = f"Authorization: Bearer {stack.token}\r\n".encode()
    cases = {
        "request line over 64 KiB": (
            b"GET /scim/v2/Users?a=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        "header line over 64 KiB": (
            b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + b"X-Big: " + b"x" * 70_000 + b"\r\n\r\n",
            431,
        ),
        "header flood": (
            b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: a\r\n" % i for i in range(150))
            + b"\r\n",
            431,
        ),
        "garbage": (b"GARBAGE\r\n\r\n", 400),
        "unknown method": (b"BREW /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n", 405),
        "TRACE": (b"TRACE /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n", 405),
    }
    for name, (request, expected) in cases.items():
        status, headers, body = raw_http(stack, request)
        assert status == expected, name
        assert headers["content-type"].startswith("application/scim+json"), name
        assert _is_scim_error(status, body), (name, body)
        if expected == 405:
            assert headers["allow"] == "GET, POST, PUT, PATCH, DELETE"


def test_a_transfer_encoding_the_server_does_not_read_is_a_documented_411_on_any_operation(
    stack: Stack,
) -> None:
    """schemathesis found a GET carrying ``Transfer-Encoding: G`` answered 411, a status the
    OpenAPI document did not list; every operation now documents it (with 400 and 401)."""
    request = (
        b"GET /scim/v2/ResourceTypes/User HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: Bearer {stack.token}\r\n".encode()
        + b"Transfer-Encoding: G\r\n\r\n"
    )
    status, headers, body = raw_http(stack, request)
    assert status == 411
    assert _is_scim_error(status, body)
    assert headers["connection"].lower() == "close"  # the unread body cannot desynchronise the stream
    for path, item in build_openapi()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert {"400", "401", "411"} <= set(operation["responses"]), (method, path)
