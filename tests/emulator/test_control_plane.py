"""The emulator's own HTTP control plane (ARCHITECTURE.md "Emulator control plane")."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle

from .helpers import MakeUser, SeedIds


def control(emulator: EmulatorHandle, method: str, name: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{emulator.url}/_emulator/{name}", data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_stats_count_every_call_per_operation_throttled_ones_included(
    emulator: EmulatorHandle, client: Any, ids: SeedIds, make_user: MakeUser
) -> None:
    make_user("one")
    with pytest.raises(client.exceptions.DuplicateResourceException):
        make_user("one")
    emulator.configure(rate=0.01, burst=1)
    client.describe_instance(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.describe_instance(InstanceId=ids.instance)

    status, stats = control(emulator, "GET", "stats")

    assert status == 200
    assert stats["instanceId"] == ids.instance
    assert stats["operations"]["CreateUser"]["calls"] == 2
    assert stats["operations"]["CreateUser"]["errors"] == 1
    assert stats["operations"]["DescribeInstance"]["calls"] == 2
    assert stats["operations"]["DescribeInstance"]["throttled"] == 1


def test_unknown_paths_are_not_counted_as_calls(emulator: EmulatorHandle) -> None:
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{emulator.url}/no/such/operation")
    assert control(emulator, "GET", "stats")[1]["operations"] == {}


def test_reset_restores_the_seed_and_clears_counters_but_keeps_config(
    emulator: EmulatorHandle, make_user: MakeUser
) -> None:
    make_user()
    emulator.configure(max_users=7)
    status, body = control(emulator, "POST", "reset")
    assert (status, body) == (200, {"instanceId": emulator.instance_id})
    assert emulator.state()["users"] == []
    assert emulator.stats()["operations"] == {}
    assert control(emulator, "GET", "config")[1]["max_users"] == 7


def test_config_changes_at_runtime_and_takes_effect(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    status, config = control(emulator, "POST", "config", {"rate": 0.01, "burst": 1})
    assert status == 200
    assert (config["rate"], config["burst"]) == (0.01, 1)
    client.describe_instance(InstanceId=ids.instance)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.describe_instance(InstanceId=ids.instance)
    control(emulator, "POST", "config", {"rate": 0})
    client.describe_instance(InstanceId=ids.instance)


def test_config_reads_back_every_runtime_setting(emulator: EmulatorHandle) -> None:
    status, config = control(emulator, "GET", "config")
    assert status == 200
    assert set(config) == {
        "rate",
        "burst",
        "per_operation_throttle",
        "fault_rate",
        "drop_rate",
        "latency_ms",
        "max_users",
        "username_unique_case_sensitive",
        "exact_search_case_insensitive",
        "random_seed",
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"port": 1}, "port"),
        ({"rate": -1}, "rate"),
        ({"burst": 0}, "burst"),
        ({"fault_rate": 1.5}, "fault_rate"),
        ({"drop_rate": "half"}, "drop_rate"),
        ({"max_users": True}, "max_users"),
        ({"exact_search_case_insensitive": "yes"}, "exact_search_case_insensitive"),
        ({"no_such_setting": 1}, "no_such_setting"),
    ],
)
def test_bad_config_is_refused_with_the_setting_named(
    emulator: EmulatorHandle, change: dict[str, Any], named: str
) -> None:
    status, body = control(emulator, "POST", "config", change)
    assert status == 400
    assert named in body["message"]
    assert control(emulator, "GET", "config")[1]["rate"] == 0


def test_bulk_seeding_ten_thousand_users_is_fast_and_not_counted(
    emulator: EmulatorHandle, client: Any, ids: SeedIds
) -> None:
    started = time.monotonic()
    status, body = control(emulator, "POST", "users", {"count": 10_000, "prefix": "bench-user-"})
    assert time.monotonic() - started < 5
    assert (status, body["created"], len(body["userIds"])) == (200, 10_000, 10_000)
    assert emulator.stats()["operations"] == {}
    user = client.describe_user(InstanceId=ids.instance, UserId=body["userIds"][41])["User"]
    assert user["Username"] == "bench-user-42"
    assert user["SecurityProfileIds"] == [ids.agent]
    assert user["RoutingProfileId"] == ids.basic


def test_bulk_seeded_users_count_against_the_quota_afterwards(
    emulator: EmulatorHandle, client: Any, make_user: MakeUser
) -> None:
    emulator.seed_users(count=500)
    with pytest.raises(client.exceptions.LimitExceededException):
        make_user()


def test_bulk_seeding_explicit_specs_with_a_template(emulator: EmulatorHandle, ids: SeedIds) -> None:
    status, body = control(
        emulator,
        "POST",
        "users",
        {
            "count": 2,
            "prefix": "sales-",
            "start": 10,
            "template": {"RoutingProfileId": ids.sales, "Tags": {"t": "1"}},
        },
    )
    assert (status, body["created"]) == (200, 2)
    stored = {u["username"]: u for u in emulator.state()["users"]}
    assert set(stored) == {"sales-10", "sales-11"}
    assert stored["sales-10"]["routingProfileId"] == ids.sales
    assert stored["sales-10"]["tags"] == {"t": "1"}
    ids_made = emulator.seed_users(users=[{"Username": "explicit", "HierarchyGroupId": ids.support}])
    assert len(ids_made) == 1


@pytest.mark.parametrize(
    "spec",
    [
        {"users": [{"Username": "fine"}, {"Username": "bad name"}]},
        {"users": [{"Username": "twin"}, {"Username": "TWIN"}]},
        {"users": [{"Username": "ok", "Colour": "blue"}]},
        {"users": [{"Username": "ok", "SecurityProfileIds": ["missing"]}]},
        {"count": -1},
        {"count": "ten"},
    ],
)
def test_a_bad_bulk_spec_adds_no_user_and_says_why(emulator: EmulatorHandle, spec: dict[str, Any]) -> None:
    status, body = control(emulator, "POST", "users", spec)
    assert status == 400
    assert body["message"]
    assert emulator.state()["users"] == []


def test_state_dump_shows_users_and_seed_catalog(emulator: EmulatorHandle, make_user: MakeUser) -> None:
    user_id = make_user("alice", Tags={"k": "v"})
    status, state = control(emulator, "GET", "state")
    assert status == 200
    assert [u["id"] for u in state["users"]] == [user_id]
    assert state["instance"]["identityManagementType"] == "SAML"
    assert {g["name"]: g["parentId"] for g in state["hierarchyGroups"]}["Support"] is not None


def test_unknown_control_endpoint_is_404(emulator: EmulatorHandle) -> None:
    status, body = control(emulator, "GET", "nothing-here")
    assert status == 404
    assert "nothing-here" in body["message"]
