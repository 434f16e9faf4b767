"""Listing and reading groups over HTTP, for the Okta and Entra profiles alike (RFC 7644 §3.4.2).

Which security profiles are groups (the assignable ones, never the deactivated-user profile),
filters combined with ``and``/``or``, ``startIndex``/``count`` paging, ``attributes`` projection,
and the defaults a user falls back to when its last group goes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from .conftest import ScimHttp
from .groups_support import calls, group_id, groups_of, members, patch, spent

BOTH = pytest.mark.parametrize(
    "scim", [{"idp": "okta"}, {"idp": "entra"}], indirect=True, ids=["okta", "entra"]
)


def listed(scim: ScimHttp, query: str) -> dict[str, Any]:
    status, _, body = scim.request("GET", f"/Groups?{query}")
    assert status == 200, body
    return dict(body)


def names(body: dict[str, Any]) -> list[str]:
    return [group["displayName"] for group in body["Resources"]]


@BOTH
def test_every_assignable_profile_is_a_group_sorted_by_name_and_paged(scim: ScimHttp) -> None:
    everything = listed(scim, "excludedAttributes=members")
    assert names(everything) == ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"]
    page = listed(scim, "startIndex=2&count=2&excludedAttributes=members")
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (4, 2, 2)
    assert names(page) == ["Agent", "CallCenterManager"]
    assert listed(scim, "count=0")["Resources"] == []


@BOTH
def test_the_deactivated_user_profile_is_never_a_group(scim: ScimHttp) -> None:
    hidden = scim.emulator.security_profile_id("SCIM-Deactivated")
    assert scim.request("GET", f"/Groups/{hidden}")[0] == 404
    by_id = quote(f'id eq "{hidden}"')
    assert listed(scim, f"filter={by_id}")["totalResults"] == 0


@pytest.mark.parametrize(
    "scim",
    [
        {"idp": "okta", "assignable_security_profiles": ["Agent", "CallCenterManager"]},
        {"idp": "entra", "assignable_security_profiles": ["Agent", "CallCenterManager"]},
    ],
    indirect=True,
    ids=["okta", "entra"],
)
def test_with_an_allowlist_only_its_profiles_are_groups(scim: ScimHttp) -> None:
    assert names(listed(scim, "excludedAttributes=members")) == ["Agent", "CallCenterManager"]
    admin = scim.emulator.security_profile_id("Admin")
    assert scim.request("GET", f"/Groups/{admin}")[0] == 404
    status, _, body = scim.request(
        "POST",
        "/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Admin"},
    )
    assert (status, body["scimType"]) == (400, "invalidValue")


@BOTH
def test_filters_combine_with_or_and_and_and_projection_keeps_what_was_asked(scim: ScimHttp) -> None:
    either = quote('displayName eq "agent" or displayName eq "QUALITYANALYST"')
    assert names(listed(scim, f"filter={either}&excludedAttributes=members")) == ["Agent", "QualityAnalyst"]
    gid = group_id(scim, "Agent")
    both = quote(f'displayName eq "Agent" and id eq "{gid}"')
    projected = listed(scim, f"filter={both}&attributes=displayName")["Resources"]
    assert [set(group) for group in projected] == [{"schemas", "id", "displayName"}]
    status, _, one = scim.request("GET", f"/Groups/{gid}?attributes=displayName")
    assert (status, "members" in one) == (200, False)


@BOTH
def test_members_carry_value_ref_and_display(scim: ScimHttp) -> None:
    user = scim.create_user("ann@example.com")
    gid = group_id(scim, "QualityAnalyst")
    assert (
        scim.request(
            "PATCH",
            f"/Groups/{gid}",
            json=patch({"op": "add", "path": "members", "value": [{"value": user["id"]}]}),
        )[0]
        == 204
    )
    status, _, group = scim.request("GET", f"/Groups/{gid}")
    assert group["members"] == [
        {
            "value": user["id"],
            "$ref": f"{scim.base_url}/Users/{user['id']}",
            "display": "ann@example.com",
            "type": "User",
        }
    ]
    before = calls(scim)
    status, _, with_attributes = scim.request(
        "PATCH",
        f"/Groups/{gid}?attributes=members",
        json=patch({"op": "remove", "path": f'members[value eq "{user["id"]}"]'}),
    )
    # With "attributes" RFC 7644 §3.5.2 requires a 200 with them: the group is read back.
    assert (status, "members" in with_attributes) == (200, False)
    assert spent(scim, before)["SearchUsers"] == 2


@BOTH
def test_leaving_the_last_group_gives_the_default_security_profiles(scim: ScimHttp) -> None:
    profiles = (
        {"entitlements": [{"value": "CallCenterManager"}]}
        if scim.settings.idp == "okta"
        else {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "CallCenterManager"},
        }
    )
    status, _, user = scim.request(
        "POST",
        "/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "cy@example.com",
            **profiles,
        },
    )
    assert status == 201, user
    assert groups_of(scim, user["id"]) == ["CallCenterManager"]
    gid = group_id(scim, "CallCenterManager")
    assert (
        scim.request(
            "PATCH",
            f"/Groups/{gid}",
            json=patch({"op": "remove", "path": f'members[value eq "{user["id"]}"]'}),
        )[0]
        == 204
    )
    assert groups_of(scim, user["id"]) == ["Agent"]
    assert members(scim, gid) == []
