"""Every bad input gets a specific SCIM error, and nothing is created or changed half-way."""

from __future__ import annotations

from collections import Counter

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.scim.errors import (
    Conflict,
    InvalidValue,
    Mutability,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Uniqueness,
)

from .helpers import CONNECT, CORE, ENTERPRISE, Budget, UsersFactory, patch_body, user_body

WRITES = {
    "CreateUser",
    "UpdateUserIdentityInfo",
    "UpdateUserSecurityProfiles",
    "UpdateUserRoutingProfile",
    "UpdateUserHierarchy",
    "UpdateUserPhoneConfig",
    "TagResource",
    "UntagResource",
    "DeleteUser",
}


def _writes(counter: Counter[str]) -> dict[str, int]:
    return {op: n for op, n in counter.items() if op in WRITES}


def test_unknown_security_profile_is_400_naming_it_and_nothing_is_created(
    users: UsersFactory, budget: Budget
) -> None:
    service = users("okta")
    with budget.measure() as calls, pytest.raises(InvalidValue, match=r"'Astronaut'.*does not exist"):
        service.create(user_body(entitlements=[{"value": "Agent"}, {"value": "Astronaut"}]))
    assert _writes(calls) == {}


def test_unknown_routing_profile_and_hierarchy_group_are_400_naming_them(users: UsersFactory) -> None:
    service = users("okta")
    with pytest.raises(InvalidValue, match="routing profile 'Moon Desk'"):
        service.create(user_body(roles=[{"value": "Moon Desk"}]))
    with pytest.raises(InvalidValue, match="hierarchy group 'Atlantis'"):
        service.create(user_body(**{"schemas": [CORE, CONNECT], CONNECT: {"hierarchyGroup": "Atlantis"}}))


def test_profile_outside_the_assignable_allowlist_is_400_naming_it(
    users: UsersFactory, budget: Budget
) -> None:
    service = users("okta", assignable_security_profiles=frozenset({"Agent", "QualityAnalyst"}))
    with budget.measure() as calls, pytest.raises(InvalidValue, match=r"'Admin' .*not assignable"):
        service.create(user_body(entitlements=[{"value": "Admin"}]))
    assert _writes(calls) == {}
    created = service.create(user_body(entitlements=[{"value": "QualityAnalyst"}]))
    assert created["entitlements"] == [{"value": "QualityAnalyst"}]


def test_the_deactivated_profile_is_never_assignable(users: UsersFactory) -> None:
    service = users("okta")
    with pytest.raises(InvalidValue, match="reserved for deactivated users"):
        service.create(user_body(entitlements=[{"value": "SCIM-Deactivated"}]))


def test_duplicate_username_is_409_uniqueness(users: UsersFactory) -> None:
    service = users("okta")
    service.create(user_body("dup@example.com"))
    with pytest.raises(Uniqueness):
        service.create(user_body("DUP@example.com"))


def test_rename_is_400_mutability_saying_connect_cannot_rename(users: UsersFactory, budget: Budget) -> None:
    service = users("okta")
    created = service.create(user_body("old@example.com"))
    with budget.measure() as calls, pytest.raises(Mutability, match="cannot rename"):
        service.patch(
            created["id"], patch_body({"op": "replace", "path": "userName", "value": "new@example.com"})
        )
    assert _writes(calls) == {}


@pytest.mark.parametrize("number", ["555-0100", "+0123", "call me", "+1234567890123456"])
def test_mobile_that_is_not_e164_is_400_naming_the_attribute(users: UsersFactory, number: str) -> None:
    service = users("okta")
    with pytest.raises(InvalidValue, match=r"phoneNumbers\[type eq \\?\"mobile\\?\"\]\.value.*E\.164"):
        service.create(user_body(phoneNumbers=[{"value": number, "type": "mobile"}]))


