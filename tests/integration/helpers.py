"""Shared values and builders for the integration tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from runtime.service.users import UserService

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CONNECT = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

UsersFactory = Callable[..., UserService]
"""``users(idp="okta", max_attempts=3, **settings)`` from conftest."""
Seeded = tuple[UserService, dict[str, Any]]


@functools.cache
def boto_session() -> Any:
    """One boto3 session for every client: a session per client reloads Connect's large model."""
    return boto3.session.Session()


class Budget:
    """Connect calls made inside ``measure()`` blocks, by operation (the emulator's counters)."""

    def __init__(self, emulator: Any) -> None:
        self._emulator = emulator

    def _snapshot(self) -> Counter[str]:
        operations = self._emulator.stats()["operations"]
        return Counter({name: entry["calls"] for name, entry in operations.items()})

    @contextmanager
    def measure(self) -> Iterator[Counter[str]]:
        before = self._snapshot()
        result: Counter[str] = Counter()
        yield result
        after = self._snapshot()
        result.update(
            {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
        )


def user_body(username: str = "alice@example.com", /, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [CORE],
        "userName": username,
        "name": {"givenName": "Alice", "familyName": "Smith"},
        "active": True,
    }
    body.update(extra)
    return body


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}
