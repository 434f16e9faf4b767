"""The object the ``emulator`` pytest fixture yields, kept here so it is type-checked and importable.

Integration and end-to-end tests across the project use it; its surface is a contract:

``url`` / ``instance_id``
    the ``endpoint_url`` to give boto3 and the seeded SAML instance's id.
``connect_client(max_attempts=1, mode="standard", **config)``
    a boto3 Connect client on the emulator (dummy credentials, us-east-1). ``max_attempts`` counts
    every attempt, the first included: one by default, so a test sees the first error. (It is sent
    as botocore's ``total_max_attempts``: botocore's own ``retries={"max_attempts": n}`` means n
    *retries*, i.e. n+1 attempts.)
``stats()`` / ``calls(operation)``
    ``{"instanceId": ..., "operations": {"CreateUser": {"calls": 3, "throttled": 1, ...}}}`` / one count.
``configure(**settings)``
    change runtime settings (``rate``, ``burst``, ``per_operation_throttle``, ``fault_rate``,
    ``drop_rate``, ``latency_ms``, ``max_users``, ``username_unique_case_sensitive``,
    ``exact_search_case_insensitive``, ``random_seed``); undone by ``reset()``.
``reset()``
    seed data back, counters cleared, settings back to the fixture's baseline.
``seed_users(count=N, prefix="bench-user-")`` / ``seed_users(users=[...])``
    put users straight into state without counting calls; returns their ids.
``security_profile_id(name)`` / ``routing_profile_id(name)`` / ``hierarchy_group_id(name)``
    seed ids by name (``"Agent"``, ``"Basic Routing Profile"``, ``"Support"``...).
``state()``
    the whole state document (``GET /_emulator/state``).
``schedule_faults(*entries)`` / ``journal()``
    fail chosen calls (``{"kind": "fault"|"throttle"|"drop", "operation": "TagResource"|"writes"|"*",
    "skip": 0, "times": 1}``, see ``local.emulator.schedule``) / the operations called since the
    last ``reset()``, in order. ``reset()`` clears both.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from local.emulator.server import EmulatorServer

REGION = "us-east-1"


@functools.cache
def _session() -> Any:
    # One session for every test client: building a session per client reloads Connect's large model.
    return boto3.session.Session()


class EmulatorHandle:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.emulator = server.emulator

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def instance_id(self) -> str:
        return self.emulator.instance_id

    def connect_client(self, max_attempts: int = 1, mode: str = "standard", **config: Any) -> Any:
        settings = {"retries": {"mode": mode, "total_max_attempts": max_attempts}, **config}
        return _session().client(
            "connect",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="x",
            aws_secret_access_key="x",  # noqa: S106 - the emulator accepts any credentials
            config=Config(**settings),
        )

    def stats(self) -> dict[str, Any]:
        return self.emulator.stats()

    def calls(self, operation: str) -> int:
        counts: dict[str, int] = self.emulator.stats()["operations"].get(operation, {})
        return counts.get("calls", 0)

    def configure(self, **settings: Any) -> None:
        self.emulator.configure(**settings)

    def reset(self) -> None:
        self.emulator.restore_config()
        self.emulator.reset()

    def seed_users(
        self, count: int = 0, prefix: str = "bench-user-", users: list[dict[str, Any]] | None = None
    ) -> list[str]:
        spec: dict[str, Any] = {"users": users} if users is not None else {"count": count, "prefix": prefix}
        return self.emulator.seed_users(spec)

    def state(self) -> dict[str, Any]:
        return self.emulator.state_document()

    def schedule_faults(self, *entries: dict[str, Any]) -> None:
        self.emulator.schedule_faults(list(entries))

    def journal(self) -> list[str]:
        journal: list[str] = self.emulator.faults()["journal"]
        return journal

    def security_profile_id(self, name: str) -> str:
        return self._id_named("securityProfiles", name)

    def routing_profile_id(self, name: str) -> str:
        return self._id_named("routingProfiles", name)

    def hierarchy_group_id(self, name: str) -> str:
        return self._id_named("hierarchyGroups", name)

    def _id_named(self, collection: str, name: str) -> str:
        for item in self.emulator.state_document()[collection]:
            if item["name"] == name:
                return str(item["id"])
        raise KeyError(f"no {collection} entry named {name!r} in the emulator's state")
