"""The directory against the emulator over real boto3: what the service relies on from each method."""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect.client import connect_client
from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import InstanceUserLimit, NewUser, PhoneConfig, Throttled

from .helpers import boto_session


@pytest.fixture
def directory(emulator: EmulatorHandle) -> ConnectDirectory:
    client = connect_client(endpoint_url=emulator.url, max_attempts=3, session=boto_session())
    return ConnectDirectory(client, emulator.instance_id)


def _new(emulator: EmulatorHandle, username: str, **extra: Any) -> NewUser:
    return NewUser(
        username=username,
        security_profile_ids=(emulator.security_profile_id("Agent"),),
        routing_profile_id=emulator.routing_profile_id("Basic Routing Profile"),
        **extra,
    )


def test_search_and_describe_agree_on_after_contact_work_seconds(
    directory: ConnectDirectory, emulator: EmulatorHandle
) -> None:
    created = directory.create_user(
        _new(emulator, "acw.user", phone=PhoneConfig(after_contact_work_time_limit=45), tags={"scim:k": "v"})
    )
    [found] = directory.find_by_tag("scim:k", "v")
    assert found.phone.after_contact_work_time_limit == 45  # SearchUsers said 45000 ms
    assert directory.describe_user(created.user_id).phone.after_contact_work_time_limit == 45


def test_users_holding_a_security_profile_are_paged(
    directory: ConnectDirectory, emulator: EmulatorHandle
) -> None:
    qa = emulator.security_profile_id("QualityAnalyst")
    emulator.seed_users(users=[{"Username": f"qa.{i}", "SecurityProfileIds": [qa]} for i in range(7)])
    emulator.seed_users(count=5)
    first = directory.search_by_security_profile(qa, max_results=5)
    second = directory.search_by_security_profile(qa, next_token=first.next_token, max_results=5)
    assert first.approximate_total == 7 and second.next_token is None
    assert sorted(u.username for u in first.users + second.users) == [f"qa.{i}" for i in range(7)]


def test_hierarchy_is_set_and_cleared(directory: ConnectDirectory, emulator: EmulatorHandle) -> None:
    created = directory.create_user(_new(emulator, "tree.user"))
    directory.update_hierarchy(created.user_id, emulator.hierarchy_group_id("Support"))
    assert directory.describe_user(created.user_id).hierarchy_group_id == emulator.hierarchy_group_id(
        "Support"
    )
    directory.update_hierarchy(created.user_id, None)
    assert directory.describe_user(created.user_id).hierarchy_group_id is None


def test_an_empty_tag_value_reads_as_cleared(directory: ConnectDirectory, emulator: EmulatorHandle) -> None:
    created = directory.create_user(_new(emulator, "tag.user", tags={"scim:title": "Lead"}))
    directory.tag_user(created.arn, {"scim:title": ""})
    assert not directory.describe_user(created.user_id).tags.get("scim:title")
    assert directory.find_by_tag("scim:title", "Lead") == []


def test_the_users_quota_is_reported_after_one_create_user_even_with_retries(
    directory: ConnectDirectory, emulator: EmulatorHandle
) -> None:
    emulator.configure(max_users=0)
    with pytest.raises(InstanceUserLimit):
        directory.create_user(_new(emulator, "one.too.many"))
    assert emulator.calls("CreateUser") == 1


def test_create_user_throttling_is_still_retried(
    directory: ConnectDirectory, emulator: EmulatorHandle
) -> None:
    emulator.configure(rate=0.01, burst=1)
    emulator.connect_client().list_instances()  # spend the burst
    with pytest.raises(Throttled):
        directory.create_user(_new(emulator, "throttled.user"))
    assert emulator.stats()["operations"]["CreateUser"]["throttled"] == 3
