"""Okta's provisioning flow over HTTP: look up by userName, create, deactivate, update.

The sequence is what Okta's SCIM 2.0 client sends when a user is assigned, unassigned and
edited (Okta SCIM 2.0 reference; the Runscope "Okta SCIM 2.0 Spec Test"), with the Connect call
budget of each step measured on the emulator.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import ScimHttp

CONNECT = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

OKTA_USER: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "ivy.nguyen@example.com",
    "name": {"givenName": "Ivy", "familyName": "Nguyen"},
    "emails": [{"primary": True, "value": "ivy.nguyen@example.com", "type": "work"}],
    "displayName": "Ivy Nguyen",
    "locale": "en-US",
    "externalId": "00u1abcdEFGH2345ijkl",
    "groups": [],
    "active": True,
    "entitlements": [{"value": "Agent"}, {"value": "QualityAnalyst"}],
    "roles": [{"value": "Sales Routing Profile"}],
}


def calls(scim: ScimHttp) -> Counter[str]:
    return Counter({op: entry["calls"] for op, entry in scim.emulator.stats()["operations"].items()})


def spent(scim: ScimHttp, before: Counter[str]) -> dict[str, int]:
    after = calls(scim)
    return {op: after[op] - before[op] for op in after if after[op] != before[op]}


def lookup(scim: ScimHttp, user_name: str) -> tuple[int, Any]:
    text = 'userName eq "' + user_name + '"'
    status, _, body = scim.request("GET", f"/Users?filter={quote(text)}&startIndex=1&count=100")
    return status, body


@pytest.mark.parametrize("scim", [{"idp": "okta"}], indirect=True)
def test_okta_assign_deactivate_and_update_flow(scim: ScimHttp) -> None:
    status, listed = lookup(scim, OKTA_USER["userName"])
    assert status == 200
    assert (listed["totalResults"], listed["Resources"], listed["startIndex"]) == (0, [], 1)

    before = calls(scim)
    status, headers, created = scim.request("POST", "/Users", json=OKTA_USER)
    assert status == 201, created
    # A fresh container lists the profiles once (then caches them); the POST itself is 2 calls.
    assert spent(scim, before) == {
        "ListSecurityProfiles": 1,
        "ListRoutingProfiles": 1,
        "SearchUsers": 1,
        "CreateUser": 1,
    }
    assert headers["Location"] == f"{scim.base_url}/Users/{created['id']}" == created["meta"]["location"]
    assert created["entitlements"] == OKTA_USER["entitlements"] and created["roles"] == OKTA_USER["roles"]
    assert "password" not in created

    before = calls(scim)
    status, listed = lookup(scim, "IVY.NGUYEN@example.com")
    assert (status, listed["totalResults"], listed["Resources"][0]["id"]) == (200, 1, created["id"])
    assert spent(scim, before) == {"SearchUsers": 1}

    before = calls(scim)
    deactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    status, _, off = scim.request("PATCH", f"/Users/{created['id']}", json=deactivate)
    assert (status, off["active"], off["entitlements"]) == (200, False, OKTA_USER["entitlements"])
    assert spent(scim, before) == {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1}

    before = calls(scim)
    update = {**OKTA_USER, "active": True, "name": {"givenName": "Ivy", "familyName": "Tran"}}
    status, _, put = scim.request("PUT", f"/Users/{created['id']}", json=update)
    assert status == 200, put
    assert (put["active"], put["name"]["familyName"], put["entitlements"]) == (
        True,
        "Tran",
        OKTA_USER["entitlements"],
    )
    assert spent(scim, before) == {
        "DescribeUser": 1,
        "UpdateUserIdentityInfo": 1,
        "UpdateUserSecurityProfiles": 1,
        "UntagResource": 1,
    }

    status, _, fetched = scim.request("GET", f"/Users/{created['id']}")
    assert status == 200
    assert {k: v for k, v in fetched.items() if k != "meta"} == {k: v for k, v in put.items() if k != "meta"}


@pytest.mark.parametrize("scim", [{"idp": "okta"}], indirect=True)
def test_okta_resync_of_an_unchanged_user_costs_one_read(scim: ScimHttp) -> None:
    created = scim.create_user("kim.lee@example.com", name={"givenName": "Kim", "familyName": "Lee"})
    body = {k: v for k, v in created.items() if k not in ("id", "meta")}
    before = calls(scim)
    status, _, _ = scim.request("PUT", f"/Users/{created['id']}", json=body)
    assert status == 200
    assert spent(scim, before) == {"DescribeUser": 1}


@pytest.mark.parametrize("scim", [{"idp": "okta"}], indirect=True)
def test_okta_duplicate_post_is_409_uniqueness_in_any_case(scim: ScimHttp) -> None:
    scim.create_user("dup.user@example.com")
    status, headers, body = scim.request(
        "POST", "/Users", json={"schemas": OKTA_USER["schemas"], "userName": "DUP.USER@example.com"}
    )
    assert (status, body["scimType"], body["schemas"]) == (409, "uniqueness", [ERROR])
    assert headers["Content-Type"].startswith("application/scim+json")


@pytest.mark.parametrize("scim", [{"idp": "okta"}], indirect=True)
def test_unknown_entitlement_and_rename_are_400s_that_say_why(scim: ScimHttp) -> None:
    status, _, body = scim.request("POST", "/Users", json={**OKTA_USER, "entitlements": [{"value": "Pilot"}]})
    assert (status, body["scimType"]) == (400, "invalidValue")
    assert "'Pilot'" in body["detail"]
    created = scim.create_user("rename.me@example.com")
    rename = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "userName", "value": "new@x.com"}],
    }
    status, _, body = scim.request("PATCH", f"/Users/{created['id']}", json=rename)
    assert (status, body["scimType"]) == (400, "mutability")
    assert "cannot rename" in body["detail"]


@pytest.mark.parametrize("scim", [{"idp": "okta", "connect_max_attempts": 1}], indirect=True)
def test_connect_throttling_reaches_okta_as_429_with_retry_after(scim: ScimHttp) -> None:
    created = scim.create_user("busy.user@example.com")
    scim.emulator.configure(rate=0.01, burst=1)
    scim.request("GET", f"/Users/{created['id']}")
    status, headers, body = scim.request("GET", f"/Users/{created['id']}")
    assert (status, body["status"]) == (429, "429")
    assert int(headers["Retry-After"]) >= 1


@pytest.mark.parametrize("scim", [{"idp": "okta", "connect_max_attempts": 1}], indirect=True)
def test_connect_outage_reaches_okta_as_503_with_retry_after(scim: ScimHttp) -> None:
    created = scim.create_user("outage.user@example.com")
    scim.emulator.configure(fault_rate=1.0)
    status, headers, body = scim.request("GET", f"/Users/{created['id']}")
    assert (status, body["status"]) == (503, "503")
    assert int(headers["Retry-After"]) >= 1
