"""Emulator settings, and which of them a running emulator may change.

Tests flip throttling, faults and case rules on a live emulator (``POST /_emulator/config``), so the
config is an immutable value replaced as a whole: a request handled concurrently sees either the old
or the new settings, never half of each.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Connect's documented defaults: 2 requests/s with a burst of 5 per account and Region, and 500 users
# per instance (connect-api.md §6).
DEFAULT_RATE = 2.0
DEFAULT_BURST = 5
DEFAULT_MAX_USERS = 500
MAX_LATENCY_MS = 60_000.0


class ConfigError(ValueError):
    """A setting has the wrong type or is out of range; the message names the setting."""


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    rate: float = DEFAULT_RATE
    """Token refill per second; 0 turns throttling off."""
    burst: int = DEFAULT_BURST
    per_operation_throttle: bool = False
    """One bucket per operation (the API reference's newer wording) instead of one per account."""
    fault_rate: float = 0.0
    """Share of Connect calls answered with InternalServiceException 500 (nothing applied)."""
    drop_rate: float = 0.0
    """Share of write calls applied but never answered: the connection is closed, like a lost reply."""
    latency_ms: float = 0.0
    max_users: int = DEFAULT_MAX_USERS
    username_unique_case_sensitive: bool = False
    exact_search_case_insensitive: bool = False
    random_seed: int = 0
    """Seeds fault/drop draws and generated ids, so a failing run can be replayed."""
    seed_path: Path | None = None
    """Seed data file; ``None`` means the packaged ``seed.json``."""
    state_path: Path | None = None
    """Where state persists across restarts; ``None`` keeps it in memory only."""

    def __post_init__(self) -> None:
        _check_number("rate", self.rate, 0.0, None)
        _check_int("burst", self.burst, 1)
        _check_number("fault_rate", self.fault_rate, 0.0, 1.0)
        _check_number("drop_rate", self.drop_rate, 0.0, 1.0)
        _check_number("latency_ms", self.latency_ms, 0.0, MAX_LATENCY_MS)
        _check_int("max_users", self.max_users, 0)
        _check_int("random_seed", self.random_seed, None)
        _check_int("port", self.port, 0)
        for name in (
            "per_operation_throttle",
            "username_unique_case_sensitive",
            "exact_search_case_insensitive",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false")

    def with_changes(self, changes: dict[str, Any]) -> EmulatorConfig:
        """A copy with runtime-changeable settings replaced; anything else is refused by name."""
        unknown = sorted(set(changes) - RUNTIME_SETTINGS)
        if unknown:
            changeable = ", ".join(sorted(RUNTIME_SETTINGS))
            raise ConfigError(f"cannot change {', '.join(unknown)} at runtime; changeable: {changeable}")
        return dataclasses.replace(self, **changes)

    def runtime_view(self) -> dict[str, Any]:
        """The settings a client may read and change, as JSON-ready values."""
        return {name: getattr(self, name) for name in sorted(RUNTIME_SETTINGS)}


RUNTIME_SETTINGS = frozenset(
    {
        "rate",
        "burst",
        "per_operation_throttle",
        "fault_rate",
        "drop_rate",
        "latency_ms",
        "max_users",
        "username_unique_case_sensitive",
        "exact_search_case_insensitive",
        "random_seed",
    }
)


def _check_number(name: str, value: object, low: float, high: float | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number")
    if value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ConfigError(f"{name} must be {bound}")


def _check_int(name: str, value: object, low: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer")
    if low is not None and value < low:
        raise ConfigError(f"{name} must be at least {low}")
