"""Load: 8 IdP-like clients, 2,000 mixed SCIM requests, one local server, a throttled Connect.

The emulator allows 50 Connect calls/s with a burst of 100 and the server paces itself to that
quota. Eight clients, each owning its own users (an IdP never sends two requests for one user at
once), draw a weighted mix until 2,000 requests have been sent: provision (lookup + POST), read by
id, look up by userName, list a page, full update (PUT), deactivate/reactivate (PATCH) and delete.
They retry 429/5xx like an IdP. Afterwards:

* no response was a 5xx (there are no injected faults here: a 5xx would be ours);
* Connect's state, read through boto3, is exactly what the clients intended (no user lost, none
  duplicated, profiles, routing profile, names and tags right);
* p50/p99 latency, throughput and status counts are reported (terminal summary and
  ``build/reliability-report.json``).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from local.emulator import EmulatorConfig

from . import report
from .connect_state import differences, read_users
from .idp import HttpTransport, Idp, Person
from .lifecycle import PROFILE_SETS, ROUTING
from .report import percentile
from .stack import running_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CLIENTS = 8
REQUESTS = 2000
RATE, BURST = 50.0, 100
WEIGHTS = {
    "provision": 22,
    "get": 25,
    "lookup": 15,
    "list": 6,
    "update": 16,
    "toggle": 10,
    "delete": 6,
}


class Budget:
    def __init__(self, total: int) -> None:
        self.total = total
        self._lock = threading.Lock()

    def spent(self, idps: list[Idp]) -> int:
        return sum(idp.stats.requests for idp in idps)

    def left(self, idps: list[Idp]) -> bool:
        with self._lock:
            return self.spent(idps) < self.total


def _client(
    number: int, idp: Idp, idps: list[Idp], budget: Budget, people: list[Person], errors: list[str]
) -> None:
    rng = random.Random(number)
    serial = 0
    actions = list(WEIGHTS)
    weights = list(WEIGHTS.values())

    def new_person() -> Person:
        nonlocal serial
        serial += 1
        index = number * 10_000 + serial
        person = Person(
            index=index,
            user_name=f"load.c{number}.u{serial}@example.org",
            external_id=f"load-{number}-{serial}",
            given=f"Loadgiven{index}",
            family=f"Loadfamily{index}",
            email=f"load.c{number}.u{serial}@example.org",
            profiles=list(PROFILE_SETS[index % len(PROFILE_SETS)]),
            routing=ROUTING[index % len(ROUTING)],
        )
        people.append(person)
        return person

    def mine() -> list[Person]:
        return [p for p in people if p.present]

    while budget.left(idps):
        action = rng.choices(actions, weights)[0]
        present = mine()
        try:
            if action == "provision" or not present:
                idp.provision(new_person())
            elif action == "list":
                _ok(idp.send("GET", "/Users", params={"startIndex": "1", "count": "10"}).status, 200)
            else:
                _act(idp, action, rng.choice(present))
        except Exception as exc:
            errors.append(f"client {number} {action}: {type(exc).__name__}: {exc}")


def _act(idp: Idp, action: str, target: Person) -> None:
    if action == "get":
        _ok(idp.send("GET", f"/Users/{target.scim_id}").status, 200)
    elif action == "lookup":
        found = idp.find(target.user_name)
        if found is None or found["id"] != target.scim_id:
            raise AssertionError(f"lookup of user {target.index} found {found}")
    elif action == "update":
        _update(idp, target)
    elif action == "toggle":
        idp.set_active(target, not target.active, deletes=False)
    elif action == "delete":
        idp.delete(target)
    else:
        raise AssertionError(f"unknown action {action}")


def _ok(status: int, expected: int) -> None:
    if status != expected:
        raise AssertionError(f"status {status}, expected {expected}")


def _update(idp: Idp, person: Person | None) -> None:
    assert person is not None
    person.family = person.family + "X" if len(person.family) < 60 else person.family[:20]
    person.profiles = list(PROFILE_SETS[(PROFILE_SETS.index(tuple(person.profiles)) + 1) % len(PROFILE_SETS)])
    person.routing = ROUTING[(ROUTING.index(person.routing) + 1) % len(ROUTING)]
    idp.update(person)


def test_eight_clients_two_thousand_requests_no_5xx_nothing_lost_latency_reported() -> None:
    config = EmulatorConfig(rate=RATE, burst=BURST, max_users=100_000)
    with running_stack(config, idp="okta") as stack:
        idps = [Idp(HttpTransport(stack.base_url, stack.token), "okta", seed=n) for n in range(CLIENTS)]
        budget = Budget(REQUESTS)
        crowds: list[list[Person]] = [[] for _ in range(CLIENTS)]
        errors: list[str] = []
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS, thread_name_prefix="load") as pool:
            futures = [
                pool.submit(_client, n, idps[n], idps, budget, crowds[n], errors) for n in range(CLIENTS)
            ]
            for future in futures:
                future.result()
        elapsed = time.monotonic() - started
        connect = stack.emulator.stats()["operations"]
        stack.emulator.configure(rate=0)
        people = [person for crowd in crowds for person in crowd]
        problems = differences(people, read_users(stack.emulator), deactivation="disable")

    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    for idp in idps:
        statuses.update(idp.stats.statuses)
        latencies.extend(idp.stats.latencies)
    sent = sum(idp.stats.requests for idp in idps)
    figures = {
        "clients": CLIENTS,
        "requests": sent,
        "attempts": sum(idp.stats.attempts for idp in idps),
        "seconds": round(elapsed, 1),
        "requests_per_second": round(sent / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "users_intended": sum(1 for p in people if p.present),
        "connect_calls": sum(entry["calls"] for entry in connect.values()),
        "connect_throttled": sum(entry["throttled"] for entry in connect.values()),
        "state_differences": len(problems),
    }
    report.record("load", figures)
    assert sent >= REQUESTS
    assert errors == [], errors[:10]
    assert not [s for s in statuses if s >= 500], figures["statuses"]
    assert problems == [], problems[:20]
    assert figures["users_intended"] > 100  # the mix really provisioned and kept users
