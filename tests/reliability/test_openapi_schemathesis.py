"""The OpenAPI document the local server serves, and schemathesis run against that server.

``GET /scim/v2/openapi.json`` (behind the bearer token like every route under the base path)
describes the API as ``runtime.scim.openapi`` builds it from ``runtime.scim.schema``. schemathesis
generates requests for every operation from that very document, positive (schema-valid) and
negative (schema-violating) ones, half of the item requests aimed at real users and groups, and
applies its standard checks: ``not_a_server_error`` (zero 5xx), ``status_code_conformance``,
``content_type_conformance``, ``response_headers_conformance`` and ``response_schema_conformance``
(every body matches the documented schema, errors the SCIM Error schema). A deterministic walk
through each operation's success path validates those bodies too, since random bodies rarely
create a user. Examples per operation are bounded for CI time; the counts are reported.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.emulator import EmulatorConfig
from runtime.scim.openapi import build_openapi

from . import report
from .idp import CORE, CORE_GROUP, PATCH_OP, HttpTransport
from .stack import Stack, running_stack

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_MODE = 25
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, item in build_openapi()["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
]
_statuses: Counter[str] = Counter()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack(EmulatorConfig(rate=0.0, max_users=100_000), idp="okta") as running:
        yield running


def _get(url: str, token: str | None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    status, headers, payload = _get(f"{stack.base_url}/openapi.json", stack.token)
    assert status == 200 and headers["Content-Type"] == "application/json"
    served: dict[str, Any] = json.loads(payload)
    return served


@pytest.fixture(scope="module")
def schema(document: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_dict(document)


def test_the_document_is_served_behind_the_token_and_names_the_server(
    stack: Stack, document: dict[str, Any]
) -> None:
    status, _, payload = _get(f"{stack.base_url}/openapi.json", None)
    assert status == 401 and json.loads(payload)["status"] == "401"
    assert document["servers"] == [{"url": stack.base_url}]
    assert document == build_openapi(stack.base_url)
    # Only what the service implements: the optional endpoints answering 501 are not advertised.
    assert not {"/Bulk", "/Me", "/.search"} & set(document["paths"])


def test_every_served_attribute_is_in_the_document(document: dict[str, Any]) -> None:
    """The document and /Schemas come from the same definitions: spot-check both directions."""
    user = document["components"]["schemas"]["User"]["properties"]
    connect = user["urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"]["properties"]
    assert {"userName", "name", "emails", "active", "entitlements", "roles", "groups"} <= set(user)
    assert {"securityProfiles", "routingProfile", "hierarchyGroup", "phoneType"} <= set(connect)
    assert connect["phoneType"]["enum"] == ["SOFT_PHONE", "DESK_PHONE"]
    assert document["components"]["schemas"]["UserRequest"]["required"] == ["schemas", "userName"]


class Targets:
    """Real ids to aim item operations at, refreshed when a generated DELETE removed one."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = HttpTransport(stack.base_url, stack.token)

    def user_id(self) -> str:
        reply = self.http.send(
            "POST", "/Users", {"schemas": [CORE], "userName": f"fuzz.{uuid.uuid4().hex}@example.net"}
        )
        assert reply.status == 201, reply.body
        return str(reply.body["id"])

    def group_id(self) -> str:
        reply = self.http.send("GET", "/Groups", params={"count": "10"})
        assert reply.status == 200 and reply.body["Resources"], reply.body
        return str(reply.body["Resources"][0]["id"])


@pytest.mark.parametrize("label", OPERATIONS)
def test_schemathesis_finds_no_server_error_and_no_nonconforming_answer(
    stack: Stack, schema: Any, label: str
) -> None:
    operation = next(result.ok() for result in schema.get_all_operations() if result.ok().label == label)
    targets = Targets(stack)
    headers = {"Authorization": f"Bearer {stack.token}"}

    def check(case: Any, aim_at_real_resource: bool) -> None:
        if aim_at_real_resource and "{id}" in label:
            case.path_parameters = {"id": targets.user_id() if "/Users/" in label else targets.group_id()}
        # Raises (and hypothesis shrinks) on any failed check.
        response = case.call_and_validate(base_url=stack.base_url, headers=headers, checks=CHECKS)
        _statuses[f"{response.status_code // 100}xx"] += 1
        _statuses["requests"] += 1

    bounded = settings(
        max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    positive = operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
    negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
    try:
        bounded(given(case=positive, aim_at_real_resource=st.booleans())(check))()
        bounded(given(case=negative, aim_at_real_resource=st.just(False))(check))()
    finally:
        report.record("schemathesis", dict(_statuses) | {"operations": len(OPERATIONS)})


def _validate(schema: Any, path: str, method: str, response: Any) -> None:
    schema[path][method].validate_response(response)


def test_success_paths_of_every_operation_match_the_document(stack: Stack, schema: Any) -> None:
    """Random bodies rarely succeed; these do, and their answers are checked against the document."""
    import requests

    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {stack.token}", "Content-Type": "application/scim+json"}
    )
    base = stack.base_url

    def call(method: str, path: str, template: str, body: Any = None, **params: str) -> Any:
        response = session.request(method, base + path, json=body, params=params or None, timeout=30)
        _validate(schema, template, method, response)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    user = {
        "schemas": [CORE, "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"],
        "userName": "conform.me@example.net",
        "externalId": "conform-1",
        "name": {"givenName": "Con", "familyName": "Form"},
        "emails": [{"value": "conform.me@example.net", "type": "work", "primary": True}],
        "phoneNumbers": [{"value": "+14155550100", "type": "mobile"}],
        "entitlements": [{"value": "Agent"}],
        "roles": [{"value": "Sales Routing Profile"}],
        "title": "Agent",
        "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User": {
            "hierarchyGroup": "Support",
            "phoneType": "DESK_PHONE",
            "deskPhoneNumber": "+14155550111",
        },
    }
    created = call("POST", "/Users", "/Users", user)
    user_id = created["id"]
    call("GET", "/Users", "/Users", filter='userName eq "conform.me@example.net"')
    call("GET", "/Users", "/Users", count="2", attributes="userName")
    search = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": f'id eq "{user_id}"',
    }
    call("POST", "/Users/.search", "/Users/.search", search)
    call("GET", f"/Users/{user_id}", "/Users/{id}")
    call("GET", f"/Users/{user_id}", "/Users/{id}", excludedAttributes="emails")
    call("PUT", f"/Users/{user_id}", "/Users/{id}", {**user, "title": "Lead"})
    deactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    call("PATCH", f"/Users/{user_id}", "/Users/{id}", deactivate)
    groups = call("GET", "/Groups", "/Groups")
    call("POST", "/Groups/.search", "/Groups/.search", {"schemas": [search["schemas"][0]], "count": 2})
    if groups["Resources"]:
        group_id = groups["Resources"][0]["id"]
        call("GET", f"/Groups/{group_id}", "/Groups/{id}")
        add = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
        }
        call("PATCH", f"/Groups/{group_id}", "/Groups/{id}", add)
        group = call("GET", f"/Groups/{group_id}", "/Groups/{id}")
        call(
            "PUT",
            f"/Groups/{group_id}",
            "/Groups/{id}",
            {k: v for k, v in group.items() if k not in ("id", "meta")},
        )
        assert {"schemas": [CORE_GROUP]}["schemas"][0] in group["schemas"]
    for path in ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas"):
        call("GET", path, path)
    call("GET", "/ResourceTypes/User", "/ResourceTypes/{id}")
    call("GET", f"/Schemas/{CORE}", "/Schemas/{id}")
    call("DELETE", f"/Users/{user_id}", "/Users/{id}")
