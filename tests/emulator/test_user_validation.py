"""Every CreateUser/Update* rule the service enforces, with the exception class boto3 raises.

botocore checks only required members, types and minimums before sending (connect-api.md §1), so
maximums, list sizes, enums, patterns and the documented prose rules are the service's job, and the
emulator's. Requests boto3 refuses client-side are sent raw to show the server refuses them too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds, raw

# ----------------------------------------------------------------------------------------- Username


@pytest.mark.parametrize(
    "username",
    ["a" * 64, "first.last", "first_last-2", "user@example.com", "a.b@mail.example.co.uk", "0042"],
)
def test_saml_usernames_of_the_documented_form_are_accepted(make_user: MakeUser, username: str) -> None:
    assert make_user(username)


@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("a" * 65, "more than 64 characters on a SAML instance"),
        ("a" * 101, "more than the model's 100"),
        ("first last", "space"),
        ("first+tag", "plus sign"),
        ("naïve", "non-ASCII letter"),
        ("alice!", "punctuation outside _ - . @"),
        ("testuser@example", "@ without an e-mail domain (the documentation's own counter-example)"),
        ("@example.com", "@ without a local part"),
        ("a@@example.com", "two @"),
    ],
)
def test_saml_username_rules_are_invalid_parameter(
    client: Any, make_user: MakeUser, username: str, why: str
) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException) as caught:
        make_user(username)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400, why


def test_username_uniqueness_is_case_insensitive_by_default_409(client: Any, make_user: MakeUser) -> None:
    make_user("Alice")
    with pytest.raises(client.exceptions.DuplicateResourceException) as caught:
        make_user("alice")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert caught.value.response["Error"]["Code"] == "DuplicateResourceException"


def test_case_sensitive_uniqueness_option_lets_usernames_differ_only_in_case(
    emulator: EmulatorHandle, client: Any, make_user: MakeUser
) -> None:
    emulator.configure(username_unique_case_sensitive=True)
    make_user("Alice")
    assert make_user("alice")
    with pytest.raises(client.exceptions.DuplicateResourceException):
        make_user("alice")


def test_switching_uniqueness_to_case_insensitive_applies_to_existing_users(
    emulator: EmulatorHandle, client: Any, make_user: MakeUser
) -> None:
    emulator.configure(username_unique_case_sensitive=True)
    make_user("Alice")
    emulator.configure(username_unique_case_sensitive=False)
    with pytest.raises(client.exceptions.DuplicateResourceException):
        make_user("ALICE")


# ------------------------------------------------------------------------------ SAML identity rules


@pytest.mark.parametrize(
    ("member", "value"),
    [("Password", "Passw0rdPassw0rd"), ("DirectoryUserId", "d-123")],
)
def test_password_and_directory_user_id_are_refused_on_a_saml_instance(
    client: Any, make_user: MakeUser, member: str, value: str
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        make_user(**{member: value})


def test_email_is_refused_on_a_saml_instance_at_create_and_update(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        make_user(IdentityInfo={"FirstName": "A", "LastName": "B", "Email": "a@example.com"})
    user_id = make_user()
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.update_user_identity_info(
            InstanceId=ids.instance, UserId=user_id, IdentityInfo={"Email": "a@example.com"}
        )


@pytest.mark.parametrize("member", ["FirstName", "LastName"])
def test_names_must_be_unicode_nfc(client: Any, ids: SeedIds, make_user: MakeUser, member: str) -> None:
    decomposed = "Jose\u0301"  # "José" with a combining accent: NFD, not NFC
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(IdentityInfo={member: decomposed})
    user_id = make_user()
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.update_user_identity_info(
            InstanceId=ids.instance, UserId=user_id, IdentityInfo={member: decomposed}
        )
    assert make_user("composed", IdentityInfo={member: "Jos\u00e9"})


@pytest.mark.parametrize(("member", "limit"), [("FirstName", 255), ("LastName", 300)])
def test_name_lengths_follow_the_model(client: Any, make_user: MakeUser, member: str, limit: int) -> None:
    assert make_user(IdentityInfo={member: "x" * limit})
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user("other", IdentityInfo={member: "x" * (limit + 1)})


@pytest.mark.parametrize(
    "mobile", ["0123456789", "+0123456", "+1234567890123456", "tel:+14155550100", "+1 415"]
)
def test_mobile_must_be_e164(client: Any, make_user: MakeUser, mobile: str) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(IdentityInfo={"Mobile": mobile})


def test_secondary_email_must_match_the_documented_pattern(client: Any, make_user: MakeUser) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(IdentityInfo={"SecondaryEmail": "not-an-address"})
    assert make_user(IdentityInfo={"SecondaryEmail": "ok@example.com"})


# ------------------------------------------------------------------------------------ phone settings


@pytest.mark.parametrize("number", ["4155550100", "+1-415-555-0100", "+04155550100"])
def test_desk_phone_number_must_be_e164(client: Any, ids: SeedIds, make_user: MakeUser, number: str) -> None:
    user_id = make_user()
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.update_user_phone_config(
            InstanceId=ids.instance,
            UserId=user_id,
            PhoneConfig={"PhoneType": "DESK_PHONE", "DeskPhoneNumber": number},
        )


def test_desk_phone_needs_a_desk_phone_number(client: Any, make_user: MakeUser) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(PhoneConfig={"PhoneType": "DESK_PHONE"})


def test_phone_type_outside_the_enum_is_refused_by_the_server(client: Any, make_user: MakeUser) -> None:
    # botocore does not check enums client-side; the service does.
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(PhoneConfig={"PhoneType": "MOBILE_PHONE"})


def test_after_contact_work_limit_is_at_most_2_000_000_seconds(client: Any, make_user: MakeUser) -> None:
    assert make_user(PhoneConfig={"AfterContactWorkTimeLimit": 2_000_000})
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user("other", PhoneConfig={"AfterContactWorkTimeLimit": 2_000_001})


def test_phone_config_fields_conflict_with_their_per_channel_lists(client: Any, make_user: MakeUser) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException):
        make_user(
            PhoneConfig={"AutoAccept": True}, AutoAcceptConfigs=[{"Channel": "VOICE", "AutoAccept": True}]
        )


def test_a_channel_named_twice_in_one_list_is_refused(client: Any, make_user: MakeUser) -> None:
    twice = [{"Channel": "VOICE", "AutoAccept": True}, {"Channel": "VOICE", "AutoAccept": False}]
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(AutoAcceptConfigs=twice)


# --------------------------------------------------------------------------------- referenced ids


def test_security_profile_list_holds_1_to_10_ids(client: Any, ids: SeedIds, make_user: MakeUser) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(SecurityProfileIds=[ids.agent] * 11)
    user_id = make_user()
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.update_user_security_profiles(
            InstanceId=ids.instance, UserId=user_id, SecurityProfileIds=[ids.agent] * 11
        )


def test_an_empty_security_profile_list_is_refused_by_the_server_too(
    emulator: EmulatorHandle, ids: SeedIds
) -> None:
    body = {"Username": "alice", "SecurityProfileIds": [], "RoutingProfileId": ids.basic}
    reply = raw(emulator, "PUT", f"/users/{ids.instance}", json.dumps(body).encode())
    assert reply.status == 400
    assert reply.headers["x-amzn-ErrorType"] == "InvalidParameterException"


def test_unknown_referenced_ids_are_resource_not_found(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    missing = "99999999-9999-4999-8999-999999999999"
    for overrides in (
        {"SecurityProfileIds": [ids.agent, missing]},
        {"RoutingProfileId": missing},
        {"HierarchyGroupId": missing},
    ):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            make_user(**overrides)
    user_id = make_user()
    calls: list[Callable[[], Any]] = [
        lambda: client.update_user_security_profiles(
            InstanceId=ids.instance, UserId=user_id, SecurityProfileIds=[missing]
        ),
        lambda: client.update_user_routing_profile(
            InstanceId=ids.instance, UserId=user_id, RoutingProfileId=missing
        ),
        lambda: client.update_user_hierarchy(
            InstanceId=ids.instance, UserId=user_id, HierarchyGroupId=missing
        ),
    ]
    for call in calls:
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            call()
    assert client.describe_user(InstanceId=ids.instance, UserId=user_id)["User"]["SecurityProfileIds"] == [
        ids.agent
    ]


# --------------------------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("tags", "why"),
    [
        ({}, "empty map (botocore does not check map sizes)"),
        ({f"k{n}": "v" for n in range(51)}, "51 tags"),
        ({"aws:reserved": "v"}, "aws: prefix"),
        ({"k" * 129: "v"}, "key longer than 128"),
        ({"key#hash": "v"}, "character outside the key pattern"),
        ({"k": "v" * 257}, "value longer than 256"),
    ],
)
def test_create_user_tag_rules(client: Any, make_user: MakeUser, tags: dict[str, str], why: str) -> None:
    with pytest.raises(client.exceptions.InvalidParameterException):
        make_user(Tags=tags)


def test_tag_keys_accept_unicode_letters_numbers_spaces_and_the_listed_punctuation(
    make_user: MakeUser,
) -> None:
    assert make_user(Tags={"clé 1_.:/=+-@": "v", "scim:externalId": "", "数字": "x" * 256})


# ---------------------------------------------------------------------------------------- quota


def test_users_per_instance_quota_is_limit_exceeded_429(
    emulator: EmulatorHandle, client: Any, make_user: MakeUser
) -> None:
    emulator.configure(max_users=2)
    make_user("one")
    make_user("two")
    with pytest.raises(client.exceptions.LimitExceededException) as caught:
        make_user("three")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert emulator.calls("CreateUser") == 3


# ---------------------------------------------------------------------------- raw-request validation


@pytest.mark.parametrize(
    ("method", "target", "body", "code"),
    [
        ("GET", "/users-summary/{instance}?maxResults=0", None, "InvalidParameterException"),
        ("GET", "/users-summary/{instance}?maxResults=1001", None, "InvalidParameterException"),
        ("GET", "/users-summary/{instance}?maxResults=ten", None, "InvalidParameterException"),
        ("GET", "/users-summary/{instance}?nextToken=garbage", None, "InvalidParameterException"),
        ("GET", "/instance?maxResults=11", None, "InvalidRequestException"),
        ("POST", "/search-users", {"MaxResults": 501}, "InvalidParameterException"),
        ("POST", "/search-security-profiles", {"MaxResults": 101}, "InvalidParameterException"),
        ("POST", "/search-routing-profiles", {"MaxResults": 501}, "InvalidParameterException"),
        ("POST", "/search-users", {"NextToken": "x" * 2501}, "InvalidParameterException"),
        (
            "POST",
            "/users/{instance}/u/phone-config",
            {"PhoneConfig": {"AfterContactWorkTimeLimit": -1}},
            "InvalidParameterException",
        ),
        ("POST", "/users/{instance}/u/routing-profile", {"RoutingProfileId": 7}, "InvalidParameterException"),
        ("POST", "/users/{instance}/u/routing-profile", {}, "InvalidParameterException"),
        ("POST", "/users/{instance}/u/routing-profile", "not json", "InvalidRequestException"),
        ("POST", "/users/{instance}/u/routing-profile", ["a", "list"], "InvalidRequestException"),
        ("GET", "/users/{long}/u", None, "InvalidParameterException"),
    ],
)
def test_raw_requests_breaking_model_constraints_get_the_services_error(
    emulator: EmulatorHandle, method: str, target: str, body: Any, code: str
) -> None:
    target = target.format(instance=emulator.instance_id, long="i" * 101)
    if isinstance(body, dict | list):
        payload = json.dumps(
            {"InstanceId": emulator.instance_id, **body} if isinstance(body, dict) else body
        ).encode()
    else:
        payload = (body or "").encode()
    reply = raw(emulator, method, target, payload)
    assert (reply.status, reply.headers["x-amzn-ErrorType"]) == (400, code)
    assert json.loads(reply.body)["message"]


def test_validation_messages_name_the_member_but_never_echo_its_value(
    client: Any, make_user: MakeUser
) -> None:
    secret_looking = "+44 7700 900123"
    with pytest.raises(client.exceptions.InvalidParameterException) as caught:
        make_user(IdentityInfo={"Mobile": secret_looking})
    message = caught.value.response["Error"]["Message"]
    assert "Mobile" in message
    assert secret_looking not in message
