"""Helpers shared by the emulator's tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from local.emulator.core import Reply, Request
from local.emulator.testing import EmulatorHandle

MakeUser = Callable[..., str]


@dataclass(frozen=True)
class SeedIds:
    instance: str
    admin: str
    agent: str
    manager: str
    deactivated: str
    basic: str
    sales: str
    americas: str
    support: str
    europe: str


def raw(emulator: EmulatorHandle, method: str, target: str, body: bytes = b"") -> Reply:
    """A request boto3 would refuse to send (it checks types and minimums client-side), in process."""
    return emulator.emulator.handle(Request(method, target, {"Content-Type": "application/json"}, body))
