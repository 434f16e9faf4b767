"""Per-operation call counters behind ``GET /_emulator/stats``.

Benchmarks and tests read these to prove how many Connect calls a SCIM request cost, so every request
that reaches an operation counts, throttled, failed and dropped ones included.

The per-second ``timeline`` (calls and throttled calls in each second since the counters were last
cleared) is what the benchmark plots against the quota line: sampling the totals from outside would
blur the seconds the quota is judged in. Only the last ``TIMELINE_SECONDS`` seconds are kept.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

Outcome = Literal["throttled", "errors", "faults", "dropped"]
FIELDS: tuple[str, ...] = ("calls", "throttled", "errors", "faults", "dropped")
TIMELINE_FIELDS: tuple[str, ...] = ("calls", "throttled")
TIMELINE_SECONDS = 3600


class Stats:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}
        self._clock = clock
        self._started = clock()
        self._seconds: dict[int, Counter[str]] = {}

    def call(self, operation: str) -> None:
        self._add(operation, "calls")

    def outcome(self, operation: str, outcome: Outcome) -> None:
        self._add(operation, outcome)

    def _add(self, operation: str, field: str) -> None:
        with self._lock:
            self._counts.setdefault(operation, Counter())[field] += 1
            if field in TIMELINE_FIELDS:
                second = int(self._clock() - self._started)
                if second not in self._seconds:
                    self._seconds[second] = Counter()
                    for stale in [s for s in self._seconds if s <= second - TIMELINE_SECONDS]:
                        del self._seconds[stale]
                self._seconds[second][field] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{"CreateUser": {"calls": 3, "throttled": 1, "errors": 1, "faults": 0, "dropped": 0}}``;
        ``errors`` counts every error answer (throttling and faults included)."""
        with self._lock:
            return {
                operation: {name: counts[name] for name in FIELDS}
                for operation, counts in sorted(self._counts.items())
            }

    def timeline(self) -> list[dict[str, Any]]:
        """``[{"second": 0, "calls": 12, "throttled": 2}, ...]``: every second from the first call
        to the last (quiet seconds as zeros), counted from when the counters were cleared."""
        with self._lock:
            if not self._seconds:
                return []
            first, last = min(self._seconds), max(self._seconds)
            return [
                {
                    "second": second,
                    **{name: self._seconds.get(second, Counter())[name] for name in TIMELINE_FIELDS},
                }
                for second in range(first, last + 1)
            ]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._seconds.clear()
            self._started = self._clock()
