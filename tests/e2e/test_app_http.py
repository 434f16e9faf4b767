"""The app over real HTTP and the Connect emulator: the README walkthrough, limits, quota, logs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.scim.errors import ERROR_SCHEMA
from runtime.scim.schema import CONNECT_USER, CORE_USER, LIST_RESPONSE

from .conftest import ScimHttp

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

JANE: dict[str, Any] = {
    "schemas": [CORE_USER, CONNECT_USER],
    "userName": "jane.doe@example.com",
    "name": {"givenName": "Jane", "familyName": "Doe"},
    "emails": [{"value": "jane.doe@example.com", "type": "work", "primary": True}],
    CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile"},
}


def deactivate(scim: ScimHttp, user_id: str, value: Any = False) -> tuple[int, Any]:
    status, _, body = scim.request(
        "PATCH",
        f"/Users/{user_id}",
        json={"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": value}}]},
    )
    return status, body


def test_readme_walkthrough_create_get_filter_deactivate(scim: ScimHttp) -> None:
    status, headers, created = scim.request("POST", "/Users", json=JANE)
    assert status == 201, created
    assert headers["Location"] == f"{scim.base_url}/Users/{created['id']}"
    assert created[CONNECT_USER]["securityProfiles"] == ["Agent"]

    status, _, fetched = scim.request("GET", f"/Users/{created['id']}")
    assert (status, fetched["userName"], fetched["active"]) == (200, "jane.doe@example.com", True)

    status, _, found = scim.request("GET", "/Users", params={"filter": 'userName eq "jane.doe@example.com"'})
    assert (status, found["totalResults"]) == (200, 1)
    assert found["Resources"][0]["id"] == created["id"]

    status, patched = deactivate(scim, created["id"])
    assert (status, patched["active"]) == (200, False)
    status, _, again = scim.request("GET", f"/Users/{created['id']}")
    assert (status, again["active"]) == (200, False)  # disable mode: still readable, still inactive

    status, reactivated = deactivate(scim, created["id"], True)
    assert (status, reactivated["active"]) == (200, True)
    assert reactivated[CONNECT_USER]["securityProfiles"] == ["Agent"]  # restored, not the no-permission one


def test_second_create_with_the_same_username_is_409_uniqueness(scim: ScimHttp) -> None:
    scim.create_user("dup@example.com", name={"givenName": "A", "familyName": "B"})
    status, _, body = scim.request(
        "POST",
        "/Users",
        json={
            "schemas": [CORE_USER],
            "userName": "DUP@example.com",
            "name": {"givenName": "A", "familyName": "B"},
        },
    )
    assert status == 409
    assert (body["scimType"], body["schemas"]) == ("uniqueness", [ERROR_SCHEMA])


@pytest.mark.parametrize("scim", [{"idp": "entra", "deactivation": "delete"}], indirect=True)
def test_entra_string_false_with_delete_mode_deletes_the_user(scim: ScimHttp) -> None:
    user = scim.create_user("entra.user@example.com", name={"givenName": "E", "familyName": "U"})
    status, _, _ = scim.request(
        "PATCH",
        f"/Users/{user['id']}",
        json={"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert status in (200, 204)
    assert scim.request("GET", f"/Users/{user['id']}")[0] == 404
    assert scim.emulator.calls("DeleteUser") == 1


def test_search_endpoint_over_http(scim: ScimHttp) -> None:
    scim.create_user("searched@example.com", name={"givenName": "S", "familyName": "E"})
    status, _, body = scim.request(
        "POST",
        "/Users/.search",
        json={
            "schemas": [SEARCH],
            "filter": 'userName eq "searched@example.com"',
            "attributes": ["userName"],
        },
    )
    assert status == 200
    assert body["schemas"] == [LIST_RESPONSE]
    (resource,) = body["Resources"]
    assert set(resource) <= {"id", "schemas", "userName", "meta"}


def test_okta_test_connection_request_returns_integer_paging(scim: ScimHttp) -> None:
    status, _, body = scim.request("GET", "/Users?startIndex=1&count=2")
    assert status == 200
    assert all(isinstance(body[k], int) for k in ("totalResults", "startIndex", "itemsPerPage"))


def test_discovery_is_served_behind_the_token(scim: ScimHttp) -> None:
    status, _, spc = scim.request("GET", "/ServiceProviderConfig")
    assert status == 200
    assert spc["patch"]["supported"] is True
    assert scim.request("GET", "/ServiceProviderConfig", headers={"Authorization": None})[0] == 401


def test_form_encoded_post_is_415_like_a_bare_curl_d(scim: ScimHttp) -> None:
    status, _, body = scim.request(
        "POST",
        "/Users",
        raw=json.dumps(JANE).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    assert "application/scim+json" in body["detail"]
    assert scim.emulator.calls("CreateUser") == 0


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_methods_scim_does_not_define_are_405(scim: ScimHttp, method: str) -> None:
    status, headers, _ = scim.request(method, "/Users")
    assert status == 405
    assert headers["Allow"] == "GET, POST"


@pytest.mark.parametrize("scim", [{"connect_max_attempts": 1}], indirect=True)
def test_exhausted_connect_quota_is_429_with_retry_after_never_5xx(scim: ScimHttp) -> None:
    scim.emulator.configure(rate=0.01, burst=1)
    statuses = []
    for index in range(4):
        status, headers, body = scim.request(
            "POST",
            "/Users",
            json={
                "schemas": [CORE_USER],
                "userName": f"quota{index}@example.com",
                "name": {"givenName": "Q", "familyName": str(index)},
            },
        )
        statuses.append(status)
        if status == 429:
            assert int(headers["Retry-After"]) >= 1
            assert body["status"] == "429"
    assert 429 in statuses
    assert all(status < 500 for status in statuses), statuses


@pytest.mark.parametrize("scim", [{"connect_max_attempts": 1}], indirect=True)
def test_connect_server_errors_are_503_with_retry_after(scim: ScimHttp) -> None:
    scim.emulator.configure(fault_rate=1.0)
    status, headers, body = scim.request("GET", "/Users", params={"filter": 'userName eq "x@example.com"'})
    assert status == 503
    assert headers["Retry-After"]
    assert body["schemas"] == [ERROR_SCHEMA]


def test_logs_carry_routes_and_ids_never_tokens_or_personal_data(
    scim: ScimHttp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scim.request("POST", "/Users", json=JANE)[0] == 201
    scim.request("GET", "/Users", params={"filter": 'userName eq "jane.doe@example.com"'})
    scim.request("GET", "/Users", headers={"Authorization": "Bearer not-the-token-but-secret-looking"})
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("event") == "scim.request"]
    assert {r["route"] for r in requests} >= {"/Users"}
    assert any(r.get("status") == 201 for r in requests)
    assert any(r.get("status") == 401 and r.get("adapter") == "local" for r in requests)
    for secret in (scim.token, "not-the-token", "jane.doe", "Jane", "Doe"):
        assert secret not in out


def test_location_follows_the_host_the_client_used(scim: ScimHttp) -> None:
    body = {
        "schemas": [CORE_USER],
        "userName": "fwd@example.com",
        "name": {"givenName": "F", "familyName": "W"},
    }
    status, headers, created = scim.request(
        "POST", "/Users", json=body, headers={"Host": "scim.example.test:8443", "X-Forwarded-Proto": "https"}
    )
    assert status == 201
    assert headers["Location"] == f"https://scim.example.test:8443/scim/v2/Users/{created['id']}"


def test_a_malformed_host_header_falls_back_to_the_bound_address(scim: ScimHttp) -> None:
    user = scim.create_user("host@example.com", name={"givenName": "H", "familyName": "O"})
    status, _, body = scim.request("GET", f"/Users/{user['id']}", headers={"Host": "evil.example/<x>"})
    assert status == 200
    assert body["meta"]["location"] == f"{scim.base_url}/Users/{user['id']}"
