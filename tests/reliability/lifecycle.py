"""A provisioning lifecycle as an IdP runs it, phase by phase, several requests in flight.

Sized by ``Plan`` (the issue's: 200 created with security profiles and a routing profile, group
pushes when ``/Groups`` serves security profiles, 50 updated, 50 deactivated, 25 of those
reactivated, 25 deleted). Every user is owned by one task per phase, as an IdP never sends two
requests for the same user at once; failures are collected, not raised, so one stuck user does
not hide the state of the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .idp import Idp, Person

PROFILE_SETS: tuple[tuple[str, ...], ...] = (("Agent",), ("Agent", "QualityAnalyst"), ("CallCenterManager",))
ROUTING = ("Basic Routing Profile", "Sales Routing Profile")
GROUP = "QualityAnalyst"
GROUP_BATCH = 10


@dataclass(frozen=True)
class Plan:
    users: int = 200
    updated: int = 50
    deactivated: int = 50
    reactivated: int = 25
    deleted: int = 25
    grouped: int = 50
    """Users (the last ones) pushed into the group; a fifth of them removed again."""
    workers: int = 4

    def scaled(self, factor: float) -> Plan:
        def part(n: int) -> int:
            return max(1, round(n * factor))

        return Plan(
            users=part(self.users),
            updated=part(self.updated),
            deactivated=part(self.deactivated),
            reactivated=part(self.reactivated),
            deleted=part(self.deleted),
            grouped=part(self.grouped),
            workers=self.workers,
        )


def people(plan: Plan, tag: str) -> list[Person]:
    """Distinctive names, so a log line carrying one would be unmistakable."""
    result = []
    for i in range(plan.users):
        given, family = f"Zephyrine{tag}{i:03d}", f"Quillfeather{i:03d}"
        email = f"zephyrine.{tag.lower()}{i:03d}@example.org"
        result.append(
            Person(
                index=i,
                user_name=email,
                external_id=f"ext-{tag.lower()}-{i:03d}",
                given=given,
                family=family,
                email=email,
                profiles=list(PROFILE_SETS[i % len(PROFILE_SETS)]),
                routing=ROUTING[i % len(ROUTING)],
            )
        )
    return result


@dataclass
class Outcome:
    people: list[Person]
    groups_used: bool
    failures: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)


def run_lifecycle(idp: Idp, plan: Plan, tag: str, *, deletes_on_deactivation: bool) -> Outcome:
    crowd = people(plan, tag)
    outcome = Outcome(people=crowd, groups_used=False)

    def phase(name: str, targets: Sequence[Person], action: Callable[[Person], Any]) -> None:
        started = time.monotonic()

        def run(person: Person) -> None:
            try:
                action(person)
            except Exception as exc:
                outcome.failures.append(f"{name} user {person.index}: {type(exc).__name__}: {exc}")

        with ThreadPoolExecutor(max_workers=plan.workers, thread_name_prefix=f"idp-{tag}") as pool:
            list(pool.map(run, targets))
        outcome.phases[name] = round(time.monotonic() - started, 1)

    phase("create", crowd, idp.provision)
    grouped = [p for p in crowd[plan.users - plan.grouped :] if p.present]
    group_id = idp.find_group(GROUP) if grouped else None
    if group_id is not None:
        outcome.groups_used = True
        _group_phase(idp, outcome, group_id, grouped, plan)

    updated = crowd[: plan.updated]

    def update(person: Person) -> None:
        person.given, person.family = person.given + "Renamed", person.family + "Moved"
        current = PROFILE_SETS.index(tuple(person.profiles)) if tuple(person.profiles) in PROFILE_SETS else 0
        person.profiles = list(PROFILE_SETS[(current + 1) % len(PROFILE_SETS)])
        person.routing = ROUTING[(ROUTING.index(person.routing) + 1) % len(ROUTING)]
        idp.update(person)

    phase("update", [p for p in updated if p.present], update)
    off = crowd[plan.updated : plan.updated + plan.deactivated]
    phase(
        "deactivate",
        [p for p in off if p.present],
        lambda p: idp.set_active(p, False, deletes=deletes_on_deactivation),
    )
    back = off[: plan.reactivated]
    phase("reactivate", back, lambda p: _reactivate(idp, p, deletes_on_deactivation))
    if idp.kind == "entra":
        # Entra deletes users it deactivated earlier (its soft-delete, ~30 days later).
        doomed = off[plan.reactivated : plan.reactivated + plan.deleted]
    else:
        start = plan.updated + plan.deactivated
        doomed = crowd[start : start + plan.deleted]
    phase("delete", [p for p in doomed if p.scim_id is not None], idp.delete)
    return outcome


def _reactivate(idp: Idp, person: Person, deletes: bool) -> None:
    if person.scim_id is None:  # deleted by its deactivation: the IdP provisions it again
        person.active = True
        idp.provision(person)
        return
    idp.set_active(person, True, deletes=deletes)


def _group_phase(idp: Idp, outcome: Outcome, group_id: str, members: list[Person], plan: Plan) -> None:
    started = time.monotonic()
    batches = [members[i : i + GROUP_BATCH] for i in range(0, len(members), GROUP_BATCH)]
    for batch in batches:
        ids = [p.scim_id for p in batch if p.scim_id]
        try:
            reply = idp.add_members(group_id, [i for i in ids if i])
        except Exception as exc:
            outcome.failures.append(f"group add: {type(exc).__name__}: {exc}")
            continue
        if reply.status not in (200, 204):
            outcome.failures.append(f"group add: {reply.status} {reply.body}")
            continue
        for person in batch:
            if GROUP not in person.profiles:
                person.profiles.append(GROUP)
    removed = members[len(members) - max(1, len(members) // 5) :]
    try:
        reply = idp.remove_members(group_id, [p.scim_id for p in removed if p.scim_id])
    except Exception as exc:
        outcome.failures.append(f"group remove: {type(exc).__name__}: {exc}")
    else:
        if reply.status not in (200, 204):
            outcome.failures.append(f"group remove: {reply.status} {reply.body}")
        else:
            for person in removed:
                person.profiles = [name for name in person.profiles if name != GROUP]
    outcome.phases["groups"] = round(time.monotonic() - started, 1)
