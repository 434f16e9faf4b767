"""Connect's API quota (2 req/s, burst 5, per account) and the faults reliability tests inject.

connect-api.md §6: throttled calls answer HTTP 429 ThrottlingException; §5: botocore's standard mode
retries them with backoff. Faults: InternalServiceException 500 (nothing applied) and a lost reply
(applied, connection closed without an answer).
"""

from __future__ import annotations

import time
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds


def test_a_sixth_call_inside_the_burst_of_five_is_throttled_429(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    emulator.configure(rate=2, burst=5)
    for _ in range(5):
        client.list_users(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException) as caught:
        client.list_users(InstanceId=ids.instance)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert emulator.stats()["operations"]["ListUsers"] == {
        "calls": 6,
        "throttled": 1,
        "errors": 1,
        "faults": 0,
        "dropped": 0,
    }


def test_the_bucket_is_shared_by_every_operation_of_the_account(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    emulator.configure(rate=0.01, burst=2)
    client.list_users(InstanceId=ids.instance)
    client.describe_instance(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_security_profiles(InstanceId=ids.instance)


def test_per_operation_buckets_throttle_each_operation_on_its_own(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    emulator.configure(rate=0.01, burst=2, per_operation_throttle=True)
    client.list_users(InstanceId=ids.instance)
    client.list_users(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_users(InstanceId=ids.instance)
    client.describe_instance(InstanceId=ids.instance)
    client.describe_instance(InstanceId=ids.instance)


def test_tokens_refill_at_the_configured_rate(emulator: EmulatorHandle, client: Any, ids: SeedIds) -> None:
    emulator.configure(rate=20, burst=1)
    client.list_users(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.list_users(InstanceId=ids.instance)
    time.sleep(0.06)
    client.list_users(InstanceId=ids.instance)


def test_standard_retries_get_through_a_throttled_call(emulator: EmulatorHandle, ids: SeedIds) -> None:
    emulator.configure(rate=5, burst=1)
    patient = emulator.connect_client(max_attempts=10)
    patient.list_users(InstanceId=ids.instance)
    answer = patient.list_users(InstanceId=ids.instance)
    assert answer["ResponseMetadata"]["RetryAttempts"] >= 1
    assert emulator.stats()["operations"]["ListUsers"]["throttled"] >= 1


def test_rate_zero_turns_throttling_off(emulator: EmulatorHandle, client: Any, ids: SeedIds) -> None:
    emulator.configure(rate=0, burst=1)
    for _ in range(30):
        client.describe_instance(InstanceId=ids.instance)
    assert emulator.stats()["operations"]["DescribeInstance"]["throttled"] == 0


def test_the_control_plane_is_never_throttled(emulator: EmulatorHandle, client: Any, ids: SeedIds) -> None:
    emulator.configure(rate=0.01, burst=1)
    client.describe_instance(InstanceId=ids.instance)
    for _ in range(10):
        with urllib.request.urlopen(f"{emulator.url}/_emulator/stats") as response:
            assert response.status == 200


def test_limit_exceeded_on_the_users_quota_is_not_a_throttle(
    emulator: EmulatorHandle, client: Any, make_user: MakeUser
) -> None:
    emulator.configure(max_users=0)
    with pytest.raises(client.exceptions.LimitExceededException) as caught:
        make_user()
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"
    assert emulator.stats()["operations"]["CreateUser"]["throttled"] == 0


# -------------------------------------------------------------------------------------------- faults


def test_injected_faults_answer_500_and_apply_nothing(
    emulator: EmulatorHandle, client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    emulator.configure(fault_rate=1.0)
    with pytest.raises(client.exceptions.InternalServiceException) as caught:
        make_user()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert emulator.state()["users"] == []
    assert emulator.stats()["operations"]["CreateUser"]["faults"] == 1


def test_botocore_retries_injected_500s_up_to_its_attempt_budget(
    emulator: EmulatorHandle, ids: SeedIds
) -> None:
    emulator.configure(fault_rate=1.0)
    retrying = emulator.connect_client(max_attempts=3)
    with pytest.raises(retrying.exceptions.InternalServiceException):
        retrying.describe_instance(InstanceId=ids.instance)
    assert emulator.calls("DescribeInstance") == 3


def test_fault_draws_replay_after_a_reset_with_the_same_seed(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    def outcomes() -> list[bool]:
        emulator.configure(fault_rate=0.5, random_seed=7)
        results = []
        for _ in range(20):
            try:
                client.describe_instance(InstanceId=ids.instance)
                results.append(True)
            except client.exceptions.InternalServiceException:
                results.append(False)
        return results

    first = outcomes()
    emulator.reset()
    assert outcomes() == first
    assert True in first
    assert False in first


def test_a_dropped_reply_leaves_the_write_applied(
    emulator: EmulatorHandle, client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    emulator.configure(drop_rate=1.0)
    with pytest.raises(ConnectionClosedError):
        make_user("alice")
    (stored,) = emulator.state()["users"]
    assert stored["username"] == "alice"
    assert emulator.stats()["operations"]["CreateUser"]["dropped"] == 1
    # Reads are never dropped.
    assert client.describe_user(InstanceId=ids.instance, UserId=stored["id"])["User"]["Username"] == "alice"


def test_a_retried_create_whose_first_reply_was_lost_meets_its_own_user(
    emulator: EmulatorHandle, ids: SeedIds
) -> None:
    emulator.configure(drop_rate=1.0)
    retrying = emulator.connect_client(max_attempts=2)
    with pytest.raises(retrying.exceptions.DuplicateResourceException):
        retrying.create_user(
            InstanceId=ids.instance,
            Username="alice",
            SecurityProfileIds=[ids.agent],
            RoutingProfileId=ids.basic,
        )
    assert emulator.calls("CreateUser") == 2
    assert len(emulator.state()["users"]) == 1


def test_latency_is_added_to_each_call(emulator: EmulatorHandle, client: Any, ids: SeedIds) -> None:
    emulator.configure(latency_ms=120)
    started = time.monotonic()
    client.describe_instance(InstanceId=ids.instance)
    assert time.monotonic() - started >= 0.12
