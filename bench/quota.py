"""Targets 2 and 3: how well an onboarding run uses Connect's quota, and what a re-sync costs.

**Utilisation.** An Okta-like driver onboards ``ONBOARD`` users (GET by userName, then POST) and
deactivates ``DEACTIVATE`` of them, at concurrency 1 and 4, against the emulator throttled at 10x
Connect's rate (20/s, burst 50) so the run is short; the app paces its Connect client to the same
rate and burst (what ``python -m local serve --connect-rate 20 --connect-burst 50`` does). The work
needs a fixed number of Connect calls; utilisation is those calls over what the quota allowed in
the wall time: ``(calls - throttled) / (rate x wall)``. The burst lets the first 50 calls go at
once, so the figure can exceed 1 on short runs; the stricter ``(calls - throttled) / (burst + rate
x wall)`` is reported beside it.

**Steady-state re-sync.** After onboarding, Entra's periodic cycle is replayed over the same,
unchanged users: GET each by userName, compare with what the IdP holds, PATCH only differences.
Throttling is off for this part: it measures calls, not time.
"""

from __future__ import annotations

import functools
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.harness import Bench, okta_user
from bench.idp import DriverStats, IdpDriver

RATE = 20.0
BURST = 50
ONBOARD = 300
DEACTIVATE = 100
CONCURRENCIES = (1, 4)
#: The comparison without pacing: smaller, since it only has to show the waste.
UNPACED_USERS = 60
UNPACED_DEACTIVATE = 20
UNPACED_CONCURRENCIES = (1, 4)
READS = frozenset({"SearchUsers", "DescribeUser", "ListSecurityProfiles", "ListRoutingProfiles"})


@dataclass
class UtilisationRun:
    paced: bool
    concurrency: int
    users: int
    deactivated: int
    wall_seconds: float
    calls: int
    throttled: int
    operations: int
    failed: int
    responses_429: int
    responses_5xx: int
    by_operation: dict[str, dict[str, int]]
    timeline: list[dict[str, Any]]
    failures: list[str] = field(default_factory=list)

    @property
    def needed(self) -> int:
        return self.calls - self.throttled

    @property
    def utilisation(self) -> float:
        return self.needed / (RATE * self.wall_seconds)

    @property
    def strict_utilisation(self) -> float:
        return self.needed / (BURST + RATE * self.wall_seconds)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            needed=self.needed,
            utilisation=round(self.utilisation, 4),
            strict_utilisation=round(self.strict_utilisation, 4),
            rate=RATE,
            burst=BURST,
        )
        return data


@dataclass
class ResyncRun:
    users: int
    reads: int
    writes: int
    patches_sent: int
    by_operation: dict[str, int]
    failed: int

    @property
    def reads_per_user(self) -> float:
        return self.reads / self.users

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "reads_per_user": round(self.reads_per_user, 4)}


def user_name(number: int) -> str:
    return f"agent.{number:04d}@example.com"


def run_utilisation(
    bench: Bench,
    concurrency: int,
    *,
    users: int = ONBOARD,
    deactivate: int = DEACTIVATE,
    paced: bool = True,
) -> tuple[UtilisationRun, dict[str, dict[str, Any]]]:
    """One onboarding + deactivation run; also returns the IdP's view of the users it made.

    ``paced=False`` runs the same work with botocore's retries alone (no client-side pacing),
    the comparison that shows why pacing exists.
    """
    bench.reset(rate=RATE, burst=BURST)
    created: dict[str, dict[str, Any]] = {}
    stats = DriverStats()
    with bench.serve("okta", rate=RATE if paced else 0.0, burst=BURST) as client:
        driver = IdpDriver(client, stats)
        onboard = [
            functools.partial(driver.okta_onboard, user_name(n), n, created) for n in range(1, users + 1)
        ]
        started = time.monotonic()
        driver.run(onboard, concurrency)
        ids = [created[user_name(n)]["id"] for n in range(1, deactivate + 1) if user_name(n) in created]
        driver.run([functools.partial(driver.okta_deactivate, i) for i in ids], concurrency)
        wall = time.monotonic() - started
    document = bench.stats()
    operations = document["operations"]
    run = UtilisationRun(
        paced=paced,
        concurrency=concurrency,
        users=users,
        deactivated=len(ids),
        wall_seconds=round(wall, 3),
        calls=sum(e["calls"] for e in operations.values()),
        throttled=sum(e["throttled"] for e in operations.values()),
        operations=stats.operations,
        failed=stats.failed,
        responses_429=stats.responses_429,
        responses_5xx=stats.responses_5xx,
        by_operation={op: {"calls": e["calls"], "throttled": e["throttled"]} for op, e in operations.items()},
        timeline=document.get("timeline", []),
        failures=stats.failures,
    )
    expected = {}
    for number in range(1, users + 1):
        name = user_name(number)
        record = okta_user(name, number=number)
        record["active"] = number > deactivate
        expected[name] = record
    return run, expected


def run_resync(bench: Bench, expected: dict[str, dict[str, Any]]) -> ResyncRun:
    """Entra's cycle over unchanged users, on a warm app (its name caches are steady state)."""
    bench.emulator.configure(rate=0.0)
    stats = DriverStats()
    with bench.serve("okta") as client:
        driver = IdpDriver(client, stats)
        driver.call("GET", "/Users?startIndex=1&count=1", ok=(200,))  # the container is warm
        patches = [0]

        def resync(record: dict[str, Any]) -> None:
            patches[0] += driver.entra_resync(record)

        with bench.measure() as spent:
            driver.run([functools.partial(resync, record) for record in expected.values()], 1)
    reads = sum(count for op, count in spent.items() if op in READS)
    return ResyncRun(
        users=len(expected),
        reads=reads,
        writes=sum(spent.values()) - reads,
        patches_sent=patches[0],
        by_operation=dict(spent),
        failed=stats.failed,
    )
