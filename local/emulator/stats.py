"""Per-operation call counters behind ``GET /_emulator/stats``.

Benchmarks and tests read these to prove how many Connect calls a SCIM request cost, so every request
that reaches an operation counts, throttled, failed and dropped ones included.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Literal

Outcome = Literal["throttled", "errors", "faults", "dropped"]
FIELDS: tuple[str, ...] = ("calls", "throttled", "errors", "faults", "dropped")


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}

    def call(self, operation: str) -> None:
        self._add(operation, "calls")

    def outcome(self, operation: str, outcome: Outcome) -> None:
        self._add(operation, outcome)

    def _add(self, operation: str, field: str) -> None:
        with self._lock:
            self._counts.setdefault(operation, Counter())[field] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{"CreateUser": {"calls": 3, "throttled": 1, "errors": 1, "faults": 0, "dropped": 0}}``;
        ``errors`` counts every error answer (throttling and faults included)."""
        with self._lock:
            return {
                operation: {name: counts[name] for name in FIELDS}
                for operation, counts in sorted(self._counts.items())
            }

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
