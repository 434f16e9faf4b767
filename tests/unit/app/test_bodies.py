"""Request bodies: media types, missing/malformed/oversized JSON, and the SearchRequest body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.app import MAX_BODY_BYTES, MAX_JSON_DEPTH, ScimApp
from runtime.scim.schema import CORE_USER

from .conftest import call
from .fakes import FakeUsers
from .test_routing import assert_scim_error

USER = {"schemas": [CORE_USER], "userName": "bodies@example.com"}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/scim+json",
        "application/json",
        "application/scim+json; charset=utf-8",
        'Application/JSON;charset="UTF-8"',
        "",
    ],
)
def test_json_media_types_are_accepted(app: ScimApp, content_type: str) -> None:
    response = call(
        app, "POST", "/Users", raw=json.dumps(USER).encode(), headers={"Content-Type": content_type}
    )
    assert response.status == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/xml",
        "application/scim+json; charset=latin-1",
    ],
)
def test_other_media_types_are_415(app: ScimApp, users: FakeUsers, content_type: str) -> None:
    response = call(
        app, "POST", "/Users", raw=json.dumps(USER).encode(), headers={"Content-Type": content_type}
    )
    assert_scim_error(response, 415)
    assert "application/scim+json" in response.body["detail"] or "utf-8" in response.body["detail"]
    assert users.calls == []


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/Users"), ("PUT", "/Users/abc"), ("PATCH", "/Users/abc")]
)
@pytest.mark.parametrize("raw", [b"", b"  \n"])
def test_missing_body_is_400_invalid_syntax(
    app: ScimApp, users: FakeUsers, method: str, path: str, raw: bytes
) -> None:
    response = call(app, method, path, raw=raw, headers={"Content-Type": "application/scim+json"})
    assert_scim_error(response, 400)
    assert response.body["scimType"] == "invalidSyntax"
    assert users.calls == []


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"user"', b'{"a": 1,}', b"\xff\xfe"])
def test_malformed_or_non_object_json_is_400(app: ScimApp, users: FakeUsers, raw: bytes) -> None:
    response = call(app, "POST", "/Users", raw=raw)
    assert_scim_error(response, 400)
    assert response.body["scimType"] == "invalidSyntax"
    assert users.calls == []


def test_oversized_body_is_413(app: ScimApp, users: FakeUsers) -> None:
    raw = json.dumps({**USER, "displayName": "x" * MAX_BODY_BYTES}).encode()
    response = call(app, "POST", "/Users", raw=raw)
    assert_scim_error(response, 413)
    assert str(MAX_BODY_BYTES) in response.body["detail"]
    assert users.calls == []


def test_too_deeply_nested_json_is_400(app: ScimApp, users: FakeUsers) -> None:
    depth = MAX_JSON_DEPTH + 5
    raw = b'{"schemas": ["%s"], "x": ' % CORE_USER.encode() + b"[" * depth + b"]" * depth + b"}"
    response = call(app, "POST", "/Users", raw=raw)
    assert_scim_error(response, 400)
    assert users.calls == []


def test_search_endpoint_lists_like_get(app: ScimApp, users: FakeUsers) -> None:
    users.add("alice@example.com")
    users.add("bob@example.com")
    response = call(
        app,
        "POST",
        "/Users/.search",
        body={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "bob@example.com"',
            "attributes": ["userName"],
            "startIndex": 1,
            "count": 10,
        },
    )
    assert response.status == 200
    assert response.body["totalResults"] == 1
    (resource,) = response.body["Resources"]
    assert resource["userName"] == "bob@example.com"
    assert "active" not in resource  # projection applied from the body's attributes


@pytest.mark.parametrize(
    "body",
    [
        {"filter": 'userName eq "x"'},
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": "10"},
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "attributes": "userName"},
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": 7},
    ],
)
def test_malformed_search_bodies_are_400(app: ScimApp, users: FakeUsers, body: dict[str, Any]) -> None:
    response = call(app, "POST", "/Users/.search", body=body)
    assert_scim_error(response, 400)
    assert not [c for c in users.calls if c[0] == "list"]
