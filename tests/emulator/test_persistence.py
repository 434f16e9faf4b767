"""``--state FILE``: state survives restarts, and no crash mid-write corrupts or loses it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.emulator import EmulatorConfig, EmulatorServer, StateFileError
from local.emulator.testing import EmulatorHandle

MINIMAL_STATE = {
    "account": "1",
    "region": "r",
    "instance": {"id": "i", "alias": "a", "identityManagementType": "SAML", "createdTime": 0},
}


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "connect-state.json"


def started(state_file: Path, **settings: Any) -> EmulatorHandle:
    server = EmulatorServer(EmulatorConfig(rate=0, state_path=state_file, **settings))
    server.start()
    return EmulatorHandle(server)


def create(handle: EmulatorHandle, username: str, **extra: Any) -> str:
    client = handle.connect_client()
    user_id: str = client.create_user(
        InstanceId=handle.instance_id,
        Username=username,
        SecurityProfileIds=[handle.security_profile_id("Agent")],
        RoutingProfileId=handle.routing_profile_id("Basic Routing Profile"),
        **extra,
    )["UserId"]
    return user_id


def test_a_new_state_file_starts_from_the_seed(state_file: Path) -> None:
    handle = started(state_file)
    try:
        document = json.loads(state_file.read_text())
        assert document["instance"]["id"] == handle.instance_id
        assert document["users"] == []
    finally:
        handle.server.stop()


def test_users_and_tags_survive_a_restart(state_file: Path) -> None:
    first = started(state_file)
    try:
        user_id = create(first, "alice", Tags={"scim:externalId": "00u1"})
        first.connect_client().tag_resource(
            resourceArn=f"arn:aws:connect:us-east-1:123456789012:instance/{first.instance_id}/agent/{user_id}",
            tags={"scim:active": "false"},
        )
    finally:
        first.server.stop()

    second = started(state_file)
    try:
        user = second.connect_client().describe_user(InstanceId=second.instance_id, UserId=user_id)["User"]
        assert user["Username"] == "alice"
        assert user["Tags"] == {"scim:externalId": "00u1", "scim:active": "false"}
        with pytest.raises(second.connect_client().exceptions.DuplicateResourceException):
            create(second, "ALICE")
    finally:
        second.server.stop()


def test_generated_ids_do_not_collide_with_persisted_users_after_restart(state_file: Path) -> None:
    first = started(state_file)
    try:
        earlier = create(first, "alice")
    finally:
        first.server.stop()
    second = started(state_file)  # same random seed: the id generator replays from the start
    try:
        assert create(second, "bob") != earlier
    finally:
        second.server.stop()


def test_a_stray_half_written_temp_file_is_never_read(state_file: Path) -> None:
    first = started(state_file)
    try:
        user_id = create(first, "alice")
    finally:
        first.server.stop()
    (state_file.parent / f".{state_file.name}.crash.tmp").write_text('{"account": "trunc')

    second = started(state_file)
    try:
        assert [u["id"] for u in second.state()["users"]] == [user_id]
    finally:
        second.server.stop()


def test_a_crash_between_write_and_rename_keeps_the_previous_state(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = started(state_file)
    try:
        kept = create(handle, "alice")
        before = state_file.read_text()

        def crash(self: Path, target: Any) -> Path:
            raise OSError(5, "simulated crash before the rename")

        monkeypatch.setattr(Path, "replace", crash)
        client = handle.connect_client()
        with pytest.raises(client.exceptions.InternalServiceException):
            create(handle, "bob")
        monkeypatch.undo()

        assert state_file.read_text() == before
        assert [u["id"] for u in json.loads(before)["users"]] == [kept]
        assert not [p for p in state_file.parent.iterdir() if p.name.endswith(".tmp")]
    finally:
        handle.server.stop()


def test_reset_rewrites_the_state_file_to_the_seed(state_file: Path) -> None:
    handle = started(state_file)
    try:
        create(handle, "alice")
        handle.reset()
        assert json.loads(state_file.read_text())["users"] == []
    finally:
        handle.server.stop()


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{not json", "not a JSON document"),
        ('{"account": "1", "region": "us-east-1"}', "instance"),
        (json.dumps({**MINIMAL_STATE, "users": [{"id": 3}]}), "users[0].id"),
    ],
)
def test_a_corrupt_state_file_refuses_to_start_and_says_where(
    state_file: Path, content: str, named: str
) -> None:
    state_file.write_text(content)
    with pytest.raises(StateFileError, match=r"connect-state\.json") as caught:
        EmulatorServer(EmulatorConfig(state_path=state_file))
    assert named in str(caught.value)
    assert state_file.read_text() == content


def test_a_custom_seed_file_replaces_the_packaged_one(tmp_path: Path) -> None:
    packaged = json.loads((Path(__file__).parents[2] / "local/emulator/seed.json").read_text())
    packaged["instance"]["alias"] = "another-alias"
    packaged["securityProfiles"] = packaged["securityProfiles"][:2]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(packaged))
    server = EmulatorServer(EmulatorConfig(seed_path=seed))
    document = server.emulator.state_document()
    server.stop()
    assert document["instance"]["alias"] == "another-alias"
    assert [p["name"] for p in document["securityProfiles"]] == ["Admin", "Agent"]
