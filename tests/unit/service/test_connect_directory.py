"""The directory is the only boto3 caller: one Connect request per method, errors translated.

Checked with botocore's Stubber, so the exact request parameters are asserted too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from runtime.connect.client import connect_client
from runtime.connect.directory import ConnectDirectory, _veto_quota_retry
from runtime.connect.model import (
    AccessDenied,
    DirectoryError,
    DuplicateUser,
    InstanceUserLimit,
    InvalidInput,
    NewUser,
    PhoneConfig,
    ReferenceNotFound,
    Throttled,
    Unavailable,
    UserNotFound,
)

INSTANCE = "11111111-2222-3333-4444-555555555555"


@functools.cache
def _session() -> Any:
    return boto3.session.Session()


@pytest.fixture
def stubbed() -> Iterator[tuple[ConnectDirectory, Stubber]]:
    client = connect_client(endpoint_url="http://127.0.0.1:9", max_attempts=1, session=_session())
    stubber = Stubber(client)
    with stubber:
        yield ConnectDirectory(client, INSTANCE), stubber
        stubber.assert_no_pending_responses()


def test_describe_user_reads_identity_profiles_phone_tags_and_last_modified(stubbed: Any) -> None:
    directory, stubber = stubbed
    modified = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    stubber.add_response(
        "describe_user",
        {
            "User": {
                "Id": "u-1",
                "Arn": "arn:u-1",
                "Username": "alice",
                "IdentityInfo": {"FirstName": "Alice", "LastName": "Smith", "Mobile": "+14155550100"},
                "PhoneConfig": {
                    "PhoneType": "SOFT_PHONE",
                    "AutoAccept": True,
                    "AfterContactWorkTimeLimit": 30,
                },
                "SecurityProfileIds": ["sp-1"],
                "RoutingProfileId": "rp-1",
                "Tags": {"scim:title": "Lead"},
                "LastModifiedTime": modified,
            }
        },
        {"InstanceId": INSTANCE, "UserId": "u-1"},
    )
    user = directory.describe_user("u-1")
    assert (user.first_name, user.mobile, user.phone.after_contact_work_time_limit) == (
        "Alice",
        "+14155550100",
        30,
    )
    assert user.tags == {"scim:title": "Lead"} and user.last_modified == modified and user.complete


def test_search_users_reports_after_contact_work_in_ms_and_is_normalised_to_seconds(stubbed: Any) -> None:
    directory, stubber = stubbed
    stubber.add_response(
        "search_users",
        {
            "Users": [
                {
                    "Id": "u-1",
                    "Username": "alice",
                    "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AfterContactWorkTimeLimit": 30000},
                }
            ],
            "ApproximateTotalCount": 1,
        },
        {
            "InstanceId": INSTANCE,
            "MaxResults": 10,
            "SearchFilter": {
                "TagFilter": {"TagCondition": {"TagKey": "scim:externalId", "TagValue": "00u1"}}
            },
        },
    )
    [user] = directory.find_by_tag("scim:externalId", "00u1")
    assert user.phone.after_contact_work_time_limit == 30
    assert not user.complete and user.mobile is None


def test_username_search_is_one_exact_or_of_the_spellings(stubbed: Any) -> None:
    directory, stubber = stubbed
    exact = [
        {"StringCondition": {"FieldName": "Username", "Value": value, "ComparisonType": "EXACT"}}
        for value in ("Alice", "alice")
    ]
    stubber.add_response(
        "search_users",
        {"Users": []},
        {"InstanceId": INSTANCE, "MaxResults": 10, "SearchCriteria": {"OrConditions": exact}},
    )
    assert directory.find_by_username(["Alice", "alice", "Alice"]) == []


def test_create_user_carries_the_tags_so_creation_is_one_call(stubbed: Any) -> None:
    directory, stubber = stubbed
    stubber.add_response(
        "create_user",
        {"UserId": "u-9", "UserArn": "arn:u-9"},
        {
            "Username": "bob",
            "InstanceId": INSTANCE,
            "SecurityProfileIds": ["sp-1"],
            "RoutingProfileId": "rp-1",
            "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AutoAccept": False, "AfterContactWorkTimeLimit": 0},
            "IdentityInfo": {"FirstName": "Bob"},
            "Tags": {"scim:userNameKey": "bob"},
        },
    )
    created = directory.create_user(
        NewUser(
            username="bob",
            security_profile_ids=("sp-1",),
            routing_profile_id="rp-1",
            first_name="Bob",
            phone=PhoneConfig(),
            tags={"scim:userNameKey": "bob", "scim:cleared": ""},
        )
    )
    assert (created.user_id, created.arn) == ("u-9", "arn:u-9")


ERRORS = [
    ("describe_user", "ThrottlingException", 429, Throttled),
    ("describe_user", "TooManyRequestsException", 429, Throttled),
    ("describe_user", "LimitExceededException", 429, Throttled),
    ("create_user", "LimitExceededException", 429, InstanceUserLimit),
    ("create_user", "DuplicateResourceException", 409, DuplicateUser),
    ("create_user", "ResourceNotFoundException", 404, ReferenceNotFound),
    ("describe_user", "ResourceNotFoundException", 404, UserNotFound),
    ("describe_user", "InvalidParameterException", 400, InvalidInput),
    ("describe_user", "InvalidRequestException", 400, InvalidInput),
    ("describe_user", "InternalServiceException", 500, Unavailable),
    ("describe_user", "AccessDeniedException", 403, AccessDenied),
]


@pytest.mark.parametrize(("method", "code", "status", "expected"), ERRORS)
def test_connect_errors_become_directory_errors(
    stubbed: Any, method: str, code: str, status: int, expected: type[DirectoryError]
) -> None:
    directory, stubber = stubbed
    stubber.add_client_error(method, service_error_code=code, service_message="why", http_status_code=status)
    with pytest.raises(expected) as caught:
        if method == "create_user":
            directory.create_user(
                NewUser(username="x", security_profile_ids=("sp",), routing_profile_id="rp")
            )
        else:
            directory.describe_user("u-1")
    if expected is InvalidInput:
        assert str(caught.value) == "why"  # Connect's own message reaches the client
    if expected in (Throttled, Unavailable, AccessDenied):
        assert getattr(caught.value, "retry_after", 0) >= 1


def test_create_users_quota_breach_vetoes_botocores_retry() -> None:
    quota = (None, {"Error": {"Code": "LimitExceededException"}})
    throttled = (None, {"Error": {"Code": "ThrottlingException"}})
    assert _veto_quota_retry(response=quota) is False
    assert _veto_quota_retry(response=throttled) is None
    assert _veto_quota_retry(response=None) is None


def _profiles_page(
    stubber: Stubber, items: list[tuple[str, str]], token: str | None, sent: str | None
) -> None:
    response: dict[str, Any] = {"SecurityProfileSummaryList": [{"Id": i, "Name": n} for i, n in items]}
    if token:
        response["NextToken"] = token
    expected: dict[str, Any] = {"InstanceId": INSTANCE, "MaxResults": 1000}
    if sent:
        expected["NextToken"] = sent
    stubber.add_response("list_security_profiles", response, expected)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_profile_names_are_listed_once_paged_then_served_from_memory_until_the_ttl() -> None:
    client = connect_client(endpoint_url="http://127.0.0.1:9", max_attempts=1, session=_session())
    clock = Clock()
    directory = ConnectDirectory(client, INSTANCE, cache_ttl=60, clock=clock)
    with Stubber(client) as stubber:
        _profiles_page(stubber, [("sp-1", "Agent")], "next", None)
        _profiles_page(stubber, [("sp-2", "Admin")], None, "next")
        assert directory.security_profiles.id_for("Admin") == "sp-2"
        assert directory.security_profiles.id_for("agent") == "sp-1"  # unique case-insensitive match
        assert directory.security_profiles.name_for("sp-1") == "Agent"
        stubber.assert_no_pending_responses()
        clock.now += 61
        _profiles_page(stubber, [("sp-1", "Agent")], None, None)
        assert directory.security_profiles.id_for("Agent") == "sp-1"
        stubber.assert_no_pending_responses()


def test_a_missing_name_refreshes_once_but_not_again_within_the_minimum_interval() -> None:
    client = connect_client(endpoint_url="http://127.0.0.1:9", max_attempts=1, session=_session())
    clock = Clock()
    directory = ConnectDirectory(client, INSTANCE, cache_ttl=60, clock=clock)
    with Stubber(client) as stubber:
        _profiles_page(stubber, [("sp-1", "Agent")], None, None)
        assert directory.security_profiles.id_for("Agent") == "sp-1"
        clock.now += 10
        _profiles_page(stubber, [("sp-1", "Agent"), ("sp-3", "NewProfile")], None, None)
        assert directory.security_profiles.id_for("NewProfile") == "sp-3"  # created a moment ago: found
        assert directory.security_profiles.id_for("Nope") is None  # no second List within 5 s
        stubber.assert_no_pending_responses()
