"""SearchUsers: criteria, nesting, filters, paging and the result shape (connect-api.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds


@pytest.fixture
def people(make_user: MakeUser, ids: SeedIds) -> dict[str, str]:
    """Five users spread over names, profiles, groups and tags; returns username -> UserId."""
    specs: dict[str, dict[str, Any]] = {
        "Alice.Smith": {
            "IdentityInfo": {"FirstName": "Alice", "LastName": "Smith", "Mobile": "+14155550100"},
            "HierarchyGroupId": ids.support,
            "Tags": {"team": "blue", "scim:externalId": "ext-1"},
            "PhoneConfig": {"AfterContactWorkTimeLimit": 30},
        },
        "bob.jones": {
            "IdentityInfo": {"FirstName": "Bob", "LastName": "Jones"},
            "SecurityProfileIds": [ids.agent, ids.manager],
            "HierarchyGroupId": ids.americas,
            "Tags": {"team": "red"},
        },
        "carol@example.com": {
            "IdentityInfo": {"FirstName": "Carol", "LastName": "Smithers", "SecondaryEmail": "c@example.org"},
            "RoutingProfileId": ids.sales,
            "HierarchyGroupId": ids.europe,
            "Tags": {"team": "blue", "site": "dublin"},
        },
        "dave": {
            "IdentityInfo": {"FirstName": "Dave", "LastName": "Brown"},
            "SecurityProfileIds": [ids.admin],
        },
        "erin": {"IdentityInfo": {"FirstName": "Erin", "LastName": "Smith"}, "RoutingProfileId": ids.sales},
    }
    return {name: make_user(name, **spec) for name, spec in specs.items()}


def names(answer: dict[str, Any]) -> set[str]:
    return {user["Username"] for user in answer["Users"]}


def string(field: str, value: str, comparison: str = "EXACT") -> dict[str, Any]:
    return {"StringCondition": {"FieldName": field, "Value": value, "ComparisonType": comparison}}


def search(client: Any, ids: SeedIds, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.search_users(InstanceId=ids.instance, **kwargs)
    return result


# ------------------------------------------------------------------------------------ string fields


def test_exact_username_finds_one_user_in_one_call(
    emulator: EmulatorHandle, client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    answer = search(client, ids, SearchCriteria=string("Username", "bob.jones"))
    assert names(answer) == {"bob.jones"}
    assert answer["ApproximateTotalCount"] == 1
    assert emulator.calls("SearchUsers") == 1


def test_exact_is_case_sensitive_by_default(client: Any, ids: SeedIds, people: dict[str, str]) -> None:
    assert names(search(client, ids, SearchCriteria=string("Username", "alice.smith"))) == set()
    assert names(search(client, ids, SearchCriteria=string("Username", "Alice.Smith"))) == {"Alice.Smith"}


def test_exact_search_case_insensitive_option(
    emulator: EmulatorHandle, client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    emulator.configure(exact_search_case_insensitive=True)
    assert names(search(client, ids, SearchCriteria=string("Username", "ALICE.SMITH"))) == {"Alice.Smith"}


@pytest.mark.parametrize(
    ("field", "value", "comparison", "expected"),
    [
        ("FirstName", "Carol", "EXACT", {"carol@example.com"}),
        ("LastName", "smith", "STARTS_WITH", {"Alice.Smith", "carol@example.com", "erin"}),
        ("LastName", "mit", "CONTAINS", {"Alice.Smith", "carol@example.com", "erin"}),
        ("Username", "example", "CONTAINS", {"carol@example.com"}),
        ("Username", "BOB", "STARTS_WITH", {"bob.jones"}),
    ],
)
def test_names_compare_exactly_by_prefix_or_by_substring(
    client: Any,
    ids: SeedIds,
    people: dict[str, str],
    field: str,
    value: str,
    comparison: str,
    expected: set[str],
) -> None:
    assert names(search(client, ids, SearchCriteria=string(field, value, comparison))) == expected


def test_security_profile_id_matches_any_of_a_users_profiles(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    assert names(search(client, ids, SearchCriteria=string("SecurityProfileId", ids.manager))) == {
        "bob.jones"
    }
    assert "bob.jones" in names(search(client, ids, SearchCriteria=string("SecurityProfileId", ids.agent)))


def test_routing_profile_id_and_resource_id(client: Any, ids: SeedIds, people: dict[str, str]) -> None:
    assert names(search(client, ids, SearchCriteria=string("RoutingProfileId", ids.sales))) == {
        "carol@example.com",
        "erin",
    }
    assert names(search(client, ids, SearchCriteria=string("resourceId", people["dave"]))) == {"dave"}


def test_field_names_outside_the_documented_list_are_invalid_parameter(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    for field in ("Email", "ResourceId", "username"):
        with pytest.raises(client.exceptions.InvalidParameterException):
            search(client, ids, SearchCriteria=string(field, "x"))


# ----------------------------------------------------------------------------------------- nesting


def test_and_or_conditions_nest(client: Any, ids: SeedIds, people: dict[str, str]) -> None:
    criteria = {
        "OrConditions": [
            {
                "AndConditions": [
                    string("LastName", "Smith", "STARTS_WITH"),
                    string("RoutingProfileId", ids.sales),
                ]
            },
            string("FirstName", "Dave"),
        ]
    }
    assert names(search(client, ids, SearchCriteria=criteria)) == {"carol@example.com", "erin", "dave"}


def test_a_criteria_node_with_two_members_is_invalid_parameter(client: Any, ids: SeedIds) -> None:
    both = {**string("Username", "a"), "AndConditions": [string("Username", "b")]}
    with pytest.raises(client.exceptions.InvalidParameterException):
        search(client, ids, SearchCriteria=both)
    with pytest.raises(client.exceptions.InvalidParameterException):
        search(client, ids, SearchCriteria={"OrConditions": []})


def test_proficiency_list_conditions_are_answered_as_not_emulated(client: Any, ids: SeedIds) -> None:
    criteria = {"ListCondition": {"TargetListType": "PROFICIENCIES", "Conditions": []}}
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        search(client, ids, SearchCriteria=criteria)
    assert "not emulated" in caught.value.response["Error"]["Message"]


# ------------------------------------------------------------------------------------------ hierarchy


def test_hierarchy_exact_matches_the_group_only_and_with_child_groups_its_subtree(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    exact = {"HierarchyGroupCondition": {"Value": ids.americas, "HierarchyGroupMatchType": "EXACT"}}
    subtree = {
        "HierarchyGroupCondition": {"Value": ids.americas, "HierarchyGroupMatchType": "WITH_CHILD_GROUPS"}
    }
    assert names(search(client, ids, SearchCriteria=exact)) == {"bob.jones"}
    assert names(search(client, ids, SearchCriteria=subtree)) == {"bob.jones", "Alice.Smith"}


# -------------------------------------------------------------------------------------------- filters


def tag(key: str, value: str) -> dict[str, str]:
    return {"TagKey": key, "TagValue": value}


@pytest.mark.parametrize(
    ("tag_filter", "expected"),
    [
        ({"TagCondition": tag("scim:externalId", "ext-1")}, {"Alice.Smith"}),
        ({"AndConditions": [tag("team", "blue"), tag("site", "dublin")]}, {"carol@example.com"}),
        (
            {"OrConditions": [[tag("team", "red")], [tag("team", "blue"), tag("site", "dublin")]]},
            {"bob.jones", "carol@example.com"},
        ),
        ({"TagCondition": tag("team", "BLUE")}, set()),
    ],
)
def test_tag_filter_condition_and_or_of_ands(
    client: Any, ids: SeedIds, people: dict[str, str], tag_filter: dict[str, Any], expected: set[str]
) -> None:
    assert names(search(client, ids, SearchFilter={"TagFilter": tag_filter})) == expected


def hierarchy(group_id: str, match: str) -> dict[str, str]:
    return {"Value": group_id, "HierarchyGroupMatchType": match}


@pytest.mark.parametrize(
    ("attribute_filter", "expected"),
    [
        (lambda ids: {"TagCondition": tag("team", "red")}, {"bob.jones"}),
        (lambda ids: {"HierarchyGroupCondition": hierarchy(ids.europe, "EXACT")}, {"carol@example.com"}),
        (
            lambda ids: {
                "AndCondition": {
                    "TagConditions": [tag("team", "blue")],
                    "HierarchyGroupCondition": hierarchy(ids.americas, "WITH_CHILD_GROUPS"),
                }
            },
            {"Alice.Smith"},
        ),
        (
            lambda ids: {
                "OrConditions": [
                    {"TagConditions": [tag("site", "dublin")]},
                    {"TagConditions": [tag("team", "red")]},
                ]
            },
            {"carol@example.com", "bob.jones"},
        ),
    ],
    ids=["tag", "hierarchy", "and", "or-of-ands"],
)
def test_user_attribute_filter(
    client: Any,
    ids: SeedIds,
    people: dict[str, str],
    attribute_filter: Callable[[SeedIds], dict[str, Any]],
    expected: set[str],
) -> None:
    answer = search(client, ids, SearchFilter={"UserAttributeFilter": attribute_filter(ids)})
    assert names(answer) == expected


def test_user_attribute_filter_allows_at_most_25_tag_conditions(client: Any, ids: SeedIds) -> None:
    many = {"AndCondition": {"TagConditions": [tag(f"k{n}", "v") for n in range(26)]}}
    with pytest.raises(client.exceptions.InvalidParameterException):
        search(client, ids, SearchFilter={"UserAttributeFilter": many})


def test_user_attribute_filter_allows_at_most_20_hierarchy_conditions(client: Any, ids: SeedIds) -> None:
    condition = {"HierarchyGroupCondition": {"Value": ids.europe, "HierarchyGroupMatchType": "EXACT"}}
    with pytest.raises(client.exceptions.InvalidParameterException):
        search(client, ids, SearchFilter={"UserAttributeFilter": {"OrConditions": [condition] * 21}})


def test_tag_filter_with_user_attribute_filter_is_access_denied_403(client: Any, ids: SeedIds) -> None:
    both = {
        "TagFilter": {"TagCondition": tag("a", "b")},
        "UserAttributeFilter": {"TagCondition": tag("a", "b")},
    }
    with pytest.raises(client.exceptions.AccessDeniedException) as caught:
        search(client, ids, SearchFilter=both)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_criteria_and_filter_both_apply(client: Any, ids: SeedIds, people: dict[str, str]) -> None:
    answer = search(
        client,
        ids,
        SearchCriteria=string("LastName", "Smith", "STARTS_WITH"),
        SearchFilter={"TagFilter": {"TagCondition": tag("team", "blue")}},
    )
    assert names(answer) == {"Alice.Smith", "carol@example.com"}


# ---------------------------------------------------------------------------------------- the shape


def test_search_results_leave_out_email_mobile_and_last_modified(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    (alice,) = search(client, ids, SearchCriteria=string("Username", "Alice.Smith"))["Users"]
    assert alice["IdentityInfo"] == {"FirstName": "Alice", "LastName": "Smith"}
    assert "LastModifiedTime" not in alice
    assert "LastModifiedRegion" not in alice
    assert alice["Tags"] == {"team": "blue", "scim:externalId": "ext-1"}
    assert alice["HierarchyGroupId"] == ids.support
    described = client.describe_user(InstanceId=ids.instance, UserId=people["Alice.Smith"])["User"]
    assert described["IdentityInfo"]["Mobile"] == "+14155550100"


def test_after_contact_work_limit_is_milliseconds_in_search_and_seconds_in_describe(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    (found,) = search(client, ids, SearchCriteria=string("Username", "Alice.Smith"))["Users"]
    described = client.describe_user(InstanceId=ids.instance, UserId=people["Alice.Smith"])["User"]
    assert described["PhoneConfig"]["AfterContactWorkTimeLimit"] == 30
    assert found["PhoneConfig"]["AfterContactWorkTimeLimit"] == 30_000


# ------------------------------------------------------------------------------------------- paging


def test_paging_with_max_results_and_next_token_counts_every_match(
    client: Any, ids: SeedIds, people: dict[str, str]
) -> None:
    seen: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 2, **({"NextToken": token} if token else {})}
        page = search(client, ids, **kwargs)
        assert page["ApproximateTotalCount"] == 5
        assert len(page["Users"]) <= 2
        seen += [user["Username"] for user in page["Users"]]
        token = page.get("NextToken")
        if token is None:
            break
    assert sorted(seen) == sorted(people)
    assert len(seen) == len(set(seen))


def test_the_boto3_paginator_walks_every_page(client: Any, ids: SeedIds, people: dict[str, str]) -> None:
    pages = client.get_paginator("search_users").paginate(
        InstanceId=ids.instance, PaginationConfig={"PageSize": 2}
    )
    assert sorted(user["Username"] for page in pages for user in page["Users"]) == sorted(people)


def test_search_over_ten_thousand_bulk_seeded_users_stays_one_call(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    emulator.seed_users(count=10_000, prefix="bench-user-")
    answer = search(client, ids, SearchCriteria=string("Username", "bench-user-7777"))
    assert names(answer) == {"bench-user-7777"}
    everyone = search(client, ids, MaxResults=500)
    assert everyone["ApproximateTotalCount"] == 10_000
    assert len(everyone["Users"]) == 500
    assert emulator.calls("SearchUsers") == 2
