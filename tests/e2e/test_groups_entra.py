"""Microsoft Entra group provisioning over HTTP: create attempt, lookup without members, member add
with ``$ref: null``, both remove forms, membership checks, and deactivated members.

The requests are Entra's own (learn.microsoft.com "use-scim-to-provision-users-and-groups",
request examples "Create Group", "Update Group [Add Members]", "Update Group [Remove Members]",
"Update Group [Non-member attributes]"; fixtures in ``tests/unit/scim/fixtures``), with its
capitalised ``op`` values. Entra reads groups with ``excludedAttributes=members``, which costs no
Connect call once the profile names are cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from .conftest import ScimHttp
from .groups_support import (
    CORE_USER,
    WRITES,
    calls,
    find_group,
    group_id,
    groups_of,
    idp_body,
    members,
    patch,
    spent,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ENTRA_SAMPLE_MEMBER = "f648f8d5ea4e4cd38e9c"

ENTRA = pytest.mark.parametrize("scim", [{"idp": "entra"}], indirect=True)


def entra_user(user_name: str, object_id: str, department: str | None = None) -> dict[str, Any]:
    """What Entra POSTs for a user ("Create User" request example), with our department mapping."""
    body: dict[str, Any] = {
        "schemas": [CORE_USER, ENTERPRISE],
        "externalId": object_id,
        "userName": user_name,
        "active": True,
        "displayName": user_name.split("@", maxsplit=1)[0],
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "roles": [],
    }
    if department is not None:
        body[ENTERPRISE] = {"department": department}
    return body


def create(scim: ScimHttp, user_name: str, object_id: str, department: str | None = None) -> str:
    status, _, body = scim.request("POST", "/Users", json=entra_user(user_name, object_id, department))
    assert status == 201, body
    created: str = body["id"]
    return created


def entra_member(op_fixture: str, user_id: str) -> Any:
    return idp_body(op_fixture, **{ENTRA_SAMPLE_MEMBER: user_id})


@ENTRA
def test_entra_group_provisioning_flow(scim: ScimHttp) -> None:
    ann = create(scim, "ann@contoso.com", "8aa1a0c0-0001", department="Agent")
    bob = create(scim, "bob@contoso.com", "8aa1a0c0-0002")

    # Entra tries to create the group first: the profile exists, so 409 and Entra matches it by name.
    attempt = idp_body(
        "entra-create-group", **{'"displayName": "displayName"': '"displayName": "CallCenterManager"'}
    )
    status, _, body = scim.request("POST", "/Groups", json=attempt)
    assert (status, body["scimType"]) == (409, "uniqueness")

    before = calls(scim)
    status, found = find_group(scim, "CallCenterManager", "&excludedAttributes=members")
    assert (status, found["totalResults"]) == (200, 1)
    assert "members" not in found["Resources"][0]
    assert spent(scim, before) == {}  # no member lookup, names already cached
    gid = found["Resources"][0]["id"]

    # Member add with "$ref": null, one request per member as Entra sends them.
    before = calls(scim)
    for user_id in (ann, bob):
        status, _, body = scim.request(
            "PATCH", f"/Groups/{gid}", json=entra_member("entra-group-add-member", user_id)
        )
        assert (status, body) == (204, None)
    # Ann's department names a profile: her first group also records it (one TagResource, once).
    assert spent(scim, before) == {"DescribeUser": 2, "UpdateUserSecurityProfiles": 2, "TagResource": 1}
    assert members(scim, gid) == sorted([ann, bob])

    # Entra checks one membership with a filter; it reads the named user only.
    check = quote(f'id eq "{gid}" and members[value eq "{bob}"]')
    before = calls(scim)
    status, _, listed = scim.request("GET", f"/Groups?filter={check}&excludedAttributes=members")
    assert (status, listed["totalResults"]) == (200, 1)
    assert spent(scim, before) == {"DescribeUser": 1}

    # Ann's department reads back as sent; groups shows both.
    status, _, ann_now = scim.request("GET", f"/Users/{ann}")
    assert ann_now[ENTERPRISE]["department"] == "Agent"
    assert [g["display"] for g in ann_now["groups"]] == ["Agent", "CallCenterManager"]

    # Remove with a value list (Entra's form), then with a value filter (the RFC's form).
    assert (
        scim.request("PATCH", f"/Groups/{gid}", json=entra_member("entra-group-remove-member", ann))[0] == 204
    )
    by_filter = patch({"op": "Remove", "path": f'members[value eq "{bob}"]'})
    assert scim.request("PATCH", f"/Groups/{gid}", json=by_filter)[0] == 204
    assert members(scim, gid) == []
    assert groups_of(scim, ann) == groups_of(scim, bob) == ["Agent"]
    assert "ListUsers" not in calls(scim)


@ENTRA
def test_entra_create_of_a_group_with_no_security_profile_tells_the_admin_what_to_do(scim: ScimHttp) -> None:
    attempt = idp_body(
        "entra-create-group", **{'"displayName": "displayName"': '"displayName": "Night Shift"'}
    )
    status, _, body = scim.request("POST", "/Groups", json=attempt)
    assert (status, body["scimType"]) == (400, "invalidValue")
    assert "create the security profile in Amazon Connect first" in body["detail"]


@ENTRA
def test_entra_rename_is_refused(scim: ScimHttp) -> None:
    gid = group_id(scim, "Agent")
    status, _, body = scim.request("PATCH", f"/Groups/{gid}", json=idp_body("entra-group-rename"))
    assert (status, body["scimType"]) == (400, "mutability")


@ENTRA
def test_entra_ops_in_any_case_change_membership(scim: ScimHttp) -> None:
    uid = create(scim, "cy@contoso.com", "8aa1a0c0-0003")
    gid = group_id(scim, "QualityAnalyst")
    for op in ("ADD", "add", "Add"):
        body = patch({"op": op, "path": "members", "value": [{"$ref": None, "value": uid}]})
        assert scim.request("PATCH", f"/Groups/{gid}", json=body)[0] == 204
    assert members(scim, gid) == [uid]
    body = patch({"op": "REMOVE", "path": "members", "value": [{"value": uid}]})
    assert scim.request("PATCH", f"/Groups/{gid}", json=body)[0] == 204
    assert members(scim, gid) == []


@pytest.mark.parametrize("scim", [{"idp": "entra", "deactivation": "disable"}], indirect=True)
def test_a_disabled_user_keeps_group_changes_for_its_reactivation_and_no_access_until_then(
    scim: ScimHttp,
) -> None:
    uid = create(scim, "dee@contoso.com", "8aa1a0c0-0004")
    gid = group_id(scim, "CallCenterManager")
    disable = patch({"op": "Replace", "path": "active", "value": "False"})
    assert scim.request("PATCH", f"/Users/{uid}", json=disable)[0] == 200

    before = calls(scim)
    assert scim.request("PATCH", f"/Groups/{gid}", json=entra_member("entra-group-add-member", uid))[0] == 204
    assert spent(scim, before) == {"DescribeUser": 1, "TagResource": 1}  # remembered, not granted
    assert members(scim, gid) == [uid]
    live = scim.emulator.connect_client().describe_user(InstanceId=scim.emulator.instance_id, UserId=uid)
    assert live["User"]["SecurityProfileIds"] == [scim.emulator.security_profile_id("SCIM-Deactivated")]
    status, _, off = scim.request("GET", f"/Users/{uid}")
    assert (off["active"], [g["display"] for g in off["groups"]]) == (False, ["Agent", "CallCenterManager"])

    enable = patch({"op": "Replace", "path": "active", "value": "True"})
    status, _, on = scim.request("PATCH", f"/Users/{uid}", json=enable)
    assert (status, [g["display"] for g in on["groups"]]) == (200, ["Agent", "CallCenterManager"])
    live = scim.emulator.connect_client().describe_user(InstanceId=scim.emulator.instance_id, UserId=uid)
    assert set(live["User"]["SecurityProfileIds"]) == {
        scim.emulator.security_profile_id("Agent"),
        scim.emulator.security_profile_id("CallCenterManager"),
    }


@ENTRA
def test_group_reads_and_membership_changes_stay_within_the_call_budget(scim: ScimHttp) -> None:
    ids = [create(scim, f"u{n}@contoso.com", f"8aa1a0c0-01{n}") for n in range(4)]
    gid = group_id(scim, "CallCenterManager")  # warms the profile cache

    before = calls(scim)
    status, _, group = scim.request("GET", f"/Groups/{gid}?excludedAttributes=members")
    assert (status, "members" in group) == (200, False)
    assert spent(scim, before) == {}  # ≤ 1 call; 0 with the profile names cached

    for k in (1, 3):
        chosen = ids[:k]
        add = patch(
            {"op": "Add", "path": "members", "value": [{"$ref": None, "value": uid} for uid in chosen]}
        )
        before = calls(scim)
        assert scim.request("PATCH", f"/Groups/{gid}", json=add)[0] == 204
        used = spent(scim, before)
        assert used.get("DescribeUser", 0) <= k and used.get("UpdateUserSecurityProfiles", 0) <= k
        assert sum(used.values()) <= 2 * k, used
        remove = patch({"op": "Remove", "path": "members", "value": [{"value": uid} for uid in chosen]})
        before = calls(scim)
        assert scim.request("PATCH", f"/Groups/{gid}", json=remove)[0] == 204
        assert sum(spent(scim, before).values()) <= 2 * k
    assert "ListUsers" not in calls(scim)


@ENTRA
def test_unknown_group_and_bad_requests_are_scim_errors(scim: ScimHttp) -> None:
    status, _, body = scim.request("GET", "/Groups/00000000-0000-4000-8000-000000000000")
    assert (status, body["status"]) == (404, "404")
    gid = group_id(scim, "Agent")
    bad: list[tuple[str, str, Any, int, str]] = [
        ("GET", f"/Groups?filter={quote('members pr')}", None, 400, "invalidFilter"),
        ("PATCH", f"/Groups/{gid}", {"Operations": []}, 400, "invalidSyntax"),
        (
            "PATCH",
            f"/Groups/{gid}",
            patch({"op": "Add", "path": "members", "value": [{"value": gid, "type": "Group"}]}),
            400,
            "invalidValue",
        ),
        ("PATCH", f"/Groups/{gid}", patch({"op": "Remove", "path": "displayName"}), 400, "mutability"),
    ]
    before = calls(scim)
    for method, path, body_sent, want_status, scim_type in bad:
        status, _, body = scim.request(method, path, json=body_sent)
        assert (status, body.get("scimType")) == (want_status, scim_type), body
    assert not any(op in spent(scim, before) for op in WRITES)
