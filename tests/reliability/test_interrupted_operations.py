"""Every multi-call operation, interrupted at every one of its Connect calls, is repaired by the retry.

For each operation an IdP sends (create, full PUT, Entra's multi-attribute PATCH, deactivation and
reactivation in both modes, a deactivation carrying other changes, DELETE, group pushes when
``/Groups`` serves security profiles):

1. a clean run records the Connect calls it makes (the emulator's journal) and the end state;
2. then, for each call k of that list, a fresh run has the emulator fail exactly call k — with
   InternalServiceException (nothing applied), ThrottlingException, or, for writes, a lost reply
   (applied, unanswered). The app makes one attempt per Connect call (``CONNECT_MAX_ATTEMPTS=1``),
   so the failure reaches the IdP as 503/429;
3. while the IdP waits to retry, the user must be readable, hold at least one security profile,
   and show either the old or the new security profiles — never a third set, never none;
4. the IdP retries the same request (``tests.reliability.idp`` decides how, as Okta/Entra do) and
   Connect's state, read through boto3, and the SCIM resource must equal the clean run's.

Why it works is in ``runtime.service.user_writes`` (write order) and the README's "Security and
reliability" section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from local.emulator.core import WRITE_OPERATIONS
from local.emulator.testing import EmulatorHandle
from runtime.app import ScimApp
from runtime.connect.directory import ConnectDirectory
from runtime.mapping import tags as t
from runtime.service.users import UserService
from runtime.wiring import build_app

from . import report
from .connect_state import ConnectUser, read_users
from .idp import ENTERPRISE, PATCH_OP, AppTransport, Idp, Person, Reply, RetryPolicy
from .lifecycle import GROUP
from .stack import make_settings

NO_WAIT = RetryPolicy(attempts=6, max_wait=0.0, backoff=0.0)
_tested: dict[str, int] = {}


def _person(external_id: str | None = "ext-int-1") -> Person:
    return Person(
        index=1,
        user_name="interrupt.me@example.net",
        external_id=external_id,
        given="Ingrid",
        family="Interrupta",
        email="interrupt.me@example.net",
        profiles=["Agent", "QualityAnalyst"],
        routing="Sales Routing Profile",
        connect={"hierarchyGroup": "Support"},
        title="Agent I",
    )


def _change_everything(person: Person) -> None:
    person.given, person.family = "Inga", "Repaired"
    person.profiles = ["CallCenterManager", "Agent"]
    person.routing = "Basic Routing Profile"
    person.connect = {
        "hierarchyGroup": "Europe",
        "phoneType": "DESK_PHONE",
        "deskPhoneNumber": "+14155550123",
        "afterContactWorkTimeLimit": 30,
    }
    person.title = "Agent II"


def _patch(idp: Idp, person: Person, *operations: dict[str, Any]) -> Reply:
    body = {"schemas": [PATCH_OP], "Operations": list(operations)}
    return idp.send("PATCH", f"/Users/{person.scim_id}", body)


def _deactivate_with_changes(idp: Idp, person: Person) -> None:
    """Entra's single PATCH when a user is disabled and edited in the same sync cycle."""
    person.active = False
    person.family = "Leaving"
    person.profiles = ["Agent"]
    reply = _patch(
        idp,
        person,
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Replace", "path": "name.familyName", "value": person.family},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Agent"},
    )
    assert reply.status == 200, reply.body


def _deactivate(idp: Idp, person: Person, deletes: bool) -> None:
    idp.set_active(person, False, deletes=deletes)


def _reactivate(idp: Idp, person: Person, deletes: bool) -> None:
    if deletes and person.scim_id is not None:
        idp.set_active(person, True, deletes=True)  # 404 -> lookup -> POST, as the IdP does
        return
    idp.set_active(person, True, deletes=deletes)


def _group_add(idp: Idp, person: Person) -> None:
    group_id = idp.find_group(GROUP)
    assert group_id is not None and person.scim_id is not None
    reply = idp.add_members(group_id, [person.scim_id])
    assert reply.status in (200, 204), reply.body
    person.profiles = [*person.profiles, GROUP] if GROUP not in person.profiles else person.profiles


@dataclass(frozen=True)
class Scenario:
    name: str
    idp: str
    act: Callable[[Idp, Person], None]
    setup: Callable[[Idp, Person], None] = lambda idp, person: idp.provision(person)
    deactivation: str = "disable"
    external_id: str | None = "ext-int-1"
    needs_groups: bool = False
    profile_sets: tuple[frozenset[str], ...] = field(default=())


def _nothing(idp: Idp, person: Person) -> None:
    """The user does not exist yet: the operation under test creates it."""


