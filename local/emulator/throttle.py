"""Connect's API rate quota as token buckets.

Connect answers HTTP 429 ThrottlingException once an account's bucket (2 requests/s, burst 5) is
empty; every operation draws from the same bucket by default. ``per_operation`` gives each operation
its own bucket, the literal reading of the newer API reference (connect-api.md §6).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

ACCOUNT = "*"


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()

    def try_take(self) -> bool:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class Throttle:
    """Decides, per call, whether the quota lets it through. A rate of 0 turns throttling off."""

    def __init__(
        self, rate: float, burst: int, per_operation: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.per_operation = per_operation
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def allow(self, operation: str) -> bool:
        if self.rate <= 0:
            return True
        key = operation if self.per_operation else ACCOUNT
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self._clock)
            return bucket.try_take()
