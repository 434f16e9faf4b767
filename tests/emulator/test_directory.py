"""Instance discovery, the profile/hierarchy catalog and tagging (ARCHITECTURE.md seed data)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from .helpers import MakeUser, SeedIds

ACCOUNT_PREFIX = "arn:aws:connect:us-east-1:123456789012:instance/"

# ------------------------------------------------------------------------------------------ instance


def test_list_instances_discovers_the_one_saml_instance(client: Any, ids: SeedIds) -> None:
    (instance,) = client.list_instances()["InstanceSummaryList"]
    assert instance["Id"] == ids.instance
    assert instance["IdentityManagementType"] == "SAML"
    assert instance["InstanceAlias"] == "connect-scim-local"
    assert instance["InstanceStatus"] == "ACTIVE"
    assert instance["Arn"] == f"{ACCOUNT_PREFIX}{ids.instance}"


def test_describe_instance(client: Any, ids: SeedIds) -> None:
    instance = client.describe_instance(InstanceId=ids.instance)["Instance"]
    assert (instance["Id"], instance["IdentityManagementType"]) == (ids.instance, "SAML")
    assert instance["CreatedTime"].year >= 2025


# -------------------------------------------------------------------------------- security profiles


def test_seed_security_profiles_are_listed_with_arns(client: Any, ids: SeedIds) -> None:
    summaries = client.list_security_profiles(InstanceId=ids.instance)["SecurityProfileSummaryList"]
    assert {p["Name"] for p in summaries} == {
        "Admin",
        "Agent",
        "CallCenterManager",
        "QualityAnalyst",
        "SCIM-Deactivated",
    }
    agent = next(p for p in summaries if p["Name"] == "Agent")
    assert agent["Arn"] == f"{ACCOUNT_PREFIX}{ids.instance}/security-profile/{ids.agent}"


def test_security_profiles_page(client: Any, ids: SeedIds) -> None:
    pages = client.get_paginator("list_security_profiles").paginate(
        InstanceId=ids.instance, PaginationConfig={"PageSize": 2}
    )
    sizes = [len(page["SecurityProfileSummaryList"]) for page in pages]
    assert sizes == [2, 2, 1]


def test_describe_security_profile_and_unknown_id(client: Any, ids: SeedIds) -> None:
    profile = client.describe_security_profile(InstanceId=ids.instance, SecurityProfileId=ids.deactivated)
    assert profile["SecurityProfile"]["SecurityProfileName"] == "SCIM-Deactivated"
    assert profile["SecurityProfile"]["OrganizationResourceId"] == ids.instance
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_security_profile(InstanceId=ids.instance, SecurityProfileId="nope")


def test_search_security_profiles_resolves_a_name_in_one_call(client: Any, ids: SeedIds) -> None:
    criteria = {"StringCondition": {"FieldName": "name", "Value": "Agent", "ComparisonType": "EXACT"}}
    answer = client.search_security_profiles(InstanceId=ids.instance, SearchCriteria=criteria)
    assert [p["Id"] for p in answer["SecurityProfiles"]] == [ids.agent]
    assert answer["ApproximateTotalCount"] == 1


def test_search_security_profiles_contains_and_tag_filter(client: Any, ids: SeedIds) -> None:
    contains = {"StringCondition": {"FieldName": "name", "Value": "manager", "ComparisonType": "CONTAINS"}}
    answer = client.search_security_profiles(InstanceId=ids.instance, SearchCriteria=contains)
    assert [p["SecurityProfileName"] for p in answer["SecurityProfiles"]] == ["CallCenterManager"]
    client.tag_resource(
        resourceArn=f"{ACCOUNT_PREFIX}{ids.instance}/security-profile/{ids.admin}", tags={"tier": "1"}
    )
    tagged = client.search_security_profiles(
        InstanceId=ids.instance,
        SearchFilter={"TagFilter": {"TagCondition": {"TagKey": "tier", "TagValue": "1"}}},
    )
    assert [p["Id"] for p in tagged["SecurityProfiles"]] == [ids.admin]


def test_search_security_profiles_takes_only_the_name_field(client: Any, ids: SeedIds) -> None:
    criteria = {"StringCondition": {"FieldName": "description", "Value": "x", "ComparisonType": "EXACT"}}
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.search_security_profiles(InstanceId=ids.instance, SearchCriteria=criteria)


# --------------------------------------------------------------------------------- routing profiles


def test_seed_routing_profiles_are_listed(client: Any, ids: SeedIds) -> None:
    summaries = client.list_routing_profiles(InstanceId=ids.instance)["RoutingProfileSummaryList"]
    assert {p["Name"]: p["Id"] for p in summaries} == {
        "Basic Routing Profile": ids.basic,
        "Sales Routing Profile": ids.sales,
    }
    assert summaries[0]["Arn"].startswith(f"{ACCOUNT_PREFIX}{ids.instance}/routing-profile/")


def test_search_routing_profiles_by_name_counts_associated_users(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    make_user("one", RoutingProfileId=ids.sales)
    criteria = {
        "StringCondition": {"FieldName": "name", "Value": "Sales Routing Profile", "ComparisonType": "EXACT"}
    }
    (profile,) = client.search_routing_profiles(InstanceId=ids.instance, SearchCriteria=criteria)[
        "RoutingProfiles"
    ]
    assert profile["RoutingProfileId"] == ids.sales
    assert profile["NumberOfAssociatedUsers"] == 1
    assert "LastModifiedTime" not in profile


def test_search_routing_profiles_resource_id_field(client: Any, ids: SeedIds) -> None:
    criteria = {"StringCondition": {"FieldName": "resourceID", "Value": ids.basic, "ComparisonType": "EXACT"}}
    found = client.search_routing_profiles(InstanceId=ids.instance, SearchCriteria=criteria)[
        "RoutingProfiles"
    ]
    assert [p["Name"] for p in found] == ["Basic Routing Profile"]


# ------------------------------------------------------------------------------------------ hierarchy


def test_hierarchy_groups_are_listed_with_agent_group_arns(client: Any, ids: SeedIds) -> None:
    groups = client.list_user_hierarchy_groups(InstanceId=ids.instance)["UserHierarchyGroupSummaryList"]
    assert {g["Name"] for g in groups} == {"Americas", "Support", "Europe"}
    support = next(g for g in groups if g["Name"] == "Support")
    assert support["Arn"] == f"{ACCOUNT_PREFIX}{ids.instance}/agent-group/{ids.support}"


# ---------------------------------------------------------------------------------------------- tags


def user_arn(ids: SeedIds, user_id: str) -> str:
    return f"{ACCOUNT_PREFIX}{ids.instance}/agent/{user_id}"


def test_tag_list_untag_a_user(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    arn = user_arn(ids, make_user(Tags={"keep": "1"}))
    client.tag_resource(resourceArn=arn, tags={"scim:active": "false", "keep": "2"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"keep": "2", "scim:active": "false"}
    client.untag_resource(resourceArn=arn, tagKeys=["scim:active", "never-set"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"keep": "2"}


def test_untagging_every_key_leaves_an_empty_map(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    arn = user_arn(ids, make_user(Tags={"a": "1"}))
    client.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    assert "Tags" not in client.describe_user(InstanceId=ids.instance, UserId=arn.rsplit("/", 1)[1])["User"]


@pytest.mark.parametrize("kind", ["security-profile", "routing-profile", "agent-group"])
def test_profiles_and_groups_take_tags_too(client: Any, ids: SeedIds, kind: str) -> None:
    target = {"security-profile": ids.agent, "routing-profile": ids.basic, "agent-group": ids.support}[kind]
    arn = f"{ACCOUNT_PREFIX}{ids.instance}/{kind}/{target}"
    client.tag_resource(resourceArn=arn, tags={"owner": "scim"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"owner": "scim"}


def test_tags_merge_up_to_50_per_resource(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    arn = user_arn(ids, make_user(Tags={f"a{n}": "v" for n in range(30)}))
    client.tag_resource(resourceArn=arn, tags={f"b{n}": "v" for n in range(20)})
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.tag_resource(resourceArn=arn, tags={"one-more": "v"})
    client.tag_resource(resourceArn=arn, tags={"a0": "overwritten"})  # replacing a key adds nothing
    assert len(client.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ({"aws:cloudformation": "x"}, "aws: prefix is reserved"),
        ({f"k{n}": "v" for n in range(51)}, "more than 50 in one call"),
        ({"bad*key": "v"}, "character outside the key pattern"),
        ({"k": "v" * 257}, "value over 256"),
    ],
)
def test_tag_resource_rules(
    client: Any, ids: SeedIds, make_user: MakeUser, tags: dict[str, str], why: str
) -> None:
    arn = user_arn(ids, make_user())
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.tag_resource(resourceArn=arn, tags=tags)


def test_untag_takes_1_to_50_valid_keys(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    arn = user_arn(ids, make_user())
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.untag_resource(resourceArn=arn, tagKeys=[f"k{n}" for n in range(51)])
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.untag_resource(resourceArn=arn, tagKeys=["aws:x"])


@pytest.mark.parametrize(
    ("arn_suffix", "error"),
    [
        ("/agent/00000000-0000-4000-8000-000000000000", "ResourceNotFoundException"),
        ("/queue/00000000-0000-4000-8000-000000000000", "ResourceNotFoundException"),
        ("-other-instance", "ResourceNotFoundException"),
    ],
)
def test_tags_on_unknown_resources_are_not_found(
    client: Any, ids: SeedIds, arn_suffix: str, error: str
) -> None:
    arn = f"{ACCOUNT_PREFIX}{ids.instance}{arn_suffix}"
    calls: list[Callable[[], Any]] = [
        lambda: client.list_tags_for_resource(resourceArn=arn),
        lambda: client.tag_resource(resourceArn=arn, tags={"a": "b"}),
        lambda: client.untag_resource(resourceArn=arn, tagKeys=["a"]),
    ]
    for call in calls:
        with pytest.raises(getattr(client.exceptions, error)):
            call()


def test_a_resource_arn_that_is_not_a_connect_arn_is_invalid_parameter(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")


def test_tagging_a_user_moves_its_last_modified_time(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    user_id = make_user()
    before = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["LastModifiedTime"]
    time.sleep(0.01)
    client.tag_resource(resourceArn=user_arn(ids, user_id), tags={"x": "y"})
    after = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["LastModifiedTime"]
    assert after > before