def _provision_then_deactivate(deletes: bool) -> Callable[[Idp, Person], None]:
    def setup(idp: Idp, person: Person) -> None:
        idp.provision(person)
        idp.set_active(person, False, deletes=deletes)

    return setup


def _update(idp: Idp, person: Person) -> None:
    _change_everything(person)
    idp.update(person)


SCENARIOS = [
    Scenario("okta-create", "okta", lambda idp, p: idp.provision(p), setup=_nothing),
    Scenario(
        "okta-create-without-externalId",
        "okta",
        lambda idp, p: idp.provision(p),
        setup=_nothing,
        external_id=None,
    ),
    Scenario("entra-create", "entra", lambda idp, p: idp.provision(p), setup=_nothing),
    Scenario("okta-put-every-facet", "okta", _update),
    Scenario("entra-patch-every-facet", "entra", _update),
    Scenario("okta-deactivate", "okta", lambda idp, p: _deactivate(idp, p, False)),
    Scenario(
        "okta-reactivate",
        "okta",
        lambda idp, p: _reactivate(idp, p, False),
        setup=_provision_then_deactivate(False),
    ),
    Scenario("entra-deactivate-with-changes", "entra", _deactivate_with_changes),
    Scenario(
        "entra-deactivate-delete-mode",
        "entra",
        lambda idp, p: _deactivate(idp, p, True),
        deactivation="delete",
    ),
    Scenario(
        "okta-reactivate-delete-mode",
        "okta",
        lambda idp, p: _reactivate(idp, p, True),
        setup=_provision_then_deactivate(True),
        deactivation="delete",
    ),
    Scenario("entra-delete", "entra", lambda idp, p: idp.delete(p)),
    Scenario("okta-group-push", "okta", _group_add, needs_groups=True),
    Scenario("entra-group-push", "entra", _group_add, needs_groups=True),
]


@dataclass
class Harness:
    emulator: EmulatorHandle
    client: Any

    def idp(self, scenario: Scenario, on_retry: Callable[[Reply | None], None] | None = None) -> Idp:
        settings = make_settings(
            self.emulator, idp=scenario.idp, deactivation=scenario.deactivation, connect_max_attempts=1
        )
        # A fresh app per run: cold name caches, so every run makes the same calls.
        app = build_app(settings, self.client)
        return Idp(AppTransport(app), scenario.idp, policy=NO_WAIT, sleep=lambda _: None, on_retry=on_retry)  # type: ignore[arg-type]

    def state(self) -> dict[str, Any]:
        return {user.username.casefold(): _comparable(user) for user in read_users(self.emulator)}


def _comparable(user: ConnectUser) -> dict[str, Any]:
    tags = {key: value for key, value in user.tags.items() if key != t.CREATED}
    return {
        "names": (user.first_name, user.last_name, user.mobile),
        "securityProfiles": sorted(user.security_profiles),
        "remembered": sorted(user.remembered),
        "routingProfile": user.routing_profile,
        "hierarchyGroup": user.hierarchy_group,
        "phone": user.phone,
        "tags": tags,
    }


def _resource(idp: Idp, person: Person) -> dict[str, Any] | None:
    if not person.present or person.scim_id is None:
        return None
    reply = idp.send("GET", f"/Users/{person.scim_id}")
    assert reply.status == 200, reply.body
    return {key: value for key, value in reply.body.items() if key not in ("id", "meta")}


@dataclass
class Clean:
    steps: list[str]
    state: dict[str, Any]
    resource: dict[str, Any] | None
    profile_sets: tuple[frozenset[str], ...]


def _run(harness: Harness, scenario: Scenario, fault: dict[str, Any] | None) -> tuple[Idp, Person, Clean]:
    harness.emulator.reset()
    person = _person(scenario.external_id)
    setup_idp = harness.idp(scenario)
    scenario.setup(setup_idp, person)
    before = frozenset(person.profiles) if person.active else frozenset({"SCIM-Deactivated"})
    mark = len(harness.emulator.journal())
    seen: list[str] = []

    def inspect(reply: Reply | None) -> None:
        seen.append("retry")
        _check_between(harness, scenario, person)

    idp = harness.idp(scenario, on_retry=inspect if fault else None)
    if fault is not None:
        harness.emulator.schedule_faults(fault)
    scenario.act(idp, person)
    after = frozenset(person.profiles) if person.active else frozenset({"SCIM-Deactivated"})
    steps = harness.emulator.journal()[mark:]
    if fault is not None:
        assert seen, f"the fault {fault} never reached the IdP"
        assert harness.emulator.emulator.faults()["schedule"] == [], "the scheduled fault did not fire"
    reader = harness.idp(scenario)
    clean = Clean(steps, harness.state(), _resource(reader, person), (before, after))
    return idp, person, clean


