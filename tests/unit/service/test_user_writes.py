"""Only changed facets are written, in the order that lets a retried request repair a half-done one."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser, PhoneConfig
from runtime.mapping import tags as t
from runtime.mapping.codec import DesiredState
from runtime.service.user_writes import plan_writes, user_after

OFF = "sp-off"


class Recorder:
    """Stands in for the directory: records which write was called, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args[1] if len(args) > 1 else kwargs))

        return record


CURRENT = ConnectUser(
    user_id="u-1",
    arn="arn:u-1",
    username="alice",
    first_name="Alice",
    last_name="Smith",
    security_profile_ids=("sp-agent",),
    routing_profile_id="rp-basic",
    tags={t.USERNAME_KEY: "alice", "scim:title": "Lead", "team": "blue"},
)
SAME = DesiredState(
    username="alice",
    first_name="Alice",
    last_name="Smith",
    mobile=None,
    security_profile_ids=("sp-agent",),
    routing_profile_id="rp-basic",
    hierarchy_group_id=None,
    phone=PhoneConfig(),
    active=True,
    tags={"scim:title": "Lead"},
)


def run(current: ConnectUser, state: DesiredState) -> list[tuple[str, Any]]:
    recorder = Recorder()
    for write in plan_writes(cast(ConnectDirectory, recorder), current, state, OFF):
        write.run()
    return recorder.calls


def names(calls: list[tuple[str, Any]]) -> list[str]:
    return [name for name, _ in calls]


def test_an_unchanged_user_needs_no_write() -> None:
    assert run(CURRENT, SAME) == []


def test_each_changed_facet_is_one_call() -> None:
    state = dataclasses.replace(
        SAME,
        last_name="Jones",
        routing_profile_id="rp-sales",
        hierarchy_group_id="hg-support",
        phone=PhoneConfig(auto_accept=True),
        security_profile_ids=("sp-agent", "sp-qa"),
        tags={"scim:title": "Boss"},
    )
    assert names(run(CURRENT, state)) == [
        "update_identity_info",
        "update_routing_profile",
        "update_hierarchy",
        "update_phone_config",
        "update_security_profiles",
        "tag_user",
    ]


def test_security_profile_order_does_not_count_as_a_change() -> None:
    current = dataclasses.replace(CURRENT, security_profile_ids=("sp-qa", "sp-agent"))
    assert run(current, dataclasses.replace(SAME, security_profile_ids=("sp-agent", "sp-qa"))) == []


def test_deactivation_writes_the_memory_before_swapping_profiles() -> None:
    calls = run(CURRENT, dataclasses.replace(SAME, active=False))
    assert names(calls) == ["tag_user", "update_security_profiles"]
    tagged = calls[0][1]
    assert tagged[t.ACTIVE] == "false" and tagged[t.SAVED_SECURITY_PROFILES] == "sp-agent"
    assert calls[1][1] == (OFF,)


def test_reactivation_restores_profiles_before_clearing_the_memory() -> None:
    inactive = dataclasses.replace(
        CURRENT,
        security_profile_ids=(OFF,),
        tags={**CURRENT.tags, t.ACTIVE: "false", t.SAVED_SECURITY_PROFILES: "sp-agent sp-qa"},
    )
    calls = run(inactive, dataclasses.replace(SAME, security_profile_ids=("sp-agent", "sp-qa")))
    assert names(calls) == ["update_security_profiles", "untag_user"]
    assert set(calls[1][1]) == {t.ACTIVE, t.SAVED_SECURITY_PROFILES}


def test_a_change_that_only_removes_tags_is_one_untag() -> None:
    calls = run(CURRENT, dataclasses.replace(SAME, tags={}))
    assert calls == [("untag_user", {"scim:title"})]


def test_additions_and_removals_ride_in_one_tag_call_as_empty_values() -> None:
    calls = run(CURRENT, dataclasses.replace(SAME, tags={"scim:nickName": "Al"}))
    # The mobile mirror rides along in a tag write made anyway (CURRENT predates it).
    assert calls == [("tag_user", {"scim:nickName": "Al", "scim:title": "", t.MOBILE: t.NO_MOBILE})]


def test_leftover_empty_tags_are_untagged_when_they_would_exceed_fifty() -> None:
    crowded = dataclasses.replace(CURRENT, tags={**CURRENT.tags, **{f"scim:old{i}": "" for i in range(48)}})
    calls = run(crowded, dataclasses.replace(SAME, tags={"scim:title": "Lead", "scim:nickName": "Al"}))
    assert names(calls) == ["untag_user", "tag_user"]
    assert set(calls[0][1]) == {f"scim:old{i}" for i in range(48)}
    assert calls[1][1] == {"scim:nickName": "Al", t.MOBILE: t.NO_MOBILE}


def test_the_user_after_writes_keeps_foreign_tags_and_the_new_state() -> None:
    after = user_after(CURRENT, dataclasses.replace(SAME, active=False), OFF)
    assert after.security_profile_ids == (OFF,)
    assert after.tags["team"] == "blue" and after.tags[t.ACTIVE] == "false"
