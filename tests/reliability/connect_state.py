"""Connect's own state, read straight through boto3, against what the IdP intended.

The SCIM answers can agree with the IdP while Connect holds something else (a lost write, a
duplicate user no filter finds); so the verdict of a reliability run is read from Connect with a
plain boto3 client, bypassing connect-scim entirely.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from local.emulator.testing import EmulatorHandle
from runtime.mapping import tags as t
from runtime.mapping.codec import EXTERNAL_ID

from .idp import Person

DEACTIVATED = "SCIM-Deactivated"


@dataclass(frozen=True)
class ConnectUser:
    user_id: str
    username: str
    first_name: str
    last_name: str
    security_profiles: frozenset[str]
    routing_profile: str
    hierarchy_group: str | None
    tags: dict[str, str]
    remembered: frozenset[str]
    mobile: str | None = None
    phone: tuple[tuple[str, Any], ...] = ()
    """Security profile names remembered while deactivated (``scim:savedSecurityProfileIds``)."""


def read_users(emulator: EmulatorHandle) -> list[ConnectUser]:
    """Every user of the instance (SearchUsers pages, then DescribeUser each), names resolved."""
    client = emulator.connect_client(max_attempts=5)
    state = emulator.state()
    profile_names = {item["id"]: item["name"] for item in state["securityProfiles"]}
    routing_names = {item["id"]: item["name"] for item in state["routingProfiles"]}
    group_names = {item["id"]: item["name"] for item in state["hierarchyGroups"]}
    ids: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"InstanceId": emulator.instance_id, "MaxResults": 500}
        if token:
            kwargs["NextToken"] = token
        page = client.search_users(**kwargs)
        ids.extend(user["Id"] for user in page.get("Users", []))
        token = page.get("NextToken")
        if not token:
            break
    users = []
    for user_id in ids:
        raw = client.describe_user(InstanceId=emulator.instance_id, UserId=user_id)["User"]
        identity = raw.get("IdentityInfo") or {}
        tags = {key: value for key, value in (raw.get("Tags") or {}).items() if value != ""}
        remembered = t.get_ids(tags, t.SAVED_SECURITY_PROFILES)
        users.append(
            ConnectUser(
                user_id=user_id,
                username=raw["Username"],
                first_name=identity.get("FirstName") or "",
                last_name=identity.get("LastName") or "",
                security_profiles=frozenset(
                    profile_names.get(p, p) for p in raw.get("SecurityProfileIds", [])
                ),
                routing_profile=routing_names.get(
                    raw.get("RoutingProfileId", ""), raw.get("RoutingProfileId", "")
                ),
                hierarchy_group=group_names.get(raw["HierarchyGroupId"])
                if raw.get("HierarchyGroupId")
                else None,
                tags=tags,
                remembered=frozenset(profile_names.get(p, p) for p in remembered),
                mobile=identity.get("Mobile"),
                phone=tuple(sorted((raw.get("PhoneConfig") or {}).items())),
            )
        )
    return users


def differences(people: Iterable[Person], users: list[ConnectUser], *, deactivation: str) -> list[str]:
    """Everything in Connect that is not what the IdP intended; empty when they agree."""
    problems: list[str] = []
    by_name: dict[str, list[ConnectUser]] = {}
    for user in users:
        by_name.setdefault(user.username.casefold(), []).append(user)
    counts = Counter(user.username.casefold() for user in users)
    problems.extend(f"duplicate Connect users for {name!r}: {n}" for name, n in counts.items() if n > 1)
    profile_ids = {user.user_id: user for user in users}
    expected_names: set[str] = set()
    for person in people:
        key = person.user_name.casefold()
        exists = person.present and (person.active or deactivation == "disable")
        found = by_name.get(key, [])
        if not exists:
            if found:
                problems.append(f"user {person.index} should not exist but is in Connect")
            continue
        expected_names.add(key)
        if not found:
            problems.append(f"user {person.index} is missing from Connect")
            continue
        user = found[0]
        if person.scim_id is not None and person.scim_id not in profile_ids:
            problems.append(
                f"user {person.index}: the IdP holds id {person.scim_id}, Connect has {user.user_id}"
            )
        problems.extend(f"user {person.index}: {p}" for p in _user_differences(person, user))
    extra = set(by_name) - expected_names
    problems.extend(
        f"unexpected Connect user {name!r}" for name in sorted(extra) if not _intended_absent(name, people)
    )
    return problems


def _intended_absent(name: str, people: Iterable[Person]) -> bool:
    return any(p.user_name.casefold() == name for p in people)


def _user_differences(person: Person, user: ConnectUser) -> list[str]:
    problems: list[str] = []
    if not user.security_profiles:
        problems.append("has zero security profiles")
    live = frozenset(person.profiles) if person.active else frozenset({DEACTIVATED})
    if user.security_profiles != live:
        problems.append(f"security profiles {sorted(user.security_profiles)} instead of {sorted(live)}")
    if user.routing_profile != person.routing:
        problems.append(f"routing profile {user.routing_profile!r} instead of {person.routing!r}")
    if (user.first_name, user.last_name) != (person.given, person.family):
        problems.append("identity (first/last name) differs from the IdP's")
    expected_tags = {
        t.USERNAME_KEY: t.username_key(person.user_name),
        EXTERNAL_ID: person.external_id,
    }
    for key, value in expected_tags.items():
        if user.tags.get(key) != value:
            problems.append(f"tag {key} is {user.tags.get(key)!r}")
    if person.active:
        if t.ACTIVE in user.tags or any(key.startswith(t.SAVED_SECURITY_PROFILES) for key in user.tags):
            problems.append("active user still carries the deactivation tags")
    else:
        if user.tags.get(t.ACTIVE) != "false":
            problems.append(f"tag {t.ACTIVE} is {user.tags.get(t.ACTIVE)!r} on a deactivated user")
        if user.remembered != frozenset(person.profiles):
            problems.append(f"remembers {sorted(user.remembered)} instead of {sorted(person.profiles)}")
    return problems
