"""What every benchmark stands on: a Connect emulator, SCIM servers over it, an HTTP client, counters.

The runtime is exercised exactly as deployed code runs it: ``runtime.wiring.build_app`` (the same
call the Lambda handler and ``python -m local serve`` make) behind the local server's HTTP adapter,
a real boto3 client, and the emulator over loopback HTTP speaking Connect's wire protocol. Connect
calls are read from the emulator's control plane (``GET /_emulator/stats``), which counts every
request it receives, retries and throttled ones included.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from local.emulator import EmulatorConfig, EmulatorServer
from local.server import LocalScimServer
from runtime.settings import Settings
from runtime.wiring import build_app

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CONNECT = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"

#: Users the emulator accepts beyond those seeded (the bench creates a few hundred).
HEADROOM_USERS = 2_000


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any


class ScimClient:
    """A keep-alive HTTP/1.1 SCIM client, one connection per thread (IdPs keep connections open)."""

    def __init__(self, base_url: str, token: str) -> None:
        split = urlsplit(base_url)
        self.base_url = base_url
        self._host = split.hostname or "127.0.0.1"
        self._port = split.port or 80
        self._prefix = split.path.rstrip("/")
        self._token = token
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
            self._local.connection = connection
        return connection

    def request(self, method: str, path: str, body: Any = None) -> Response:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/scim+json"}
        if payload is not None:
            headers["Content-Type"] = "application/scim+json"
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(method, self._prefix + path, body=payload, headers=headers)
                answer = connection.getresponse()
                raw = answer.read()
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
                continue
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                self._local.connection = None
            parsed = json.loads(raw) if raw else None
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, parsed)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_filtered(self, expression: str) -> Response:
        return self.request("GET", f"/Users?filter={quote(expression)}&startIndex=1&count=100")


class Bench:
    """One emulator for a whole benchmark run, reset between measurements."""

    def __init__(self) -> None:
        self.server = EmulatorServer(EmulatorConfig(rate=0.0))
        self.emulator = self.server.emulator

    def __enter__(self) -> Bench:
        self.server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def instance_id(self) -> str:
        return self.server.instance_id

    def reset(self, *, users: int = 0, rate: float = 0.0, burst: int = 5) -> None:
        """Seed data back, counters and buckets cleared; ``users`` bulk-seeded (no CreateUser)."""
        self.emulator.restore_config()
        self.emulator.configure(rate=rate, burst=burst, max_users=users + HEADROOM_USERS)
        self.emulator.reset()
        if users:
            self.emulator.seed_users({"count": users, "prefix": "seeded.user.", "start": 1})

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats``, as any client of the emulator reads it."""
        with urllib.request.urlopen(f"{self.url}/_emulator/stats", timeout=10) as answer:
            document: dict[str, Any] = json.loads(answer.read())
        return document

    def calls(self) -> Counter[str]:
        return Counter({op: entry["calls"] for op, entry in self.stats()["operations"].items()})

    def totals(self) -> tuple[int, int]:
        """(calls, throttled) over every operation since the last reset."""
        operations = self.stats()["operations"].values()
        return sum(e["calls"] for e in operations), sum(e["throttled"] for e in operations)

    @contextmanager
    def measure(self) -> Iterator[Counter[str]]:
        """The Connect calls made inside the block, by operation."""
        before = self.calls()
        spent: Counter[str] = Counter()
        yield spent
        spent.update(self.calls() - before)

    def settings(self, idp: str = "okta", *, rate: float = 0.0, burst: int = 5, **overrides: Any) -> Settings:
        return Settings(
            instance_id=self.instance_id,
            idp=idp,  # type: ignore[arg-type]
            connect_endpoint_url=self.url,
            region="us-east-1",
            connect_rate_limit=rate,
            connect_burst=burst,
            **overrides,
        )

    @contextmanager
    def serve(self, idp: str = "okta", *, rate: float = 0.0, burst: int = 5) -> Iterator[ScimClient]:
        """A fresh app (cold name caches, like a new execution environment) on a loopback server.

        ``rate``/``burst`` pace the app's Connect client, as ``--connect-rate/--connect-burst`` do.
        """
        token = secrets.token_urlsafe(24)
        server = LocalScimServer(build_app(self.settings(idp, rate=rate, burst=burst)), token=token)
        base_url = server.start()
        try:
            yield ScimClient(base_url, token)
        finally:
            server.stop()


def okta_user(name: str, *, number: int = 0) -> dict[str, Any]:
    """What Okta POSTs for an assigned user with the Connect app's profile mappings."""
    return {
        "schemas": [CORE],
        "userName": name,
        "name": {"givenName": "Ivy", "familyName": f"Nguyen {number}"},
        "emails": [{"primary": True, "value": name, "type": "work"}],
        "displayName": f"Ivy Nguyen {number}",
        "externalId": f"00u{number:08d}okta",
        "active": True,
        "phoneNumbers": [{"type": "mobile", "value": f"+1425555{number % 10000:04d}"}],
        "entitlements": [{"value": "Agent"}],
        "roles": [{"value": "Basic Routing Profile"}],
    }


def entra_user(name: str, *, number: int = 0) -> dict[str, Any]:
    """What Entra POSTs with the default mappings plus department → security profiles."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "externalId": f"0a21f0f2-0000-4f8e-bf98-{number:012d}",
        "userName": name,
        "active": True,
        "displayName": "Test User",
        "emails": [{"primary": True, "type": "work", "value": name}],
        "name": {"formatted": "Test User", "familyName": "User", "givenName": "Test"},
        "phoneNumbers": [{"type": "mobile", "value": "+1 425 555 0199"}],
        ENTERPRISE: {"department": "Agent, QualityAnalyst"},
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}
