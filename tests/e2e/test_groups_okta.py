"""Okta Push Groups over HTTP: look up by displayName, link, add and remove members, unlink.

The requests are Okta's own (Okta SCIM 2.0 reference: "Create Groups", "Update a specific Group
membership", "Update a specific Group name"; fixtures in ``tests/unit/scim/fixtures``). A group is
a Connect security profile, so Okta links to the profile it finds by name instead of creating
one; the Connect call budget of each step is measured on the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ScimHttp
from .groups_support import (
    CORE_GROUP,
    CORE_USER,
    WRITES,
    calls,
    find_group,
    group_id,
    groups_of,
    idp_body,
    members,
    spent,
)

OKTA_SAMPLE_MEMBER = "23a35c27-23d3-4c03-b4c5-6443c09e7173"
OKTA_SAMPLE_GROUP = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"

OKTA = pytest.mark.parametrize("scim", [{"idp": "okta"}], indirect=True)


def okta_user(user_name: str, external_id: str, **extra: Any) -> dict[str, Any]:
    """What Okta POSTs and PUTs for a user (Okta SCIM 2.0 reference, "Create the User")."""
    given, family = user_name.split("@", maxsplit=1)[0].split(".")
    return {
        "schemas": [CORE_USER],
        "userName": user_name,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "externalId": external_id,
        "groups": [],
        "active": True,
        **extra,
    }


@OKTA
def test_okta_push_groups_link_add_remove_and_unlink(scim: ScimHttp) -> None:
    ann = scim.request(
        "POST", "/Users", json=okta_user("ann.lee@example.com", "00u1ann", entitlements=[{"value": "Agent"}])
    )[2]
    bob = scim.request("POST", "/Users", json=okta_user("bob.ray@example.com", "00u1bob"))[2]

    # Push Groups → "Link group": Okta looks the group up by name (members included).
    before = calls(scim)
    status, found = find_group(scim, "CallCenterManager", "&startIndex=1&count=100")
    assert (status, found["totalResults"], found["startIndex"]) == (200, 1, 1)
    ccm = found["Resources"][0]
    assert (ccm["displayName"], "members" not in ccm) == ("CallCenterManager", True)
    assert spent(scim, before) == {"SearchUsers": 2}  # holders + deactivated users; names are cached
    gid = ccm["id"]

    # Okta then pushes its group name with a path-less replace carrying the read-only id.
    rename = idp_body("okta-group-rename", **{OKTA_SAMPLE_GROUP: gid, "Test SCIMv2": "CallCenterManager"})
    assert scim.request("PATCH", f"/Groups/{gid}", json=rename)[0] == 204

    # Add both members in one PATCH, as Okta batches them.
    add = idp_body(
        "okta-group-add-members",
        **{OKTA_SAMPLE_MEMBER: ann["id"], "test.user@okta.local": "ann.lee@example.com"},
    )
    add["Operations"][0]["value"].append({"value": bob["id"], "display": "bob.ray@example.com"})
    before = calls(scim)
    status, _, body = scim.request("PATCH", f"/Groups/{gid}", json=add)
    assert (status, body) == (204, None)
    # 2 reads + 2 profile updates; Ann's entitlements name a profile, so her first group also
    # records which profiles they asked for (one TagResource, once).
    assert spent(scim, before) == {"DescribeUser": 2, "UpdateUserSecurityProfiles": 2, "TagResource": 1}
    assert members(scim, gid) == sorted([ann["id"], bob["id"]])

    # Users and groups agree, and Ann's entitlements read back exactly what Okta sent.
    status, _, ann_now = scim.request("GET", f"/Users/{ann['id']}")
    assert ann_now["entitlements"] == [{"value": "Agent"}]
    assert [g["display"] for g in ann_now["groups"]] == ["Agent", "CallCenterManager"]
    assert ann_now["groups"][1] == {
        "value": gid,
        "$ref": f"{scim.base_url}/Groups/{gid}",
        "display": "CallCenterManager",
    }
    assert groups_of(scim, bob["id"]) == ["Agent", "CallCenterManager"]

    # Okta's next profile push (PUT with its entitlements) leaves the group's profile alone.
    sync = okta_user("ann.lee@example.com", "00u1ann", entitlements=[{"value": "Agent"}])
    before = calls(scim)
    status, _, synced = scim.request("PUT", f"/Users/{ann['id']}", json=sync)
    assert status == 200
    assert spent(scim, before) == {"DescribeUser": 1}
    assert [g["display"] for g in synced["groups"]] == ["Agent", "CallCenterManager"]

    # Remove one member by value filter.
    remove = idp_body("okta-group-remove-member", **{OKTA_SAMPLE_MEMBER: bob["id"]})
    before = calls(scim)
    assert scim.request("PATCH", f"/Groups/{gid}", json=remove)[0] == 204
    assert spent(scim, before) == {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1}
    assert groups_of(scim, bob["id"]) == ["Agent"]

    # Unlink with "Delete the group in the target app": members lose the profile, which stays.
    assert scim.request("DELETE", f"/Groups/{gid}")[0] == 204
    assert groups_of(scim, ann["id"]) == ["Agent"]
    status, _, after = scim.request("GET", f"/Groups/{gid}")
    assert (status, after["displayName"], "members" in after) == (200, "CallCenterManager", False)
    assert "ListUsers" not in calls(scim)


@OKTA
def test_okta_create_group_links_by_409_and_never_creates_a_profile(scim: ScimHttp) -> None:
    status, _, body = scim.request(
        "POST", "/Groups", json=idp_body("okta-create-group", **{"Test SCIMv2": "CallCenterManager"})
    )
    assert (status, body["scimType"]) == (409, "uniqueness")
    assert 'displayName eq "CallCenterManager"' in body["detail"]
    before = calls(scim)
    status, _, body = scim.request("POST", "/Groups", json=idp_body("okta-create-group"))
    assert (status, body["scimType"]) == (400, "invalidValue")
    assert "create the security profile in Amazon Connect first" in body["detail"]
    assert not any(op in spent(scim, before) for op in WRITES)
    assert find_group(scim, "Test SCIMv2")[1]["totalResults"] == 0


@OKTA
def test_okta_rename_to_another_name_is_a_mutability_error(scim: ScimHttp) -> None:
    gid = group_id(scim, "QualityAnalyst")
    rename = idp_body("okta-group-rename", **{OKTA_SAMPLE_GROUP: gid, "Test SCIMv2": "Quality Team"})
    status, _, body = scim.request("PATCH", f"/Groups/{gid}", json=rename)
    assert (status, body["scimType"]) == (400, "mutability")
    assert "rename it in Amazon Connect" in body["detail"]
    assert find_group(scim, "QualityAnalyst")[1]["totalResults"] == 1


@OKTA
def test_okta_replace_of_the_member_list_and_put_set_exactly_the_members_sent(scim: ScimHttp) -> None:
    ids = [scim.create_user(f"user{n}@example.com")["id"] for n in range(3)]
    gid = group_id(scim, "QualityAnalyst")
    replace = idp_body("okta-group-replace-members", **{"89bb1940-b905-4575-9e7f-6f887cfb368e": ids[0]})
    replace["Operations"][0]["value"].append({"value": ids[1], "display": "user1@example.com"})
    assert scim.request("PATCH", f"/Groups/{gid}", json=replace)[0] == 204
    assert members(scim, gid) == sorted(ids[:2])

    put = {
        "schemas": [CORE_GROUP],
        "id": gid,
        "displayName": "QualityAnalyst",
        "members": [{"value": ids[1]}, {"value": ids[2]}],
    }
    before = calls(scim)
    status, _, body = scim.request("PUT", f"/Groups/{gid}", json=put)
    assert status == 200
    assert sorted(m["value"] for m in body["members"]) == sorted(ids[1:])
    # ids[1] stays a member and is not touched: only ids[0] (leaving) and ids[2] (joining).
    assert spent(scim, before) == {"SearchUsers": 2, "DescribeUser": 2, "UpdateUserSecurityProfiles": 2}
    assert groups_of(scim, ids[0]) == ["Agent"]


@OKTA
def test_okta_add_with_an_id_that_is_no_connect_user_changes_nothing(scim: ScimHttp) -> None:
    ann = scim.create_user("ann@example.com")
    gid = group_id(scim, "CallCenterManager")
    add = idp_body("okta-group-add-members", **{OKTA_SAMPLE_MEMBER: "00000000-0000-4000-8000-00000000dead"})
    add["Operations"][0]["value"].insert(0, {"value": ann["id"]})
    before = calls(scim)
    status, _, body = scim.request("PATCH", f"/Groups/{gid}", json=add)
    assert (status, body["scimType"]) == (400, "invalidValue")
    assert "00000000-0000-4000-8000-00000000dead" in body["detail"]
    assert not any(op in spent(scim, before) for op in WRITES)
    assert members(scim, gid) == []


@OKTA
def test_okta_user_sync_after_a_group_removal_gives_the_profile_back_last_writer_wins(scim: ScimHttp) -> None:
    both = [{"value": "Agent"}, {"value": "CallCenterManager"}]
    ann = scim.request("POST", "/Users", json=okta_user("ann.lee@example.com", "00u1ann", entitlements=both))[
        2
    ]
    gid = group_id(scim, "CallCenterManager")
    remove = idp_body("okta-group-remove-member", **{OKTA_SAMPLE_MEMBER: ann["id"]})
    assert scim.request("PATCH", f"/Groups/{gid}", json=remove)[0] == 204
    now = scim.request("GET", f"/Users/{ann['id']}")[2]
    assert now["entitlements"] == [{"value": "Agent"}] and members(scim, gid) == []
    # Okta's entitlements still say CallCenterManager: its next push restores it.
    sync = okta_user("ann.lee@example.com", "00u1ann", entitlements=both)
    assert scim.request("PUT", f"/Users/{ann['id']}", json=sync)[0] == 200
    assert members(scim, gid) == [ann["id"]]
