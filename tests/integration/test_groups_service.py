"""GroupService + UserService + real ConnectDirectory over boto3 against the Connect emulator.

Both services share one directory, as ``runtime.wiring`` builds them. The Connect call budget of
each group operation is measured from the emulator's counters (``Budget``), and every refusal is
checked to have written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect.client import connect_client
from runtime.connect.directory import ConnectDirectory
from runtime.scim.errors import (
    InvalidFilter,
    InvalidValue,
    Mutability,
    NotFound,
    ServiceUnavailable,
    Uniqueness,
)
from runtime.scim.schema import CORE_GROUP
from runtime.service.base import ListQuery
from runtime.service.groups import GroupService
from runtime.service.users import UserService
from runtime.settings import IdpType, Settings

from .helpers import Budget, boto_session, patch_body, user_body

WRITES = ("UpdateUserSecurityProfiles", "TagResource", "UntagResource")


@dataclass
class Services:
    users: UserService
    groups: GroupService
    emulator: EmulatorHandle

    def group_id(self, name: str) -> str:
        return self.emulator.security_profile_id(name)

    def create(self, name: str, **extra: Any) -> str:
        created: str = self.users.create(user_body(name, externalId=f"ext-{name}", **extra))["id"]
        return created

    def members(self, group: str) -> list[str]:
        return sorted(m["value"] for m in self.groups.get(self.group_id(group)).get("members", []))

    def groups_of(self, user_id: str) -> list[str]:
        return [g["display"] for g in self.users.get(user_id).get("groups", [])]


ServicesFactory = Callable[..., Services]


@pytest.fixture
def services(emulator: EmulatorHandle) -> ServicesFactory:
    def build(idp: IdpType = "okta", **settings: Any) -> Services:
        client = connect_client(endpoint_url=emulator.url, max_attempts=3, session=boto_session())
        directory = ConnectDirectory(client, emulator.instance_id)
        config = Settings(instance_id=emulator.instance_id, idp=idp, **settings)
        return Services(UserService(directory, config), GroupService(directory, config), emulator)

    return build


def add(*user_ids: str) -> dict[str, Any]:
    return patch_body({"op": "add", "path": "members", "value": [{"value": uid} for uid in user_ids]})


def remove(user_id: str) -> dict[str, Any]:
    return patch_body({"op": "remove", "path": f'members[value eq "{user_id}"]'})


def query(
    text: str | None = None, *, wants_members: bool = True, start: int = 1, count: int = 100
) -> ListQuery:
    return ListQuery(filter=text, start_index=start, count=count, wants_members=wants_members)


# ---- reads ---------------------------------------------------------------------------------------


def test_groups_are_the_assignable_security_profiles_never_the_deactivated_one(
    services: ServicesFactory,
) -> None:
    page = services().groups.list(query(wants_members=False))
    assert [g["displayName"] for g in page.resources] == [
        "Admin",
        "Agent",
        "CallCenterManager",
        "QualityAnalyst",
    ]
    allowlisted = services(assignable_security_profiles=frozenset({"Agent", "callcentermanager"}))
    assert [g["displayName"] for g in allowlisted.groups.list(query()).resources] == [
        "Agent",
        "CallCenterManager",
    ]
    with pytest.raises(NotFound):
        allowlisted.groups.get(allowlisted.group_id("Admin"))
    with pytest.raises(NotFound):
        allowlisted.groups.get(allowlisted.group_id("SCIM-Deactivated"))


def test_get_without_members_costs_one_call_cold_and_none_warm(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    gid = s.group_id("CallCenterManager")
    with budget.measure() as cold:
        group = s.groups.get(gid, wants_members=False)
    assert (group["displayName"], "members" not in group) == ("CallCenterManager", True)
    assert cold == {"ListSecurityProfiles": 1}
    with budget.measure() as warm:
        s.groups.get(gid, wants_members=False)
        s.groups.list(query('displayName eq "callcentermanager"', wants_members=False))
        s.groups.list(query(wants_members=False))
    assert warm == {}


def test_unknown_group_id_is_404_after_at_most_one_call(services: ServicesFactory, budget: Budget) -> None:
    s = services()
    with budget.measure() as calls, pytest.raises(NotFound):
        s.groups.get("00000000-0000-4000-8000-000000000000")
    assert sum(calls.values()) <= 1


def test_members_are_searched_by_security_profile_with_paging(
    services: ServicesFactory, emulator: EmulatorHandle, budget: Budget
) -> None:
    emulator.configure(max_users=1000)
    ccm = emulator.security_profile_id("CallCenterManager")
    seeded = emulator.seed_users(
        users=[{"Username": f"sup-{n}", "SecurityProfileIds": [ccm]} for n in range(600)]
    )
    s = services()
    s.groups.get(ccm, wants_members=False)  # warm the profile cache
    with budget.measure() as calls:
        group = s.groups.get(ccm)
    assert sorted(m["value"] for m in group["members"]) == sorted(seeded)
    # Two pages of holders (500 + 100) and one search for deactivated users; never ListUsers.
    assert calls == {"SearchUsers": 3}
    member = group["members"][0]
    assert member["$ref"] == f"Users/{member['value']}" and member["display"].startswith("sup-")


def test_members_filter_reads_each_named_user_once(services: ServicesFactory, budget: Budget) -> None:
    s = services()
    ann = s.create("ann@example.com")
    s.groups.patch(s.group_id("QualityAnalyst"), add(ann))
    with budget.measure() as calls:
        page = s.groups.list(query(f'members[value eq "{ann}"]', wants_members=False))
    assert [g["displayName"] for g in page.resources] == ["Agent", "QualityAnalyst"]
    assert calls == {"DescribeUser": 1}
    with pytest.raises(InvalidFilter):
        s.groups.list(query("members pr"))


def test_paging_follows_start_index_and_count(services: ServicesFactory) -> None:
    s = services()
    page = s.groups.list(query(start=2, count=2, wants_members=False))
    assert (page.total, [g["displayName"] for g in page.resources]) == (4, ["Agent", "CallCenterManager"])
    assert s.groups.list(query(count=0)).resources == []


# ---- membership changes ----------------------------------------------------------------------


def test_adding_and_removing_k_members_costs_k_reads_and_k_updates(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    ids = [s.create(f"user{n}@example.com") for n in range(3)]
    ccm = s.group_id("CallCenterManager")
    s.groups.get(ccm, wants_members=False)
    with budget.measure() as calls:
        assert s.groups.patch(ccm, add(*ids)) is None
    assert calls == {"DescribeUser": 3, "UpdateUserSecurityProfiles": 3}
    assert s.members("CallCenterManager") == sorted(ids)
    with budget.measure() as calls:
        for uid in ids:
            s.groups.patch(ccm, remove(uid))
    assert calls == {"DescribeUser": 3, "UpdateUserSecurityProfiles": 3}
    assert s.members("CallCenterManager") == []
    assert all(s.groups_of(uid) == ["Agent"] for uid in ids)


def test_the_first_group_of_a_user_whose_attributes_name_profiles_records_them_once(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    uid = s.create("ann@example.com", entitlements=[{"value": "Agent"}])
    s.groups.get(s.group_id("Admin"), wants_members=False)
    with budget.measure() as first:
        s.groups.patch(s.group_id("CallCenterManager"), add(uid))
    assert first == {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1}
    with budget.measure() as second:
        s.groups.patch(s.group_id("QualityAnalyst"), add(uid))
    assert second == {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1}
    user = s.users.get(uid)
    assert user["entitlements"] == [{"value": "Agent"}]
    assert [g["display"] for g in user["groups"]] == ["Agent", "CallCenterManager", "QualityAnalyst"]


def test_adding_a_member_already_holding_the_profile_writes_nothing(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    uid = s.create("ann@example.com")
    with budget.measure() as calls:
        s.groups.patch(s.group_id("Agent"), add(uid))
    assert not any(op in calls for op in WRITES)


def test_an_unknown_member_id_is_invalid_and_nothing_is_written(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    ann = s.create("ann@example.com")
    ccm = s.group_id("CallCenterManager")
    with budget.measure() as calls, pytest.raises(InvalidValue, match="not-a-user"):
        s.groups.patch(ccm, add(ann, "not-a-user"))
    assert not any(op in calls for op in WRITES)
    assert s.members("CallCenterManager") == []


def test_removing_a_member_that_is_no_connect_user_is_a_no_op(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    with budget.measure() as calls:
        s.groups.patch(s.group_id("CallCenterManager"), remove("00000000-0000-4000-8000-0000000000aa"))
    assert not any(op in calls for op in WRITES)


def test_patch_replace_of_members_touches_only_the_changed_users(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    a, b, c = (s.create(f"{n}@example.com") for n in ("a", "b", "c"))
    qa = s.group_id("QualityAnalyst")
    s.groups.patch(qa, add(a, b))
    with budget.measure() as calls:
        s.groups.patch(
            qa, patch_body({"op": "replace", "path": "members", "value": [{"value": b}, {"value": c}]})
        )
    # members search (holders + deactivated) + read and write a (leaving) and c (joining); b untouched
    assert calls == {"SearchUsers": 2, "DescribeUser": 2, "UpdateUserSecurityProfiles": 2}
    assert s.members("QualityAnalyst") == sorted([b, c])


def test_put_sets_exactly_the_members_sent_and_answers_them(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    a, b, c = (s.create(f"{n}@example.com") for n in ("a", "b", "c"))
    qa = s.group_id("QualityAnalyst")
    s.groups.patch(qa, add(a, b))
    body = {"schemas": [CORE_GROUP], "displayName": "qualityanalyst", "members": [{"value": b}, {"value": c}]}
    with budget.measure() as calls:
        replaced = s.groups.replace(qa, body)
    assert sorted(m["value"] for m in replaced["members"]) == sorted([b, c])
    assert replaced["displayName"] == "QualityAnalyst"
    assert calls == {"SearchUsers": 2, "DescribeUser": 2, "UpdateUserSecurityProfiles": 2}
    assert s.members("QualityAnalyst") == sorted([b, c])


def test_renaming_a_group_is_refused_and_the_same_name_is_fine(services: ServicesFactory) -> None:
    s = services()
    ccm = s.group_id("CallCenterManager")
    with pytest.raises(Mutability, match="rename it in Amazon Connect"):
        s.groups.patch(ccm, patch_body({"op": "replace", "path": "displayName", "value": "Supervisors"}))
    with pytest.raises(Mutability):
        s.groups.replace(ccm, {"schemas": [CORE_GROUP], "displayName": "Supervisors"})
    assert (
        s.groups.patch(
            ccm, patch_body({"op": "replace", "value": {"id": ccm, "displayName": "CallCenterManager"}})
        )
        is None
    )


def test_post_links_existing_profiles_and_never_creates_one(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    with pytest.raises(Uniqueness, match="already exists"):
        s.groups.create({"schemas": [CORE_GROUP], "displayName": "callcentermanager"})
    with (
        budget.measure() as calls,
        pytest.raises(InvalidValue, match="create the security profile in Amazon Connect"),
    ):
        s.groups.create({"schemas": [CORE_GROUP], "displayName": "Night Shift"})
    assert calls == {}
    with pytest.raises(InvalidValue, match="not assignable"):
        s.groups.create({"schemas": [CORE_GROUP], "displayName": "SCIM-Deactivated"})


def test_delete_removes_the_profile_from_every_member_and_keeps_the_profile(
    services: ServicesFactory,
) -> None:
    s = services()
    a = s.create("a@example.com")
    b = s.create("b@example.com", entitlements=[{"value": "CallCenterManager"}])
    ccm = s.group_id("CallCenterManager")
    s.groups.patch(ccm, add(a))
    s.groups.delete(ccm)
    assert s.members("CallCenterManager") == []
    assert s.groups_of(a) == ["Agent"]
    assert s.groups_of(b) == ["Agent"]  # its only profile went: the defaults
    assert s.groups.get(ccm)["displayName"] == "CallCenterManager"


def test_a_deactivated_member_changes_only_its_remembered_profiles(
    services: ServicesFactory, budget: Budget
) -> None:
    s = services()
    uid = s.create("ann@example.com")
    s.users.patch(uid, patch_body({"op": "replace", "value": {"active": False}}))
    ccm = s.group_id("CallCenterManager")
    with budget.measure() as calls:
        s.groups.patch(ccm, add(uid))
    assert calls == {"DescribeUser": 1, "TagResource": 1}
    assert s.members("CallCenterManager") == [uid]
    assert s.groups_of(uid) == ["Agent", "CallCenterManager"]
    described = s.emulator.connect_client().describe_user(InstanceId=s.emulator.instance_id, UserId=uid)
    assert described["User"]["SecurityProfileIds"] == [s.group_id("SCIM-Deactivated")]
    reactivated = s.users.patch(uid, patch_body({"op": "replace", "value": {"active": True}}))
    assert [g["display"] for g in reactivated["groups"]] == ["Agent", "CallCenterManager"]


def test_a_member_patch_interrupted_half_way_is_completed_by_the_idps_retry(
    services: ServicesFactory, emulator: EmulatorHandle, budget: Budget
) -> None:
    # Connect fails the second profile update through all of botocore's attempts: the first user is
    # written, the request answers 503, and Okta/Entra retry the same PATCH.
    s = services()
    ids = [s.create(f"user{n}@example.com", entitlements=[{"value": "Agent"}]) for n in range(3)]
    ccm = s.group_id("CallCenterManager")
    emulator.schedule_faults(
        {"kind": "fault", "operation": "UpdateUserSecurityProfiles", "skip": 1, "times": 3}
    )
    with pytest.raises(ServiceUnavailable):
        s.groups.patch(ccm, add(*ids))
    assert s.members("CallCenterManager") == [ids[0]]
    with budget.measure() as calls:
        assert s.groups.patch(ccm, add(*ids)) is None
    # The retry reads all three, writes nothing for the first (already a member), and finishes the
    # other two; the second's split record went out before its failed update and is not rewritten.
    assert calls == {"DescribeUser": 3, "UpdateUserSecurityProfiles": 2, "TagResource": 1}
    assert s.members("CallCenterManager") == sorted(ids)
    assert all(s.users.get(uid)["entitlements"] == [{"value": "Agent"}] for uid in ids)
