"""Member diffing and PATCH planning for groups, on the PATCH bodies Okta and Entra really send.

The fixtures are the protocol tests' captured IdP payloads (``tests/unit/scim/fixtures``, each
citing its source); only which users a request names, and whether it depends on the members it
does not name, is decided here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runtime.scim import policy
from runtime.scim.errors import InvalidValue
from runtime.scim.patch import parse_patch
from runtime.scim.schema import GROUP, PATCH_OP
from runtime.service.group_members import (
    MAX_NAMED_MEMBERS,
    MemberDiff,
    diff,
    member_ids,
    named_ids,
    needs_every_member,
)

FIXTURES = Path(__file__).parents[1] / "scim" / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())["body"]
    return body


def ops(body: dict[str, Any], preset: policy.ScimPolicy = policy.GENERIC) -> Any:
    return parse_patch(body, GROUP, preset)


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def test_diff_lists_added_and_removed_users_once_in_order() -> None:
    assert diff(["a", "b", "c"], ["c", "d", "d", "a"]) == MemberDiff(added=("d",), removed=("b",))
    assert not diff(["a", "b"], ["b", "a"])


def test_member_ids_accepts_users_and_refuses_nested_groups() -> None:
    assert member_ids([{"value": "u1"}, {"value": "u2", "type": "User"}, {"value": "u1"}]) == ("u1", "u2")
    assert member_ids(None) == ()
    with pytest.raises(InvalidValue, match="can only be users"):
        member_ids([{"value": "g1", "type": "Group"}])
    with pytest.raises(InvalidValue, match=r"members\[0\]\.value"):
        member_ids([{"display": "no id"}])


@pytest.mark.parametrize(
    ("name", "preset", "ids"),
    [
        ("okta-group-add-members", policy.OKTA, ("23a35c27-23d3-4c03-b4c5-6443c09e7173",)),
        ("okta-group-remove-member", policy.OKTA, ("23a35c27-23d3-4c03-b4c5-6443c09e7173",)),
        ("entra-group-add-member", policy.ENTRA, ("f648f8d5ea4e4cd38e9c",)),
        ("entra-group-remove-member", policy.ENTRA, ("f648f8d5ea4e4cd38e9c",)),
    ],
)
def test_okta_and_entra_member_changes_name_their_users_and_need_no_member_search(
    name: str, preset: policy.ScimPolicy, ids: tuple[str, ...]
) -> None:
    operations = ops(fixture(name), preset)
    assert named_ids(operations) == ids
    assert not needs_every_member(operations)


def test_okta_rename_names_no_member() -> None:
    operations = ops(fixture("okta-group-rename"), policy.OKTA)
    assert named_ids(operations) == ()
    assert not needs_every_member(operations)


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "members", "value": [{"value": "u1"}]},
        {"op": "replace", "value": {"members": [{"value": "u1"}]}},
        {"op": "remove", "path": "members"},
        {"op": "remove", "path": 'members[display eq "ann"]'},
        {"op": "replace", "path": "members.display", "value": "x"},
    ],
    ids=["replace-list", "pathless-replace", "remove-all", "filter-on-display", "every-element"],
)
def test_requests_that_depend_on_unnamed_members_need_the_member_search(operation: dict[str, Any]) -> None:
    assert needs_every_member(ops(patch(operation)))


def test_okta_replace_of_the_whole_list_needs_the_member_search() -> None:
    operations = ops(fixture("okta-group-replace-members"), policy.OKTA)
    assert needs_every_member(operations)
    assert named_ids(operations) == ("89bb1940-b905-4575-9e7f-6f887cfb368e",)


def test_value_filters_joined_by_or_name_every_id() -> None:
    operations = ops(patch({"op": "remove", "path": 'members[value eq "u1" or value eq "u2"]'}))
    assert (named_ids(operations), needs_every_member(operations)) == (("u1", "u2"), False)


def test_pathless_add_of_members_names_them() -> None:
    operations = ops(patch({"op": "add", "value": {"members": [{"value": "u1"}, {"value": "u2"}]}}))
    assert (named_ids(operations), needs_every_member(operations)) == (("u1", "u2"), False)


def test_a_request_naming_too_many_members_is_refused() -> None:
    members = [{"value": f"u{n}"} for n in range(MAX_NAMED_MEMBERS)]
    extra = patch(
        {"op": "add", "path": "members", "value": members},
        {"op": "add", "path": "members", "value": [{"value": "one-more"}]},
    )
    with pytest.raises(InvalidValue, match="at most"):
        named_ids(ops(extra))
