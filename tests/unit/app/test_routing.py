"""Routing: which paths exist, which methods they take, and what the client hears otherwise."""

from __future__ import annotations

import pytest

from runtime.app import ScimApp
from runtime.scim.errors import ERROR_SCHEMA
from runtime.scim.schema import CORE_USER

from .conftest import BASE_URL, Reply, call
from .fakes import FakeUsers


def assert_scim_error(response: Reply, status: int) -> None:
    assert response.status == status
    assert response.headers["Content-Type"] == "application/scim+json"
    assert response.body["schemas"] == [ERROR_SCHEMA]
    assert response.body["status"] == str(status)
    assert response.body["detail"]


@pytest.mark.parametrize(
    "path",
    ["/ServiceProviderConfig", "/Schemas", "/ResourceTypes", "/ResourceTypes/User", "/Users", "/Groups"],
)
def test_read_endpoints_answer_get_with_scim_json(app: ScimApp, path: str) -> None:
    response = call(app, "GET", path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/scim+json"
    assert response.body["schemas"]


def test_schema_by_id_answers_that_schema(app: ScimApp) -> None:
    response = call(app, "GET", f"/Schemas/{CORE_USER}")
    assert response.status == 200
    assert response.body["id"] == CORE_USER


@pytest.mark.parametrize("path", ["/Schemas/urn:nope", "/ResourceTypes/Printer"])
def test_unknown_discovery_ids_are_404(app: ScimApp, path: str) -> None:
    assert_scim_error(call(app, "GET", path), 404)


@pytest.mark.parametrize("path", ["/", "", "/Printers", "/Users/a/b", "/Users//x", "/scim/v2/Users"])
def test_unknown_paths_are_scim_404(app: ScimApp, path: str) -> None:
    response = call(app, "GET", path)
    assert_scim_error(response, 404)
    assert "ResourceTypes" in response.body["detail"]  # the detail says where to go instead


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/Users", "GET, POST"),
        ("PUT", "/Users", "GET, POST"),
        ("POST", "/Users/2819c223", "GET, PUT, PATCH, DELETE"),
        ("POST", "/ServiceProviderConfig", "GET"),
        ("PATCH", "/Schemas", "GET"),
        ("DELETE", "/ResourceTypes/User", "GET"),
        ("GET", "/Users/.search", "POST"),
        ("HEAD", "/Users", "GET, POST"),
    ],
)
def test_wrong_method_is_405_with_allow(
    app: ScimApp, users: FakeUsers, method: str, path: str, allow: str
) -> None:
    response = call(app, method, path)
    assert_scim_error(response, 405)
    assert response.headers["Allow"] == allow
    assert method in response.body["detail"]
    assert users.calls == []


def test_trailing_slash_reaches_the_same_route(app: ScimApp, users: FakeUsers) -> None:
    user = users.add("trail@example.com")
    assert call(app, "GET", "/Users/").status == 200
    response = call(app, "GET", f"/Users/{user['id']}/")
    assert response.status == 200
    assert response.body["id"] == user["id"]


def test_url_encoded_id_is_decoded_before_the_service(app: ScimApp, users: FakeUsers) -> None:
    user = users.add("enc@example.com")
    encoded = "".join(f"%{ord(ch):02X}" if ch == "-" else ch for ch in user["id"])
    response = call(app, "GET", f"/Users/{encoded}")
    assert response.status == 200
    assert users.calls == [("get", user["id"])]


@pytest.mark.parametrize(
    "raw_id",
    ["a" * 129, "abc%20def", "abc%2Fdef", "%00", "-leading-dash", "x'OR'1", "%C3%A9t%C3%A9"],
)
def test_malformed_ids_are_404_without_reaching_the_service(
    app: ScimApp, users: FakeUsers, raw_id: str
) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        body = {"schemas": [CORE_USER], "userName": "x"} if method in ("PUT", "PATCH") else None
        response = call(app, method, f"/Users/{raw_id}", body=body)
        assert_scim_error(response, 404)
        assert "ids are" in response.body["detail"]
    assert users.calls == []


def test_endpoint_names_are_matched_case_insensitively(app: ScimApp) -> None:
    assert call(app, "GET", "/users").status == 200
    assert call(app, "GET", "/serviceproviderconfig").status == 200


@pytest.mark.parametrize(("method", "path"), [("POST", "/Bulk"), ("GET", "/Me"), ("POST", "/.search")])
def test_optional_rfc_endpoints_answer_501_with_a_reason(app: ScimApp, method: str, path: str) -> None:
    response = call(app, method, path, body={"schemas": []} if method == "POST" else None)
    assert_scim_error(response, 501)
    assert "not supported" in response.body["detail"]


def test_discovery_locations_use_the_request_base_url(app: ScimApp) -> None:
    body = call(app, "GET", "/ResourceTypes/User").body
    assert body["meta"]["location"].startswith(BASE_URL)


def test_every_response_carries_a_correlation_id(app: ScimApp) -> None:
    ok = call(app, "GET", "/Users")
    missing = call(app, "GET", "/nope")
    assert ok.headers["X-Correlation-Id"] != missing.headers["X-Correlation-Id"]
