"""The wire protocol boto3 speaks: routing from the model, raw bodies against output shapes, errors.

botocore's parser ignores JSON members it does not know and reads errors from ``x-amzn-ErrorType``;
these tests read the raw bytes so an answer boto3 would silently mis-read fails here.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import botocore.serialize
import pytest

from local.emulator.core import HANDLERS
from local.emulator.testing import EmulatorHandle
from local.emulator.wire import Router, service_model

from .helpers import MakeUser, SeedIds

EMULATED = {
    "ListInstances",
    "DescribeInstance",
    "CreateUser",
    "DescribeUser",
    "ListUsers",
    "SearchUsers",
    "UpdateUserIdentityInfo",
    "UpdateUserSecurityProfiles",
    "UpdateUserRoutingProfile",
    "UpdateUserHierarchy",
    "UpdateUserPhoneConfig",
    "DeleteUser",
    "ListSecurityProfiles",
    "DescribeSecurityProfile",
    "SearchSecurityProfiles",
    "ListRoutingProfiles",
    "SearchRoutingProfiles",
    "ListUserHierarchyGroups",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
}


def test_the_emulator_handles_exactly_the_operations_it_promises() -> None:
    assert set(HANDLERS) == EMULATED
    assert set(service_model().operation_names) >= EMULATED


def test_every_model_operation_routes_back_to_itself_from_the_request_botocore_builds() -> None:
    """All 400-odd Connect operations, so a literal segment never loses to a label and back."""
    model = service_model()
    router = Router(model)
    serializer = botocore.serialize.create_serializer("rest-json", include_validation=False)
    misrouted = []
    for name in model.operation_names:
        op_model = model.operation_model(name)
        params = {
            member: f"arn:aws:connect:us-east-1:1:instance/i/{member}"
            if member == "resourceArn"
            else f"v-{member}"
            for member, shape in op_model.input_shape.members.items()
            if shape.serialization.get("location") == "uri"
        }
        request = serializer.serialize_to_request(params, op_model)
        match = router.match(request["method"], request["url_path"])
        if match is None or match.operation != name:
            misrouted.append((name, request["url_path"], match))
    assert misrouted == []


def test_a_resource_arn_travels_percent_encoded_in_one_path_segment(
    client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    seen: list[str] = []
    client.meta.events.register(
        "before-send.connect.ListTagsForResource", lambda request, **_: seen.append(request.url)
    )
    arn = f"arn:aws:connect:us-east-1:123456789012:instance/{ids.instance}/agent/{make_user()}"
    client.list_tags_for_resource(resourceArn=arn)
    assert "%2F" in seen[0]
    assert "%3A" in seen[0]


# -------------------------------------------------------------------------------- raw output shapes


def conformance_problems(shape: Any, value: Any, path: str) -> list[str]:
    """Everything in a raw JSON value the output shape does not allow (names, types), recursively."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        wire = {member.serialization.get("name", name): member for name, member in shape.members.items()}
        problems = [f"{path}.{key}: not a member of {shape.name}" for key in value if key not in wire]
        for key, item in value.items():
            if key in wire:
                problems += conformance_problems(wire[key], item, f"{path}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [
            problem for item in value for problem in conformance_problems(shape.member, item, f"{path}[]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: not a map"]
        return [
            p
            for key, item in value.items()
            for p in conformance_problems(shape.value, item, f"{path}{{{key}}}")
        ]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    valid = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "long": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "timestamp": number,
        "double": number,
        "float": number,
    }
    return [] if valid.get(kind, False) else [f"{path}: {value!r} is not a {kind}"]


Call = Callable[[Any, SeedIds, str, str], Any]
ARN = "arn:aws:connect:us-east-1:123456789012:instance/{instance}/agent/{user}"

