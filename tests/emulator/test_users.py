"""User operations on the happy path, through boto3 over HTTP (connect-api.md §2)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_create_user_answers_a_uuid_and_the_agent_arn(client: Any, ids: SeedIds) -> None:
    answer = client.create_user(
        InstanceId=ids.instance,
        Username="alice@example.com",
        SecurityProfileIds=[ids.agent],
        RoutingProfileId=ids.basic,
    )
    assert UUID.fullmatch(answer["UserId"])
    assert answer["UserArn"] == (
        f"arn:aws:connect:us-east-1:123456789012:instance/{ids.instance}/agent/{answer['UserId']}"
    )
    assert set(answer) == {"UserId", "UserArn", "ResponseMetadata"}


def test_describe_user_returns_everything_create_user_was_given(client: Any, ids: SeedIds) -> None:
    before = time.time()
    user_id = client.create_user(
        InstanceId=ids.instance,
        Username="bob.smith",
        IdentityInfo={
            "FirstName": "Bob",
            "LastName": "Smith",
            "SecondaryEmail": "bob@example.org",
            "Mobile": "+14155550100",
        },
        PhoneConfig={
            "PhoneType": "DESK_PHONE",
            "DeskPhoneNumber": "+14155550101",
            "AfterContactWorkTimeLimit": 30,
        },
        SecurityProfileIds=[ids.agent, ids.manager],
        RoutingProfileId=ids.sales,
        HierarchyGroupId=ids.support,
        Tags={"scim:externalId": "00u1"},
    )["UserId"]

    user = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]

    assert user["Id"] == user_id
    assert user["Arn"].endswith(f"/agent/{user_id}")
    assert user["Username"] == "bob.smith"
    assert user["IdentityInfo"] == {
        "FirstName": "Bob",
        "LastName": "Smith",
        "SecondaryEmail": "bob@example.org",
        "Mobile": "+14155550100",
    }
    assert user["PhoneConfig"] == {
        "PhoneType": "DESK_PHONE",
        "DeskPhoneNumber": "+14155550101",
        "AfterContactWorkTimeLimit": 30,
        "AutoAccept": False,
    }
    assert user["SecurityProfileIds"] == [ids.agent, ids.manager]
    assert user["RoutingProfileId"] == ids.sales
    assert user["HierarchyGroupId"] == ids.support
    assert user["Tags"] == {"scim:externalId": "00u1"}
    assert user["LastModifiedRegion"] == "us-east-1"
    assert isinstance(user["LastModifiedTime"], datetime)
    assert user["LastModifiedTime"].timestamp() >= before - 1
    assert "DirectoryUserId" not in user


def test_per_channel_settings_are_kept_and_returned(client: Any, ids: SeedIds) -> None:
    channels = {
        "AutoAcceptConfigs": [{"Channel": "VOICE", "AutoAccept": True}],
        "AfterContactWorkConfigs": [
            {"Channel": "CHAT", "AfterContactWorkConfig": {"AfterContactWorkTimeLimit": 60}}
        ],
        "VoiceEnhancementConfigs": [{"Channel": "VOICE", "VoiceEnhancementMode": "NOISE_SUPPRESSION"}],
    }
    user_id = client.create_user(
        InstanceId=ids.instance,
        Username="carol",
        SecurityProfileIds=[ids.agent],
        RoutingProfileId=ids.basic,
        **channels,
    )["UserId"]
    user = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]
    for name, value in channels.items():
        assert user[name] == value


def test_list_users_pages_with_next_token_and_the_paginator_sees_everyone(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    made = {make_user(f"user{n}") for n in range(5)}

    first = client.list_users(InstanceId=ids.instance, MaxResults=2)
    assert len(first["UserSummaryList"]) == 2
    second = client.list_users(InstanceId=ids.instance, MaxResults=2, NextToken=first["NextToken"])
    assert {u["Id"] for u in first["UserSummaryList"]}.isdisjoint(
        {u["Id"] for u in second["UserSummaryList"]}
    )

    pages = client.get_paginator("list_users").paginate(
        InstanceId=ids.instance, PaginationConfig={"PageSize": 2}
    )
    summaries = [summary for page in pages for summary in page["UserSummaryList"]]
    assert {summary["Id"] for summary in summaries} == made
    assert set(summaries[0]) == {"Id", "Arn", "Username", "LastModifiedTime", "LastModifiedRegion"}


def test_list_users_answers_100_per_page_when_max_results_is_omitted(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    emulator.seed_users(count=101)
    page = client.list_users(InstanceId=ids.instance)
    assert len(page["UserSummaryList"]) == 100
    assert "NextToken" in page


def test_list_users_next_token_survives_a_deletion_between_pages(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    made = [make_user(f"user{n}") for n in range(4)]
    first = client.list_users(InstanceId=ids.instance, MaxResults=2)
    client.delete_user(InstanceId=ids.instance, UserId=first["UserSummaryList"][0]["Id"])
    rest = client.list_users(InstanceId=ids.instance, MaxResults=10, NextToken=first["NextToken"])
    assert [u["Id"] for u in rest["UserSummaryList"]] == made[2:]


def test_update_identity_info_replaces_the_whole_block(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    user_id = make_user(IdentityInfo={"FirstName": "Alice", "LastName": "Doe", "Mobile": "+14155550100"})
    client.update_user_identity_info(
        InstanceId=ids.instance, UserId=user_id, IdentityInfo={"FirstName": "Alicia", "LastName": "Doe"}
    )
    user = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]
    assert user["IdentityInfo"] == {"FirstName": "Alicia", "LastName": "Doe"}


def test_update_security_profiles_replaces_the_set(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    user_id = make_user(SecurityProfileIds=[ids.agent, ids.manager])
    client.update_user_security_profiles(
        InstanceId=ids.instance, UserId=user_id, SecurityProfileIds=[ids.deactivated]
    )
    user = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]
    assert user["SecurityProfileIds"] == [ids.deactivated]


def test_update_routing_profile(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    user_id = make_user()
    client.update_user_routing_profile(InstanceId=ids.instance, UserId=user_id, RoutingProfileId=ids.sales)
    assert (
        client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["RoutingProfileId"] == ids.sales
    )


def test_update_hierarchy_sets_and_without_an_id_clears_the_group(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    user_id = make_user()
    client.update_user_hierarchy(InstanceId=ids.instance, UserId=user_id, HierarchyGroupId=ids.europe)
    assert (
        client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["HierarchyGroupId"]
        == ids.europe
    )
    client.update_user_hierarchy(InstanceId=ids.instance, UserId=user_id)
    assert "HierarchyGroupId" not in client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]


def test_update_phone_config_changes_only_the_members_given(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    user_id = make_user(
        PhoneConfig={"PhoneType": "SOFT_PHONE", "AutoAccept": True, "AfterContactWorkTimeLimit": 10}
    )
    client.update_user_phone_config(
        InstanceId=ids.instance, UserId=user_id, PhoneConfig={"AfterContactWorkTimeLimit": 90}
    )
    phone = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["PhoneConfig"]
    assert phone == {"PhoneType": "SOFT_PHONE", "AutoAccept": True, "AfterContactWorkTimeLimit": 90}


def test_updates_move_last_modified_time_forward(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    user_id = make_user()
    created = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["LastModifiedTime"]
    time.sleep(0.01)
    client.update_user_routing_profile(InstanceId=ids.instance, UserId=user_id, RoutingProfileId=ids.sales)
    updated = client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["LastModifiedTime"]
    assert updated > created


def test_deleted_user_is_gone_and_a_second_delete_is_not_found(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    user_id = make_user()
    client.delete_user(InstanceId=ids.instance, UserId=user_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_user(InstanceId=ids.instance, UserId=user_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_user(InstanceId=ids.instance, UserId=user_id)


def test_a_deleted_username_can_be_created_again_with_a_new_id(
    client: Any, make_user: MakeUser, ids: SeedIds
) -> None:
    first = make_user("alice")
    client.delete_user(InstanceId=ids.instance, UserId=first)
    assert make_user("alice") != first


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("describe_user", {}),
        ("delete_user", {}),
        ("update_user_identity_info", {"IdentityInfo": {"FirstName": "A"}}),
        ("update_user_security_profiles", {"SecurityProfileIds": ["x"]}),
        ("update_user_routing_profile", {"RoutingProfileId": "x"}),
        ("update_user_hierarchy", {}),
        ("update_user_phone_config", {"PhoneConfig": {"AutoAccept": True}}),
    ],
)
def test_unknown_user_id_is_resource_not_found_404(
    client: Any, ids: SeedIds, operation: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        getattr(client, operation)(
            InstanceId=ids.instance, UserId="00000000-0000-4000-8000-000000000000", **extra
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("describe_user", {"UserId": "u"}),
        ("list_users", {}),
        ("search_users", {}),
        ("list_security_profiles", {}),
        ("list_routing_profiles", {}),
        ("list_user_hierarchy_groups", {}),
        ("search_security_profiles", {}),
        ("search_routing_profiles", {}),
        ("describe_security_profile", {"SecurityProfileId": "p"}),
        ("describe_instance", {}),
        ("create_user", {"Username": "alice", "SecurityProfileIds": ["p"], "RoutingProfileId": "r"}),
    ],
)
def test_unknown_instance_id_is_resource_not_found(
    client: Any, operation: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        getattr(client, operation)(InstanceId="11111111-1111-4111-8111-111111111111", **extra)
