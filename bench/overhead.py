"""Target 5: CPU time our code spends per SCIM request, with a Connect that answers instantly.

The Lambda handler is called in-process (``runtime.handlers.provisioning.handler`` with an API
Gateway event), the app wired exactly as in Lambda, its boto3 client real; only the transport is
replaced: a ``before-send`` hook hands each request to the emulator's core (``Emulator.handle``,
no sockets) and returns its reply. The CPU time of the whole invocation (``time.thread_time``)
minus the CPU time spent inside the emulator is ours: event translation, SCIM parsing and
rendering, mapping, and botocore's serialising and parsing. A regression figure, not a target.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse

from bench.harness import Bench, okta_user, patch
from local.emulator import Emulator, Request
from runtime.connect.client import connect_client
from runtime.handlers import provisioning
from runtime.wiring import build_app

ITERATIONS = 200
SEEDED_USERS = 1_000
_HOOK_ID = "connect-scim-bench-in-process-connect"


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class InProcessConnect:
    """Answers botocore from the emulator core in the calling thread, timing the emulator's CPU."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.cpu = 0.0

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        started = time.thread_time()
        split = urlsplit(request.url)
        target = split.path + (f"?{split.query}" if split.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = body.read()
        headers = {
            k: v.decode() if isinstance(v, bytes) else str(v) for k, v in dict(request.headers).items()
        }
        reply = self.emulator.handle(Request(request.method, target, headers, body))
        self.cpu += time.thread_time() - started
        return AWSResponse(request.url, reply.status, reply.headers, _Body(reply.body))


@dataclass
class Overhead:
    operation: str
    p50_ms: float
    p99_ms: float
    samples: int


def _event(method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "resource": "/scim/v2/{proxy+}",
        "path": f"/scim/v2{path}",
        "httpMethod": method,
        "headers": {
            "Accept": "application/scim+json",
            "Content-Type": "application/scim+json",
            "Host": "abc123.execute-api.us-east-1.amazonaws.com",
        },
        "queryStringParameters": query,
        "requestContext": {"stage": "prod", "requestId": "overhead-probe"},
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def measure_overhead(bench: Bench, iterations: int = ITERATIONS) -> list[Overhead]:
    bench.reset(users=SEEDED_USERS)
    connect = InProcessConnect(bench.emulator)
    client = connect_client(endpoint_url="http://connect.in-process.invalid")
    client.meta.events.register("before-send.connect", connect, unique_id=_HOOK_ID)
    app = build_app(bench.settings("okta"), client)
    provisioning.install_app(app)
    results: list[Overhead] = []
    try:
        answers: list[dict[str, Any]] = []

        def invoke(event: dict[str, Any], expect: int) -> float:
            emulator_before = connect.cpu
            started = time.thread_time()
            answer = provisioning.handler(event, None)
            spent = time.thread_time() - started - (connect.cpu - emulator_before)
            if answer["statusCode"] != expect:
                raise AssertionError(f"{event['httpMethod']} {event['path']}: {answer}")
            answers.append(answer)
            return spent * 1000

        def run(name: str, make: Callable[[int], tuple[dict[str, Any], int]]) -> None:
            answers.clear()
            invoke(*make(-1))  # warm: caches and lazily built botocore parts
            samples = [invoke(*make(index)) for index in range(iterations)]
            ordered = sorted(samples)
            results.append(
                Overhead(
                    operation=name,
                    p50_ms=round(statistics.median(ordered), 3),
                    p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
                    samples=len(ordered),
                )
            )

        def create(index: int) -> tuple[dict[str, Any], int]:
            name = f"overhead.{index + 2}@example.com"
            return _event("POST", "/Users", okta_user(name, number=index + 2)), 201

        run("POST /Users", create)
        ids = [json.loads(answer["body"])["id"] for answer in answers]  # iterations + 1 users
        user = ids[0]
        run("GET /Users/{id}", lambda i: (_event("GET", f"/Users/{ids[i % len(ids)]}"), 200))
        run(
            'GET filter userName eq "x"',
            lambda i: (
                _event(
                    "GET", "/Users", query={"filter": f'userName eq "overhead.{i % 100 + 2}@example.com"'}
                ),
                200,
            ),
        )
        run(
            "GET /Users?count=100",
            lambda i: (_event("GET", "/Users", query={"startIndex": "1", "count": "100"}), 200),
        )
        run(
            "PATCH replace name.givenName",
            lambda i: (
                _event(
                    "PATCH",
                    f"/Users/{user}",
                    patch({"op": "replace", "path": "name.givenName", "value": f"Ivy{i % 2}"}),
                ),
                200,
            ),
        )
        run(
            "PATCH active false/true",
            lambda i: (
                _event("PATCH", f"/Users/{user}", patch({"op": "replace", "value": {"active": i % 2 == 1}})),
                200,
            ),
        )
        body = okta_user("overhead.1@example.com", number=1)
        run(
            "PUT /Users/{id} (one facet)",
            lambda i: (_event("PUT", f"/Users/{user}", {**body, "title": f"Lead {i % 2}"}), 200),
        )
        # The warm-up deletes the last user, the last sample the first: every id exactly once.
        run("DELETE /Users/{id}", lambda i: (_event("DELETE", f"/Users/{ids[len(ids) - 2 - i]}"), 204))
    finally:
        provisioning.install_app(None)
    return results
