"""Client-side pacing: Connect calls wait for the account's quota instead of being throttled.

Amazon Connect allows about 2 requests/s with a burst of 5 per account and Region. A call sent
into an empty bucket is answered 429 ThrottlingException, and botocore's standard retry mode
sleeps ``rand(0, 1) * 2^(attempt-1)`` seconds and tries again: a round trip for nothing, a
request stalled, and once the bounded attempts run out a SCIM 429 the IdP has to wait out. A
SCIM PUT touching six facets (seven calls) against an empty bucket would meet several of them.
(``make bench`` compares: unpaced, a sizeable share of the calls is throttled and some requests
run out of retries; paced, none is throttled.)

A ``Pacer`` is the same token bucket Connect keeps, held by the caller: before a request leaves
(every attempt, retries included: the hook is botocore's ``before-send``), it takes a token,
sleeping exactly until one is due. Requests then arrive at the rate Connect accepts, none is
throttled, and no request waits out a random backoff or surfaces as a 429. Reservations are taken under a
lock and slept outside it, so concurrent threads queue in arrival order without holding it.

**One token of the burst is kept in reserve.** Connect counts a request when it arrives, the
pacer when it leaves; network jitter can make two requests paced ``1/rate`` apart arrive closer
than that. With the pacer allowed the whole burst, the service's bucket would sit at zero in a
steady stream and the early arrival would be throttled; keeping one token spare absorbs up to
``1/rate`` seconds of jitter (500 ms at Connect's rate) for a one-token smaller initial burst.
(Measured with the benchmark's onboarding run: the whole burst drew one throttle per ~500 calls,
one token spare none in 3,000.)

**The fleet.** Each Lambda execution environment paces itself at the whole account rate: a
single environment, which is what a sequential IdP (Okta, Entra) usually reaches, can then use
the entire quota. Environments do not coordinate, so they can overlap; the overlap is bounded by
the provisioning function's reserved concurrency and the API stage's rate and burst limits
(``components/limits.py``: at most 5 environments, about one SCIM request per second admitted).
Other tools in the account share the quota too. Throttles that still happen are retried by
botocore (standard mode, bounded attempts), paced like any other attempt, and a quota that stays
exhausted is answered to the IdP as SCIM 429 with ``Retry-After``, which Okta and Entra honour.

**Waits are bounded** (``max_wait``, 10 s). A Lambda environment serves one request at a time,
so its own calls never book the quota that far ahead; a local server with many concurrent IdP
connections can. A call whose token is further away than that is not sent: it fails at once as
``QuotaBusy`` (a ``Throttled``), which the IdP receives as SCIM 429 with ``Retry-After`` set to
the wait, instead of a request that hangs past the IdP's own timeout.

Configured by ``CONNECT_RATE_LIMIT`` / ``CONNECT_BURST`` (``runtime.settings``; Connect's 2/s and
5 by default) or ``python -m local serve --connect-rate/--connect-burst``; a rate of 0 turns
pacing off. Standard library only: it runs in Lambda.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from runtime.connect.model import Throttled

PACING_HOOK_ID = "connect-scim-pace-to-account-quota"
DEFAULT_MAX_WAIT = 10.0
_EVENT = "before-send.connect"


class QuotaBusy(Throttled):
    """The next token is further away than ``max_wait``: answer 429 now rather than hang."""

    def __init__(self, wait: float) -> None:
        super().__init__(
            f"this environment has booked Amazon Connect's quota for the next {wait:.0f} s",
            retry_after=max(1, math.ceil(wait)),
        )
        self.wait = wait


class Pacer:
    """A thread-safe token bucket that makes callers wait for their token (never refuses one)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        headroom: int = 1,
        max_wait: float | None = DEFAULT_MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("a pacer needs a positive rate (requests per second)")
        if burst < 1:
            raise ValueError("a pacer needs a burst of at least 1")
        if headroom < 0:
            raise ValueError("the headroom cannot be negative")
        self.rate = float(rate)
        self.burst = burst
        #: Tokens the pacer may spend at once: the burst less the jitter headroom, at least one.
        self.capacity = max(1, burst - headroom)
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(self.capacity)
        self._updated = clock()
        self.waited = 0.0
        """Seconds spent waiting so far, summed over every caller (observability and tests)."""

    def reserve(self) -> float:
        """Take the next token and return how long to wait for it (0 when one is available now).

        Tokens may go negative: each caller owns the debt it created, so the next caller's wait
        is one interval longer and callers are served in the order they arrived. A wait longer
        than ``max_wait`` raises ``QuotaBusy`` without taking the token.
        """
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.capacity), self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            wait = 0.0 if self._tokens >= 1.0 else (1.0 - self._tokens) / self.rate
            if self.max_wait is not None and wait > self.max_wait:
                raise QuotaBusy(wait)
            self._tokens -= 1.0
            self.waited += wait
            return wait

    def acquire(self) -> float:
        """Wait for a token; returns the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


def install_pacing(client: Any, pacer: Pacer | None) -> None:
    """Pace every request ``client`` sends to Connect (idempotent; ``None`` removes pacing).

    ``before-send`` fires once per attempt, just before the HTTP request leaves, so botocore's
    retries are paced too and the time spent signing and serialising is not counted twice.
    """
    events = client.meta.events
    events.unregister(_EVENT, unique_id=PACING_HOOK_ID)
    if pacer is None:
        return

    def pace(**_: Any) -> None:
        pacer.acquire()  # returning None lets botocore send the request

    events.register(_EVENT, pace, unique_id=PACING_HOOK_ID)


def pacer_for(rate: float, burst: int) -> Pacer | None:
    """The pacer for a configured rate, or ``None`` when the rate is 0 (pacing off)."""
    return Pacer(rate, burst) if rate > 0 else None