def test_rfc3966_and_separated_mobile_numbers_are_accepted_and_read_back_as_sent(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    created = service.create(user_body(phoneNumbers=[{"value": "tel:+1-415-555-0100", "type": "mobile"}]))
    again = service.get(created["id"])
    assert again["phoneNumbers"] == [{"value": "tel:+1-415-555-0100", "type": "mobile"}]
    client = emulator.connect_client()
    stored = client.describe_user(InstanceId=emulator.instance_id, UserId=created["id"])["User"]
    assert stored["IdentityInfo"]["Mobile"] == "+14155550100"


def test_a_value_too_long_for_a_tag_is_400_naming_attribute_and_limit(
    users: UsersFactory, budget: Budget
) -> None:
    service = users("okta")
    with budget.measure() as calls, pytest.raises(InvalidValue, match=r"'title' is 300 characters.*256"):
        service.create(user_body(title="x" * 300))
    assert _writes(calls) == {}


def test_json_attributes_beyond_four_tags_are_400_naming_the_attribute(users: UsersFactory) -> None:
    service = users("okta")
    emails = [{"value": f"someone.with.a.long.address.{i}@example.com", "type": "other"} for i in range(30)]
    with pytest.raises(InvalidValue, match=r"'emails' needs .* characters"):
        service.create(user_body(emails=emails))


def test_more_than_fifty_tags_in_all_is_400_before_any_write(
    users: UsersFactory, emulator: EmulatorHandle, budget: Budget
) -> None:
    service = users("okta")
    created = service.create(user_body())
    arn = emulator.connect_client().describe_user(InstanceId=emulator.instance_id, UserId=created["id"])[
        "User"
    ]["Arn"]
    emulator.connect_client().tag_resource(resourceArn=arn, tags={f"team:{i}": "x" for i in range(40)})
    big = {
        "title": "t",
        "displayName": "d",
        "nickName": "n",
        "locale": "en-US",
        "timezone": "UTC",
        "preferredLanguage": "en",
        ENTERPRISE: {
            "costCenter": "1",
            "division": "2",
            "organization": "3",
            "employeeNumber": "4",
            "department": "5",
        },
    }
    body = {**{k: v for k, v in created.items() if k not in ("id", "meta")}, **big}
    body["schemas"] = [*body["schemas"], ENTERPRISE]
    with budget.measure() as calls, pytest.raises(InvalidValue, match="Connect allows 50 per user"):
        service.replace(created["id"], body)
    assert _writes(calls) == {}


def test_patch_with_one_bad_operation_applies_none(users: UsersFactory, budget: Budget) -> None:
    service = users("okta")
    created = service.create(user_body())
    body = patch_body(
        {"op": "replace", "path": "title", "value": "Lead"},
        {"op": "replace", "path": "entitlements", "value": [{"value": "Astronaut"}]},
    )
    with budget.measure() as calls, pytest.raises(InvalidValue):
        service.patch(created["id"], body)
    assert _writes(calls) == {}
    assert "title" not in service.get(created["id"])


def test_unknown_user_is_404_for_get_put_patch_and_delete(users: UsersFactory) -> None:
    service = users("okta")
    missing = "00000000-0000-4000-8000-000000000000"
    for call in (
        lambda: service.get(missing),
        lambda: service.replace(missing, user_body()),
        lambda: service.patch(missing, patch_body({"op": "replace", "path": "title", "value": "x"})),
        lambda: service.delete(missing),
    ):
        with pytest.raises(NotFound):
            call()


def test_instance_user_limit_is_a_final_409_after_a_single_create_user_call(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta", max_attempts=3)
    service.create(user_body("first@example.com"))
    emulator.configure(max_users=1)
    with pytest.raises(Conflict, match=r"users-per-instance quota.*Service Quotas") as caught:
        service.create(user_body("second@example.com"))
    assert caught.value.status == 409
    assert emulator.calls("CreateUser") == 2  # one per POST: the quota breach was not retried


def test_throttling_that_outlasts_the_retries_is_429_with_retry_after(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta", max_attempts=2)
    created = service.create(user_body())
    emulator.configure(rate=0.01, burst=1)
    service.get(created["id"])  # spends the burst
    with pytest.raises(TooManyRequests) as caught:
        service.get(created["id"])
    assert caught.value.status == 429
    assert int(caught.value.headers["Retry-After"]) >= 1
    assert emulator.stats()["operations"]["DescribeUser"]["throttled"] == 2


def test_connect_server_errors_are_503_with_retry_after(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta", max_attempts=2)
    created = service.create(user_body())
    emulator.configure(fault_rate=1.0)
    with pytest.raises(ServiceUnavailable) as caught:
        service.get(created["id"])
    assert caught.value.status == 503
    assert "Retry-After" in caught.value.headers