CALLS: dict[str, Call] = {
    "ListInstances": lambda c, ids, user, arn: c.list_instances(),
    "DescribeInstance": lambda c, ids, user, arn: c.describe_instance(InstanceId=ids.instance),
    "CreateUser": lambda c, ids, user, arn: c.create_user(
        InstanceId=ids.instance, Username="second", SecurityProfileIds=[ids.agent], RoutingProfileId=ids.basic
    ),
    "DescribeUser": lambda c, ids, user, arn: c.describe_user(InstanceId=ids.instance, UserId=user),
    "ListUsers": lambda c, ids, user, arn: c.list_users(InstanceId=ids.instance, MaxResults=1),
    "SearchUsers": lambda c, ids, user, arn: c.search_users(InstanceId=ids.instance, MaxResults=1),
    "UpdateUserIdentityInfo": lambda c, ids, user, arn: c.update_user_identity_info(
        InstanceId=ids.instance,
        UserId=user,
        IdentityInfo={"FirstName": "A", "LastName": "B", "Mobile": "+33612345678"},
    ),
    "UpdateUserSecurityProfiles": lambda c, ids, user, arn: c.update_user_security_profiles(
        InstanceId=ids.instance, UserId=user, SecurityProfileIds=[ids.agent]
    ),
    "UpdateUserRoutingProfile": lambda c, ids, user, arn: c.update_user_routing_profile(
        InstanceId=ids.instance, UserId=user, RoutingProfileId=ids.basic
    ),
    "UpdateUserHierarchy": lambda c, ids, user, arn: c.update_user_hierarchy(
        InstanceId=ids.instance, UserId=user, HierarchyGroupId=ids.support
    ),
    "UpdateUserPhoneConfig": lambda c, ids, user, arn: c.update_user_phone_config(
        InstanceId=ids.instance, UserId=user, PhoneConfig={"PersistentConnection": True}
    ),
    "ListSecurityProfiles": lambda c, ids, user, arn: c.list_security_profiles(
        InstanceId=ids.instance, MaxResults=1
    ),
    "DescribeSecurityProfile": lambda c, ids, user, arn: c.describe_security_profile(
        InstanceId=ids.instance, SecurityProfileId=ids.agent
    ),
    "SearchSecurityProfiles": lambda c, ids, user, arn: c.search_security_profiles(InstanceId=ids.instance),
    "ListRoutingProfiles": lambda c, ids, user, arn: c.list_routing_profiles(
        InstanceId=ids.instance, MaxResults=1
    ),
    "SearchRoutingProfiles": lambda c, ids, user, arn: c.search_routing_profiles(InstanceId=ids.instance),
    "ListUserHierarchyGroups": lambda c, ids, user, arn: c.list_user_hierarchy_groups(
        InstanceId=ids.instance
    ),
    "TagResource": lambda c, ids, user, arn: c.tag_resource(resourceArn=arn, tags={"k": "v"}),
    "UntagResource": lambda c, ids, user, arn: c.untag_resource(resourceArn=arn, tagKeys=["k"]),
    "ListTagsForResource": lambda c, ids, user, arn: c.list_tags_for_resource(resourceArn=arn),
    "DeleteUser": lambda c, ids, user, arn: c.delete_user(InstanceId=ids.instance, UserId=user),
}


def test_every_emulated_operation_is_exercised_here() -> None:
    assert set(CALLS) == EMULATED


@pytest.mark.parametrize("operation", list(CALLS))
def test_raw_answers_conform_to_the_output_shape_and_parse_without_loss(
    client: Any, ids: SeedIds, make_user: MakeUser, operation: str
) -> None:
    user = make_user(
        "richest",
        IdentityInfo={
            "FirstName": "R",
            "LastName": "Ich",
            "SecondaryEmail": "r@example.com",
            "Mobile": "+14155550100",
        },
        PhoneConfig={
            "PhoneType": "DESK_PHONE",
            "DeskPhoneNumber": "+14155550101",
            "PersistentConnection": False,
        },
        HierarchyGroupId=ids.support,
        Tags={"a": "1"},
        AutoAcceptConfigs=[{"Channel": "CHAT", "AutoAccept": True}],
    )
    raw_bodies: list[tuple[int, bytes]] = []
    client.meta.events.register(
        f"before-parse.connect.{operation}",
        lambda response_dict, **_: raw_bodies.append((response_dict["status_code"], response_dict["body"])),
    )

    parsed = CALLS[operation](client, ids, user, ARN.format(instance=ids.instance, user=user))

    ((status, body),) = raw_bodies
    assert status == 200
    document = json.loads(body)
    op_model = service_model().operation_model(operation)
    if op_model.output_shape is None:
        assert document == {}
        return
    assert conformance_problems(op_model.output_shape, document, operation) == []
    # Everything sent reached the parsed result: no member was dropped by the parser.
    assert set(document) <= set(parsed)


# ------------------------------------------------------------------------------------------------ errors


def test_errors_carry_the_code_header_both_message_keys_and_the_modeled_status(
    emulator: EmulatorHandle, ids: SeedIds
) -> None:
    request = urllib.request.Request(f"{emulator.url}/users/{ids.instance}/missing-user")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    error = caught.value
    assert error.code == 404
    assert error.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert error.headers["Content-Type"] == "application/json"
    body = json.loads(error.read())
    assert body["message"] == body["Message"]
    assert "missing-user" in body["message"]


def test_boto3_maps_error_codes_to_its_modeled_exception_classes(client: Any, ids: SeedIds) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_user(InstanceId=ids.instance, UserId="missing-user")
    error = caught.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"]


def test_a_model_operation_the_emulator_does_not_emulate_is_named_in_a_clear_error(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.put_user_status(InstanceId=ids.instance, UserId="u", AgentStatusId="s")
    assert caught.value.response["Error"]["Message"] == (
        "operation PutUserStatus is not emulated by connect-scim's emulator"
    )
    assert emulator.calls("PutUserStatus") == 1


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/no/such/thing"), ("PATCH", "/users/i/u"), ("GET", "/")]
)
def test_a_path_no_operation_owns_is_a_404_unknown_operation(
    emulator: EmulatorHandle, method: str, path: str
) -> None:
    request = urllib.request.Request(f"{emulator.url}{path}", method=method)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404
    assert caught.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert method in json.loads(caught.value.read())["message"]


def test_any_credentials_and_unsigned_requests_are_accepted(emulator: EmulatorHandle) -> None:
    with urllib.request.urlopen(f"{emulator.url}/instance") as response:
        assert json.loads(response.read())["InstanceSummaryList"][0]["Id"] == emulator.instance_id
