"""Resource responses: status codes, Location/meta.location, list envelopes, projection."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.app import ScimApp
from runtime.scim.schema import CORE_USER, LIST_RESPONSE, PATCH_OP

from .conftest import BASE_URL, call
from .fake_groups import FakeGroups
from .fakes import FakeUsers


def new_user(name: str = "ada@example.com") -> dict[str, Any]:
    return {"schemas": [CORE_USER], "userName": name, "displayName": "Ada", "active": True}


def test_post_is_201_with_location_equal_to_meta_location(app: ScimApp) -> None:
    response = call(app, "POST", "/Users", body=new_user())
    assert response.status == 201
    resource = response.body
    assert resource["meta"]["location"] == f"{BASE_URL}/Users/{resource['id']}"
    assert response.headers["Location"] == resource["meta"]["location"]
    assert response.headers["ETag"] == resource["meta"]["version"]
    assert resource["userName"] == "ada@example.com"


def test_get_put_patch_answer_200_with_the_resource(app: ScimApp) -> None:
    created = call(app, "POST", "/Users", body=new_user()).body
    item = f"/Users/{created['id']}"

    got = call(app, "GET", item)
    assert (got.status, got.body["id"]) == (200, created["id"])
    assert got.body["meta"]["location"] == created["meta"]["location"]

    replaced = call(app, "PUT", item, body={**new_user(), "displayName": "Ada L."})
    assert (replaced.status, replaced.body["displayName"]) == (200, "Ada L.")

    patched = call(
        app,
        "PATCH",
        item,
        body={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    assert (patched.status, patched.body["active"]) == (200, False)
    assert patched.headers["Location"].endswith(item)


def test_delete_is_204_without_body_then_404(app: ScimApp) -> None:
    created = call(app, "POST", "/Users", body=new_user()).body
    deleted = call(app, "DELETE", f"/Users/{created['id']}")
    assert deleted.status == 204
    assert deleted.body is None
    assert "Content-Type" not in deleted.headers
    assert call(app, "GET", f"/Users/{created['id']}").status == 404


def test_list_envelope_has_integer_fields_and_pages(app: ScimApp, users: FakeUsers) -> None:
    for index in range(5):
        users.add(f"user{index}@example.com")
    response = call(app, "GET", "/Users", query={"startIndex": "2", "count": "2"})
    body = response.body
    assert response.status == 200
    assert body["schemas"] == [LIST_RESPONSE]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in body["Resources"]] == ["user1@example.com", "user2@example.com"]
    assert all(r["meta"]["location"] == f"{BASE_URL}/Users/{r['id']}" for r in body["Resources"])


def test_list_passes_filter_and_paging_to_the_service(app: ScimApp, users: FakeUsers) -> None:
    users.add("one@example.com")
    target = users.add("two@example.com")
    response = call(app, "GET", "/Users", query={"filter": 'userName eq "TWO@example.com"'})
    assert response.body["totalResults"] == 1
    assert response.body["Resources"][0]["id"] == target["id"]
    ((_, query),) = [c for c in users.calls if c[0] == "list"]
    assert (query.filter, query.start_index) == ('userName eq "TWO@example.com"', 1)


def test_zero_match_filter_is_an_empty_200_list(app: ScimApp, users: FakeUsers) -> None:
    users.add("someone@example.com")
    body = call(app, "GET", "/Users", query={"filter": 'userName eq "nobody@example.com"'}).body
    assert body["totalResults"] == 0
    assert body.get("Resources", []) == []


def test_count_zero_answers_only_the_total(app: ScimApp, users: FakeUsers) -> None:
    for index in range(3):
        users.add(f"c{index}@example.com")
    body = call(app, "GET", "/Users", query={"count": "0"}).body
    assert body["totalResults"] == 3
    assert body.get("Resources", []) == []
    assert body["itemsPerPage"] == 0


def test_count_is_capped(app: ScimApp, users: FakeUsers) -> None:
    call(app, "GET", "/Users", query={"count": "1000000"})
    ((_, query),) = [c for c in users.calls if c[0] == "list"]
    assert 1 <= query.count < 1000000


@pytest.mark.parametrize(
    "query",
    [{"startIndex": "abc"}, {"count": "-1x"}, {"filter": 'userName zz "x"'}, {"filter": "nosuchattr eq 1"}],
)
def test_bad_list_parameters_are_400(app: ScimApp, query: dict[str, str]) -> None:
    response = call(app, "GET", "/Users", query=query)
    assert response.status == 400
    assert response.body["detail"]


def test_attributes_projection_keeps_always_returned_attributes(app: ScimApp, users: FakeUsers) -> None:
    users.add("proj@example.com", displayName="Proj", title="Engineer")
    body = call(app, "GET", "/Users", query={"attributes": "displayName"}).body
    (resource,) = body["Resources"]
    assert resource["displayName"] == "Proj"
    assert "id" in resource
    assert "title" not in resource
    assert "userName" in resource  # returned: always in RFC 7643 §4.1.1


def test_excluded_attributes_projection_on_get(app: ScimApp, users: FakeUsers) -> None:
    user = users.add("excl@example.com", displayName="Excl", title="Engineer")
    body = call(app, "GET", f"/Users/{user['id']}", query={"excludedAttributes": "title"}).body
    assert "title" not in body
    assert body["displayName"] == "Excl"


def test_excluded_members_tells_the_service_to_skip_members(app: ScimApp, users: FakeUsers) -> None:
    call(app, "GET", "/Users", query={"excludedAttributes": "members"})
    call(app, "GET", "/Users")
    queries = [c[1] for c in users.calls if c[0] == "list"]
    assert [q.wants_members for q in queries] == [False, True]


def test_a_patch_the_service_does_not_read_back_answers_204(app: ScimApp, groups: FakeGroups) -> None:
    # RFC 7644 §3.5.2: 200 with the resource, or 204; Okta and Entra accept 204 for group PATCH.
    groups.add("g-1", "Agent")
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": "u-1"}]}],
    }
    response = call(app, "PATCH", "/Groups/g-1", body=body)
    assert (response.status, response.body) == (204, None)
    assert [c[0] for c in groups.calls] == ["patch"]


def test_a_patch_asking_for_attributes_answers_200_with_them(app: ScimApp, groups: FakeGroups) -> None:
    # RFC 7644 §3.5.2: "The server MUST return a 200 OK if the attributes parameter is specified".
    groups.add("g-1", "Agent")
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": "u-1"}]}],
    }
    response = call(app, "PATCH", "/Groups/g-1", body=body, query={"attributes": "displayName"})
    assert response.status == 200
    assert response.body["displayName"] == "Agent" and "members" not in response.body
    assert groups.calls[-1] == ("get", False)


def test_member_references_are_made_absolute_under_the_request_base_url(
    app: ScimApp, groups: FakeGroups
) -> None:
    groups.add("g-1", "Agent", "u-1")
    member = call(app, "GET", "/Groups/g-1").body["members"][0]
    assert member["$ref"] == f"{BASE_URL}/Users/u-1"
    listed = call(app, "GET", "/Groups").body["Resources"][0]["members"][0]
    assert listed["$ref"] == f"{BASE_URL}/Users/u-1"
