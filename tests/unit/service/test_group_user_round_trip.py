"""Users and groups agree, and neither undoes the other: the profile-set rule end to end, in memory.

Users are created and updated with the real mapping (Okta/Entra payload fixtures of
``tests/unit/mapping``); group membership changes go through ``plan_membership`` and a stand-in
Connect that applies the planned calls. The question the rule answers: after a group push gives
CallCenterManager to a user whose Okta ``entitlements`` say ``[Agent]``, what does the user read
back, and does Okta's next user sync take the profile away? (It reads back ``[Agent]``, lists
both in ``groups``, and keeps CallCenterManager.)
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, cast

import pytest
from mapping.helpers import NAMES, RULES, SECURITY, create, patch, render, stored

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser
from runtime.mapping import tags as t
from runtime.mapping.codec import AssignmentRules, is_active, to_connect
from runtime.mapping.plain import wrap_plain_values
from runtime.mapping.profiles import ENTRA, OKTA, MappingProfile
from runtime.scim.errors import InvalidValue
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import USER
from runtime.service.group_writes import plan_membership

MAPPING_FIXTURES = Path(__file__).parents[1] / "mapping" / "fixtures"
AGENT, CCM, QA, OFF = SECURITY["Agent"], SECURITY["CallCenterManager"], SECURITY["QualityAnalyst"], "sp-off"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def mapping_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MAPPING_FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


class Connect:
    """Applies the planned writes to one user, recording each call."""

    def __init__(self, user: ConnectUser) -> None:
        self.user = user
        self.calls: list[str] = []

    def update_security_profiles(self, user_id: str, ids: tuple[str, ...]) -> None:
        self.calls.append("UpdateUserSecurityProfiles")
        self.user = dataclasses.replace(self.user, security_profile_ids=tuple(ids))

    def tag_user(self, arn: str, tags: dict[str, str]) -> None:
        self.calls.append("TagResource")
        merged = {**self.user.tags, **tags}
        self.user = dataclasses.replace(self.user, tags={k: v for k, v in merged.items() if v})

    def untag_user(self, arn: str, keys: Any) -> None:
        self.calls.append("UntagResource")
        self.user = dataclasses.replace(
            self.user, tags={k: v for k, v in self.user.tags.items() if k not in keys}
        )


def membership(
    user: ConnectUser,
    profile_id: str,
    *,
    join: bool,
    profile: MappingProfile = OKTA,
    rules: AssignmentRules = RULES,
) -> tuple[ConnectUser, list[str]]:
    connect = Connect(user)
    plan = plan_membership(
        cast(ConnectDirectory, connect),
        user,
        profile_id,
        join=join,
        profile=profile,
        names=NAMES,
        rules=rules,
    )
    for write in plan.writes:
        write.run()
    after = connect.user
    held = (
        after.security_profile_ids if is_active(after) else t.get_ids(after.tags, t.SAVED_SECURITY_PROFILES)
    )
    assert set(held) == set(plan.held)  # what was planned is what the calls made
    return after, connect.calls


def okta_user(**attributes: Any) -> ConnectUser:
    body = {"schemas": [CORE], "userName": "ivy@example.com", **attributes}
    return create(body, OKTA)[1]


def put(user: ConnectUser, body: dict[str, Any], profile: MappingProfile = OKTA) -> ConnectUser:
    previous = render(user, profile)
    desired = normalize_resource(wrap_plain_values(body, profile), USER, profile.policy)
    state = to_connect(desired, profile=profile, names=NAMES, rules=RULES, previous=previous, current=user)
    return stored(state, user.user_id)


def groups_of(resource: dict[str, Any]) -> list[str]:
    return [group["display"] for group in resource.get("groups", [])]


def test_okta_push_then_user_sync_keeps_the_group_profile_and_reads_back_what_okta_sent() -> None:
    user = okta_user(entitlements=[{"value": "Agent"}])
    user, calls = membership(user, CCM, join=True)
    # First group of a user whose attributes name profiles: the split is recorded once.
    assert calls == ["TagResource", "UpdateUserSecurityProfiles"]
    shown = render(user, OKTA)
    assert shown["entitlements"] == [{"value": "Agent"}]
    assert groups_of(shown) == ["Agent", "CallCenterManager"]
    synced = put(
        user, {"schemas": [CORE], "userName": "ivy@example.com", "entitlements": [{"value": "Agent"}]}
    )
    assert set(synced.security_profile_ids) == {AGENT, CCM}
    assert render(synced, OKTA)["entitlements"] == [{"value": "Agent"}]


def test_okta_changing_entitlements_replaces_only_their_part() -> None:
    user, _ = membership(okta_user(entitlements=[{"value": "Agent"}]), CCM, join=True)
    changed = put(
        user, {"schemas": [CORE], "userName": "ivy@example.com", "entitlements": ["QualityAnalyst"]}
    )
    assert set(changed.security_profile_ids) == {QA, CCM}
    assert render(changed, OKTA)["entitlements"] == [{"value": "QualityAnalyst"}]
    assert groups_of(render(changed, OKTA)) == ["CallCenterManager", "QualityAnalyst"]


def test_a_second_group_costs_only_the_profile_update() -> None:
    user, _ = membership(okta_user(entitlements=[{"value": "Agent"}]), CCM, join=True)
    user, calls = membership(user, QA, join=True)
    assert calls == ["UpdateUserSecurityProfiles"]
    assert render(user, OKTA)["entitlements"] == [{"value": "Agent"}]


def test_a_user_created_without_profiles_joins_and_leaves_with_one_update_each() -> None:
    user = okta_user()
    assert user.security_profile_ids == (AGENT,)
    user, calls = membership(user, CCM, join=True)
    assert calls == ["UpdateUserSecurityProfiles"]
    assert "entitlements" not in render(user, OKTA)
    assert groups_of(render(user, OKTA)) == ["Agent", "CallCenterManager"]
    user, calls = membership(user, CCM, join=False)
    assert (calls, user.security_profile_ids) == (["UpdateUserSecurityProfiles"], (AGENT,))


def test_leaving_the_last_group_gives_the_default_profiles() -> None:
    user = okta_user(entitlements=[{"value": "CallCenterManager"}])
    user, calls = membership(user, CCM, join=False)
    assert (calls, user.security_profile_ids) == (["UpdateUserSecurityProfiles"], (AGENT,))
    # Only the default left: leaving its group cannot leave the user without a profile.
    again, calls = membership(user, AGENT, join=False)
    assert (calls, again.security_profile_ids) == ([], (AGENT,))


def test_a_group_removal_of_a_profile_the_entitlements_name_wins_until_okta_sends_them_again() -> None:
    user = okta_user(entitlements=[{"value": "Agent"}, {"value": "CallCenterManager"}])
    user, _ = membership(user, CCM, join=False)
    assert render(user, OKTA)["entitlements"] == [{"value": "Agent"}]
    body = {"schemas": [CORE], "userName": "ivy@example.com", "entitlements": ["Agent", "CallCenterManager"]}
    assert set(put(user, body).security_profile_ids) == {AGENT, CCM}


def test_entra_department_reads_back_as_sent_after_a_group_push_and_a_patch_keeps_the_group() -> None:
    _, user = create(mapping_fixture("entra_create_user.json"), ENTRA)
    user, _ = membership(user, CCM, join=True, profile=ENTRA)
    assert render(user, ENTRA)[ENTERPRISE]["department"] == "Agent, QualityAnalyst"
    department = f"{ENTERPRISE}:department"
    _, narrowed = patch(
        user,
        {"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": department, "value": "Agent"}]},
        ENTRA,
    )
    assert set(narrowed.security_profile_ids) == {AGENT, CCM}
    _, updated = patch(user, mapping_fixture("entra_patch_update.json"), ENTRA)
    # department now says CallCenterManager, which the group already gave: attributes take it over.
    assert set(updated.security_profile_ids) == {CCM}
    assert render(updated, ENTRA)[ENTERPRISE]["department"] == "CallCenterManager"


def test_a_deactivated_user_remembers_the_change_and_stays_without_access() -> None:
    user = okta_user(entitlements=[{"value": "Agent"}], active=False)
    assert user.security_profile_ids == (OFF,)
    user, calls = membership(user, CCM, join=True)
    assert calls == ["TagResource"]
    assert user.security_profile_ids == (OFF,)
    assert set(t.get_ids(user.tags, t.SAVED_SECURITY_PROFILES)) == {AGENT, CCM}
    assert groups_of(render(user, OKTA)) == ["Agent", "CallCenterManager"]
    reactivated = put(
        user, {"schemas": [CORE], "userName": "ivy@example.com", "entitlements": ["Agent"], "active": True}
    )
    assert set(reactivated.security_profile_ids) == {AGENT, CCM}


def test_groups_lists_only_profiles_that_are_groups() -> None:
    rules = dataclasses.replace(RULES, assignable_security_profiles=frozenset({"Agent", "CallCenterManager"}))
    user = dataclasses.replace(okta_user(), security_profile_ids=(AGENT, SECURITY["Admin"]))
    assert groups_of(render(user, OKTA, rules)) == ["Agent"]


def test_joining_beyond_connects_ten_profiles_is_refused_before_any_write() -> None:
    user = dataclasses.replace(okta_user(), security_profile_ids=tuple(f"sp-{n}" for n in range(10)))
    with pytest.raises(InvalidValue, match="at most 10"):
        membership(user, CCM, join=True)


def test_leaving_the_last_group_with_a_missing_default_profile_names_the_setting() -> None:
    rules = dataclasses.replace(RULES, default_security_profiles=("Gone",))
    user = dataclasses.replace(okta_user(), security_profile_ids=(CCM,))
    with pytest.raises(InvalidValue, match="DEFAULT_SECURITY_PROFILES"):
        membership(user, CCM, join=False, rules=rules)
