"""Fixtures for the emulator's own tests: a one-attempt boto3 client and a user factory."""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds


@pytest.fixture
def client(emulator: EmulatorHandle) -> Any:
    return emulator.connect_client()


@pytest.fixture
def ids(emulator: EmulatorHandle) -> SeedIds:
    return SeedIds(
        instance=emulator.instance_id,
        admin=emulator.security_profile_id("Admin"),
        agent=emulator.security_profile_id("Agent"),
        manager=emulator.security_profile_id("CallCenterManager"),
        deactivated=emulator.security_profile_id("SCIM-Deactivated"),
        basic=emulator.routing_profile_id("Basic Routing Profile"),
        sales=emulator.routing_profile_id("Sales Routing Profile"),
        americas=emulator.hierarchy_group_id("Americas"),
        support=emulator.hierarchy_group_id("Support"),
        europe=emulator.hierarchy_group_id("Europe"),
    )


@pytest.fixture
def make_user(client: Any, ids: SeedIds) -> MakeUser:
    """``make_user("alice", **CreateUser overrides) -> UserId``; defaults: Agent, Basic Routing Profile."""

    def make(username: str = "alice", **overrides: Any) -> str:
        params: dict[str, Any] = {
            "InstanceId": ids.instance,
            "Username": username,
            "IdentityInfo": {"FirstName": "Alice", "LastName": "Doe"},
            "SecurityProfileIds": [ids.agent],
            "RoutingProfileId": ids.basic,
            **overrides,
        }
        user_id: str = client.create_user(**params)["UserId"]
        return user_id

    return make
