"""Microsoft Entra's provisioning flow over HTTP, with the PATCH forms Entra really sends.

Entra looks users up by externalId or userName, creates them with the enterprise extension,
updates with capitalised ``Replace``/``Add`` ops, ``"False"`` strings, path-less values with
dotted and URN keys and ``emails[type eq "work"].value`` paths, soft-deletes with
``active: "False"`` and later DELETEs ([ENTRA-SCIM], [ENTRA-COMPAT] in runtime/scim/policy.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import ScimHttp

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

ENTRA_USER: dict[str, Any] = {
    "schemas": [CORE, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
    "active": True,
    "displayName": "Test User",
    "emails": [{"primary": True, "type": "work", "value": "test.user@contoso.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Test User", "familyName": "User", "givenName": "Test"},
    "phoneNumbers": [{"type": "mobile", "value": "+1 425 555 0199"}],
    "roles": [],
    ENTERPRISE: {"department": "Agent, QualityAnalyst", "employeeNumber": "701984"},
}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def calls(scim: ScimHttp) -> Counter[str]:
    return Counter({op: entry["calls"] for op, entry in scim.emulator.stats()["operations"].items()})


def spent(scim: ScimHttp, before: Counter[str]) -> dict[str, int]:
    after = calls(scim)
    return {op: after[op] - before[op] for op in after if after[op] != before[op]}


def query(scim: ScimHttp, text: str) -> Any:
    status, _, body = scim.request("GET", f"/Users?filter={quote(text)}")
    assert status == 200, body
    return body


@pytest.mark.parametrize("scim", [{"idp": "entra"}], indirect=True)
def test_entra_provisioning_cycle(scim: ScimHttp) -> None:
    assert query(scim, f'externalId eq "{ENTRA_USER["externalId"]}"')["totalResults"] == 0
    assert query(scim, f'userName eq "{ENTRA_USER["userName"]}"')["totalResults"] == 0

    status, _, created = scim.request("POST", "/Users", json=ENTRA_USER)
    assert status == 201, created
    assert created[ENTERPRISE]["department"] == "Agent, QualityAnalyst"
    assert created["phoneNumbers"] == ENTRA_USER["phoneNumbers"]
    user = f"/Users/{created['id']}"

    found = query(scim, f"externalId eq {ENTRA_USER['externalId']}")  # Entra may leave the value unquoted
    assert [r["id"] for r in found["Resources"]] == [created["id"]]

    before = calls(scim)
    status, _, updated = scim.request(
        "PATCH",
        user,
        json=patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "renamed@contoso.com"},
            {
                "op": "Add",
                "value": {"name.givenName": "Tess", f"{ENTERPRISE}:department": "CallCenterManager"},
            },
        ),
    )
    assert status == 200, updated
    assert updated["emails"][0]["value"] == "renamed@contoso.com"
    assert updated["name"]["givenName"] == "Tess"
    assert updated[ENTERPRISE]["department"] == "CallCenterManager"
    # One read; identity, security profiles and the tags (emails, raw department) are 3 facets.
    assert spent(scim, before) == {
        "DescribeUser": 1,
        "UpdateUserIdentityInfo": 1,
        "UpdateUserSecurityProfiles": 1,
        "TagResource": 1,
    }

    before = calls(scim)
    status, _, again = scim.request("GET", user)
    resync = [
        {"op": "Replace", "path": "displayName", "value": again["displayName"]},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "CallCenterManager"},
    ]
    status, _, _ = scim.request("PATCH", user, json=patch(*resync))
    assert status == 200
    assert spent(scim, before) == {"DescribeUser": 2}  # an unchanged re-sync writes nothing

    status, _, off = scim.request(
        "PATCH", user, json=patch({"op": "Replace", "path": "active", "value": "False"})
    )
    assert (status, off["active"]) == (200, False)
    status, _, fetched = scim.request("GET", user)
    assert (fetched["active"], fetched[ENTERPRISE]["department"]) == (False, "CallCenterManager")

    before = calls(scim)
    status, _, body = scim.request("DELETE", user)
    assert (status, body) == (204, None)
    assert spent(scim, before) == {"DeleteUser": 1}
    assert scim.request("GET", user)[0] == 404
    assert scim.request("DELETE", user)[0] == 404


@pytest.mark.parametrize("scim", [{"idp": "entra", "deactivation": "delete"}], indirect=True)
def test_entra_soft_delete_in_delete_mode_deletes_the_connect_user(scim: ScimHttp) -> None:
    created = scim.create_user("leaver@contoso.com")
    before = calls(scim)
    status, _, off = scim.request(
        "PATCH",
        f"/Users/{created['id']}",
        json=patch({"op": "Replace", "path": "active", "value": [{"value": "False"}]}),
    )
    assert (status, off["active"]) == (200, False)
    assert spent(scim, before) == {"DescribeUser": 1, "DeleteUser": 1}
    assert scim.request("GET", f"/Users/{created['id']}")[0] == 404


@pytest.mark.parametrize("scim", [{"idp": "entra"}], indirect=True)
def test_entra_reactivation_restores_access(scim: ScimHttp) -> None:
    body = {**ENTRA_USER, "userName": "returner@contoso.com", "externalId": "ret-1"}
    status, _, created = scim.request("POST", "/Users", json=body)
    assert status == 201
    user = f"/Users/{created['id']}"
    scim.request("PATCH", user, json=patch({"op": "Replace", "path": "active", "value": "False"}))
    before = calls(scim)
    status, _, on = scim.request(
        "PATCH", user, json=patch({"op": "Replace", "path": "active", "value": "True"})
    )
    assert (status, on["active"], on[ENTERPRISE]["department"]) == (200, True, "Agent, QualityAnalyst")
    assert spent(scim, before) == {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1, "UntagResource": 1}
    described = scim.emulator.connect_client().describe_user(
        InstanceId=scim.emulator.instance_id, UserId=created["id"]
    )
    profiles = set(described["User"]["SecurityProfileIds"])
    assert profiles == {
        scim.emulator.security_profile_id("Agent"),
        scim.emulator.security_profile_id("QualityAnalyst"),
    }


@pytest.mark.parametrize("scim", [{"idp": "entra"}], indirect=True)
def test_unsupported_filters_are_400_invalid_filter_and_no_match_is_an_empty_list(scim: ScimHttp) -> None:
    status, _, body = scim.request("GET", "/Users?filter=" + quote('displayName eq "Test User"'))
    assert (status, body["scimType"]) == (400, "invalidFilter")
    assert "displayName" in body["detail"]
    assert query(scim, 'userName eq "nobody@contoso.com"')["Resources"] == []
