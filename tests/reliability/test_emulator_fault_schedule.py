"""The emulator's fault schedule: a fault, throttle or lost reply on exactly the call a test names.

The targeted interruption tests (``test_interrupted_operations``) rely on these promises: the
k-th matching call fails and no other, a ``fault``/``throttle`` applies nothing, a ``drop`` applies
the write and loses the reply, and the journal lists calls in arrival order.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError

from local.emulator.testing import EmulatorHandle


def _new_user(emulator: EmulatorHandle, client: Any, name: str) -> dict[str, str]:
    answer = client.create_user(
        InstanceId=emulator.instance_id,
        Username=name,
        SecurityProfileIds=[emulator.security_profile_id("Agent")],
        RoutingProfileId=emulator.routing_profile_id("Basic Routing Profile"),
        PhoneConfig={"PhoneType": "SOFT_PHONE"},
    )
    return {"id": answer["UserId"], "arn": answer["UserArn"]}


def _tags(emulator: EmulatorHandle, client: Any, user_id: str) -> dict[str, str]:
    user = client.describe_user(InstanceId=emulator.instance_id, UserId=user_id)["User"]
    return dict(user.get("Tags") or {})


def test_a_fault_hits_only_the_kth_matching_call_and_applies_nothing(emulator: EmulatorHandle) -> None:
    client = emulator.connect_client()
    user = _new_user(emulator, client, "sched.fault")
    emulator.schedule_faults({"kind": "fault", "operation": "TagResource", "skip": 1})
    client.tag_resource(resourceArn=user["arn"], tags={"k": "1"})
    with pytest.raises(client.exceptions.InternalServiceException):
        client.tag_resource(resourceArn=user["arn"], tags={"k": "2"})
    assert _tags(emulator, client, user["id"])["k"] == "1"
    client.tag_resource(resourceArn=user["arn"], tags={"k": "3"})
    assert _tags(emulator, client, user["id"])["k"] == "3"
    assert emulator.emulator.faults()["schedule"] == []


def test_a_drop_applies_the_write_and_loses_the_reply(emulator: EmulatorHandle) -> None:
    client = emulator.connect_client()
    user = _new_user(emulator, client, "sched.drop")
    emulator.schedule_faults({"kind": "drop", "operation": "writes"})
    client.describe_user(InstanceId=emulator.instance_id, UserId=user["id"])  # reads are answered
    with pytest.raises(ConnectionClosedError):
        client.tag_resource(resourceArn=user["arn"], tags={"k": "applied"})
    assert _tags(emulator, client, user["id"])["k"] == "applied"
    assert emulator.stats()["operations"]["TagResource"]["dropped"] == 1


def test_a_scheduled_throttle_is_a_429_throttling_exception(emulator: EmulatorHandle) -> None:
    client = emulator.connect_client()
    emulator.schedule_faults({"kind": "throttle", "operation": "*", "times": 2})
    for _ in range(2):
        with pytest.raises(client.exceptions.ThrottlingException):
            client.list_security_profiles(InstanceId=emulator.instance_id)
    client.list_security_profiles(InstanceId=emulator.instance_id)
    assert emulator.stats()["operations"]["ListSecurityProfiles"]["throttled"] == 2


def test_the_journal_lists_calls_in_order_and_reset_clears_schedule_and_journal(
    emulator: EmulatorHandle,
) -> None:
    client = emulator.connect_client()
    user = _new_user(emulator, client, "sched.journal")
    client.describe_user(InstanceId=emulator.instance_id, UserId=user["id"])
    client.tag_resource(resourceArn=user["arn"], tags={"k": "v"})
    assert emulator.journal() == ["CreateUser", "DescribeUser", "TagResource"]
    emulator.schedule_faults({"kind": "fault"})
    emulator.reset()
    assert emulator.emulator.faults() == {"schedule": [], "journal": []}


def _control(emulator: EmulatorHandle, method: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{emulator.url}/_emulator/faults", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_control_plane_sets_and_shows_the_schedule_and_refuses_bad_entries(
    emulator: EmulatorHandle,
) -> None:
    status, view = _control(emulator, "POST", {"schedule": [{"kind": "drop", "operation": "DeleteUser"}]})
    assert (status, view["schedule"]) == (
        200,
        [{"kind": "drop", "operation": "DeleteUser", "skip": 0, "times": 1}],
    )
    assert _control(emulator, "GET")[1]["schedule"][0]["operation"] == "DeleteUser"
    for bad in ({"kind": "explode"}, {"kind": "fault", "skip": -1}, {"kind": "fault", "when": 1}):
        status, answer = _control(emulator, "POST", {"schedule": [bad]})
        assert status == 400 and "schedule[0]" in answer["message"]
    status, _ = _control(emulator, "POST", {"schedule": "all"})
    assert status == 400
    assert _control(emulator, "POST", {"schedule": []})[1]["schedule"] == []