_profile_sets_of_run: dict[str, tuple[frozenset[str], ...]] = {}


def _check_between(harness: Harness, scenario: Scenario, person: Person) -> None:
    """The half-done state the IdP's retry starts from: readable, never without a profile."""
    allowed = _profile_sets_of_run[scenario.name]
    for user in read_users(harness.emulator):
        assert user.security_profiles, f"{user.username} has zero security profiles"
        effective = (
            user.remembered if "SCIM-Deactivated" in user.security_profiles else user.security_profiles
        )
        live = user.security_profiles
        wanted = [sorted(a) for a in allowed]
        assert live in allowed or effective in allowed or live == frozenset({"SCIM-Deactivated"}), (
            f"security profiles {sorted(live)} are neither the old nor the new ones {wanted}"
        )
        if person.scim_id is not None and person.present:
            reply = harness.idp(scenario).send("GET", f"/Users/{user.user_id}")
            assert reply.status == 200, reply.body


def _interruptions(steps: list[str]) -> list[tuple[int, str]]:
    cases: list[tuple[int, str]] = []
    for index, operation in enumerate(steps):
        cases.append((index, "fault"))
        if operation in WRITE_OPERATIONS:
            cases += [(index, "drop"), (index, "throttle")]
    return cases


@pytest.fixture
def harness(emulator: EmulatorHandle) -> Harness:
    return Harness(emulator, emulator.connect_client(max_attempts=1))


def _groups_served(harness: Harness) -> bool:
    harness.emulator.reset()
    return harness.idp(SCENARIOS[0]).find_group(GROUP) is not None


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_an_interruption_at_any_connect_call_is_repaired_by_the_idps_retry(
    harness: Harness, scenario: Scenario
) -> None:
    if scenario.needs_groups:
        assert _groups_served(harness), "/Groups must serve security profiles: the group push needs it"
    _, _, clean = _run(harness, scenario, None)
    _profile_sets_of_run[scenario.name] = clean.profile_sets
    cases = _interruptions(clean.steps)
    assert cases, "the operation made no Connect call"
    failures = []
    for index, kind in cases:
        fault = {"kind": kind, "operation": "*", "skip": index}
        _, _, repaired = _run(harness, scenario, fault)
        where = f"{kind} on call {index + 1} ({clean.steps[index]})"
        if repaired.state != clean.state:
            failures.append(f"{where}: Connect state {repaired.state} != {clean.state}")
        elif repaired.resource != clean.resource:
            failures.append(f"{where}: SCIM resource {repaired.resource} != {clean.resource}")
    _tested[scenario.name] = len(cases)
    report.record(
        "interruptions", {"operations": len(_tested), "interrupted_runs": sum(_tested.values()), **_tested}
    )
    assert failures == [], "\n".join(failures[:10])


def test_a_connect_failure_while_answering_a_create_is_retryable_never_a_500(
    emulator: EmulatorHandle,
) -> None:
    """The profile-name cache can expire between CreateUser and rendering the answer.

    Rendering then lists profiles again; when that call is throttled or fails, the IdP must get a
    429/503 it retries (and the retried POST returns the user already created), not a 500.
    The name cache here never stays fresh (TTL 0), so the render always has to ask Connect.
    """
    client = emulator.connect_client(max_attempts=1)
    settings = make_settings(emulator, idp="okta", connect_max_attempts=1)

    def new_idp() -> Idp:
        directory = ConnectDirectory(client, emulator.instance_id, cache_ttl=0)
        app = ScimApp({"Users": UserService(directory, settings)})
        return Idp(AppTransport(app), "okta", policy=NO_WAIT, sleep=lambda _: None)

    person = _person()
    new_idp().provision(person)
    steps = emulator.journal()
    after_create = steps.index("CreateUser") + 1
    assert any(step.startswith("List") for step in steps[after_create:]), steps  # the render asked Connect
    for kind in ("throttle", "fault"):
        emulator.reset()
        person = _person()
        idp = new_idp()
        emulator.schedule_faults({"kind": kind, "operation": "*", "skip": after_create})
        idp.provision(person)
        assert 500 not in idp.stats.statuses, idp.stats.statuses
        assert set(idp.stats.retried) & {"429", "503"}, idp.stats.retried
        users = read_users(emulator)
        assert [u.username for u in users] == [person.user_name] and users[0].user_id == person.scim_id
