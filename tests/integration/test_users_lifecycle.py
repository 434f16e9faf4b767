"""Deactivation, reactivation, replays and PUT semantics, checked in Connect's own state too."""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect.model import Throttled
from runtime.scim.errors import NotFound, ServiceUnavailable, TooManyRequests, Uniqueness
from runtime.service.base import ListQuery

from .helpers import CONNECT, CORE, ENTERPRISE, Budget, UsersFactory, patch_body, user_body

DEACTIVATE = patch_body({"op": "replace", "value": {"active": False}})
REACTIVATE = patch_body({"op": "replace", "value": {"active": True}})


def _connect_user(emulator: EmulatorHandle, user_id: str) -> dict[str, Any]:
    user: dict[str, Any] = emulator.connect_client().describe_user(
        InstanceId=emulator.instance_id, UserId=user_id
    )["User"]
    return user


def _profile_names(emulator: EmulatorHandle, user_id: str) -> set[str]:
    ids = set(_connect_user(emulator, user_id)["SecurityProfileIds"])
    names = {"Admin", "Agent", "CallCenterManager", "QualityAnalyst", "SCIM-Deactivated"}
    return {name for name in names if emulator.security_profile_id(name) in ids}


def test_disable_swaps_in_the_no_permission_profile_and_reads_back_what_the_idp_sent(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    entitlements = [{"value": "Agent"}, {"value": "QualityAnalyst"}]
    created = service.create(user_body(entitlements=entitlements))
    off = service.patch(created["id"], DEACTIVATE)
    assert _profile_names(emulator, created["id"]) == {"SCIM-Deactivated"}
    again = service.get(created["id"])
    assert again["active"] is False and off["active"] is False
    assert again["entitlements"] == entitlements  # round trip: the IdP reads back what it sent
    assert again[CONNECT]["securityProfiles"] == ["Agent", "QualityAnalyst"]


def test_reactivation_restores_the_remembered_profiles(users: UsersFactory, emulator: EmulatorHandle) -> None:
    service = users("okta")
    created = service.create(user_body(entitlements=[{"value": "CallCenterManager"}, {"value": "Agent"}]))
    service.patch(created["id"], DEACTIVATE)
    on = service.patch(created["id"], REACTIVATE)
    assert on["active"] is True
    assert _profile_names(emulator, created["id"]) == {"Agent", "CallCenterManager"}
    tags = _connect_user(emulator, created["id"])["Tags"]
    assert not tags.get("scim:active") and not tags.get("scim:savedSecurityProfileIds")


def test_profile_changes_while_inactive_change_the_remembered_set_not_live_access(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    created = service.create(user_body(entitlements=[{"value": "Agent"}]))
    service.patch(created["id"], DEACTIVATE)
    changed = service.patch(
        created["id"], patch_body({"op": "replace", "path": "entitlements", "value": [{"value": "Admin"}]})
    )
    assert changed["entitlements"] == [{"value": "Admin"}] and changed["active"] is False
    assert _profile_names(emulator, created["id"]) == {"SCIM-Deactivated"}
    service.patch(created["id"], REACTIVATE)
    assert _profile_names(emulator, created["id"]) == {"Admin"}


def test_a_user_created_inactive_has_no_access_until_activated(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    created = service.create(user_body(active=False, entitlements=[{"value": "QualityAnalyst"}]))
    assert created["active"] is False
    assert _profile_names(emulator, created["id"]) == {"SCIM-Deactivated"}
    service.patch(created["id"], REACTIVATE)
    assert _profile_names(emulator, created["id"]) == {"QualityAnalyst"}


def test_delete_mode_deletes_on_deactivation_and_get_then_404s(users: UsersFactory, budget: Budget) -> None:
    service = users("entra", deactivation="delete")
    created = service.create(user_body())
    with budget.measure() as calls:
        off = service.patch(created["id"], patch_body({"op": "Replace", "path": "active", "value": "False"}))
    assert off["active"] is False
    assert calls == {"DescribeUser": 1, "DeleteUser": 1}
    with pytest.raises(NotFound):
        service.get(created["id"])


def test_a_failed_profile_swap_during_deactivation_is_repaired_by_the_idps_retry(
    users: UsersFactory, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = users("okta")
    created = service.create(user_body(entitlements=[{"value": "Agent"}]))
    real = service.directory.update_security_profiles

    def throttled(*args: Any, **kwargs: Any) -> None:
        raise Throttled("quota", retry_after=2)

    monkeypatch.setattr(service.directory, "update_security_profiles", throttled)
    with pytest.raises(TooManyRequests):
        service.patch(created["id"], DEACTIVATE)
    # The remembered profiles were written first, so nothing is lost.
    assert service.get(created["id"])["entitlements"] == [{"value": "Agent"}]
    monkeypatch.setattr(service.directory, "update_security_profiles", real)
    service.patch(created["id"], DEACTIVATE)
    assert _profile_names(emulator, created["id"]) == {"SCIM-Deactivated"}
    service.patch(created["id"], REACTIVATE)
    assert _profile_names(emulator, created["id"]) == {"Agent"}


def test_a_failed_tag_write_during_reactivation_keeps_the_user_inactive_until_the_retry(
    users: UsersFactory, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = users("okta")
    created = service.create(user_body(entitlements=[{"value": "Agent"}]))
    service.patch(created["id"], DEACTIVATE)

    def throttled(*args: Any, **kwargs: Any) -> None:
        raise Throttled("quota", retry_after=2)

    monkeypatch.setattr(service.directory, "untag_user", throttled)
    with pytest.raises(TooManyRequests):
        service.patch(created["id"], REACTIVATE)
    assert service.get(created["id"])["active"] is False
    monkeypatch.undo()
    assert service.patch(created["id"], REACTIVATE)["active"] is True
    assert _profile_names(emulator, created["id"]) == {"Agent"}


def test_a_post_replayed_after_a_lost_response_returns_the_same_user(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    body = user_body("replay@example.com", externalId="00u-replay", title="Lead")
    first = service.create(body)
    again = service.create(body)
    assert again["id"] == first["id"]
    assert emulator.calls("CreateUser") == 1


def test_a_post_clashing_with_another_idp_user_is_409(users: UsersFactory) -> None:
    service = users("okta")
    service.create(user_body("clash@example.com", externalId="00u-one"))
    with pytest.raises(Uniqueness):
        service.create(user_body("clash@example.com", externalId="00u-two"))


def test_put_keeps_connect_settings_the_body_leaves_out_and_clears_other_attributes(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta")
    created = service.create(
        user_body(
            entitlements=[{"value": "QualityAnalyst"}],
            roles=[{"value": "Sales Routing Profile"}],
            title="Lead",
            **{"schemas": [CORE, CONNECT], CONNECT: {"hierarchyGroup": "Support", "autoAccept": True}},
        )
    )
    replaced = service.replace(created["id"], user_body(displayName="Alice S."))
    assert "title" not in replaced and replaced["displayName"] == "Alice S."
    assert replaced["entitlements"] == [{"value": "QualityAnalyst"}]
    assert replaced["roles"] == [{"value": "Sales Routing Profile"}]
    assert replaced[CONNECT]["hierarchyGroup"] == "Support" and replaced[CONNECT]["autoAccept"] is True
    assert service.get(created["id"]) == {**replaced, "meta": service.get(created["id"])["meta"]}


def test_patch_remove_of_hierarchy_clears_it_in_connect(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("generic")
    created = service.create(
        user_body(**{"schemas": [CORE, CONNECT], CONNECT: {"hierarchyGroup": "Support"}})
    )
    assert _connect_user(emulator, created["id"])["HierarchyGroupId"] == emulator.hierarchy_group_id(
        "Support"
    )
    service.patch(created["id"], patch_body({"op": "remove", "path": f"{CONNECT}:hierarchyGroup"}))
    assert not _connect_user(emulator, created["id"]).get("HierarchyGroupId")


def test_okta_user_created_without_entitlements_gets_the_defaults_and_reads_back_without_them(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta", default_security_profiles=("Agent", "QualityAnalyst"))
    created = service.create(user_body())
    assert _profile_names(emulator, created["id"]) == {"Agent", "QualityAnalyst"}
    again = service.get(created["id"])
    assert "entitlements" not in again and "securityProfiles" not in again[CONNECT]
    assert "roles" not in again and "routingProfile" not in again[CONNECT]


def test_entra_department_names_the_security_profiles_and_reads_back_as_sent(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("entra")
    body = user_body(**{"schemas": [CORE, ENTERPRISE], ENTERPRISE: {"department": "Agent, QualityAnalyst"}})
    created = service.create(body)
    assert _profile_names(emulator, created["id"]) == {"Agent", "QualityAnalyst"}
    assert service.get(created["id"])[ENTERPRISE]["department"] == "Agent, QualityAnalyst"
    path = f"{ENTERPRISE}:department"
    service.patch(created["id"], patch_body({"op": "Replace", "path": path, "value": "CallCenterManager"}))
    assert _profile_names(emulator, created["id"]) == {"CallCenterManager"}
    assert service.get(created["id"])[ENTERPRISE]["department"] == "CallCenterManager"


def test_a_change_made_in_the_connect_console_wins_over_a_remembered_form(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("entra")
    body = user_body(**{"schemas": [CORE, ENTERPRISE], ENTERPRISE: {"department": "agent , qualityanalyst"}})
    created = service.create(body)
    assert service.get(created["id"])[ENTERPRISE]["department"] == "agent , qualityanalyst"
    emulator.connect_client().update_user_security_profiles(
        InstanceId=emulator.instance_id,
        UserId=created["id"],
        SecurityProfileIds=[emulator.security_profile_id("Admin")],
    )
    assert service.get(created["id"])[ENTERPRISE]["department"] == "Admin"


def test_users_listed_without_filter_come_back_in_username_order_with_their_attributes(
    users: UsersFactory,
) -> None:
    service = users("okta")
    for name in ("carol@example.com", "alice@example.com", "bob@example.com"):
        service.create(user_body(name, title=f"title of {name}"))
    page = service.list(ListQuery(filter=None, start_index=2, count=2))
    assert page.total == 3
    assert [(r["userName"], r["title"]) for r in page.resources] == [
        ("bob@example.com", "title of bob@example.com"),
        ("carol@example.com", "title of carol@example.com"),
    ]


def test_a_removed_desk_phone_number_reads_back_absent_although_connect_keeps_it(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("generic")
    extension = {"phoneType": "DESK_PHONE", "deskPhoneNumber": "+14155550100"}
    created = service.create(user_body(**{"schemas": [CORE, CONNECT], CONNECT: extension}))
    path = f"{CONNECT}:"
    soft = patch_body(
        {"op": "replace", "path": path + "phoneType", "value": "SOFT_PHONE"},
        {"op": "remove", "path": path + "deskPhoneNumber"},
    )
    assert "deskPhoneNumber" not in service.patch(created["id"], soft)[CONNECT]
    assert "deskPhoneNumber" not in service.get(created["id"])[CONNECT]
    again = patch_body({"op": "add", "path": path + "deskPhoneNumber", "value": "+14155550199"})
    assert service.patch(created["id"], again)[CONNECT]["deskPhoneNumber"] == "+14155550199"
    assert _connect_user(emulator, created["id"])["PhoneConfig"]["DeskPhoneNumber"] == "+14155550199"


def test_extension_attributes_are_only_shown_when_sent_or_changed_from_the_defaults(
    users: UsersFactory,
) -> None:
    service = users("generic")
    created = service.create(user_body())
    assert "securityProfiles" not in created[CONNECT]
    added = service.patch(
        created["id"],
        patch_body({"op": "add", "path": f"{CONNECT}:securityProfiles", "value": ["QualityAnalyst"]}),
    )
    assert added[CONNECT]["securityProfiles"] == ["QualityAnalyst"]  # not merged into unseen defaults


def test_a_create_user_reply_lost_in_transit_is_retried_without_a_duplicate_or_a_409(
    users: UsersFactory, emulator: EmulatorHandle
) -> None:
    service = users("okta", max_attempts=2)
    service.create(user_body("warm@example.com"))  # warm the caches: only CreateUser is a write below
    emulator.configure(drop_rate=1.0)
    created = service.create(user_body("lost.reply@example.com"))
    emulator.configure(drop_rate=0.0)
    assert created["userName"] == "lost.reply@example.com"
    assert service.get(created["id"])["id"] == created["id"]
    stats = emulator.stats()["operations"]["CreateUser"]
    assert (stats["calls"], stats["dropped"]) == (3, 1)  # warm-up, dropped attempt, retry meeting it


def test_a_write_whose_reply_was_lost_is_503_and_the_retry_finds_nothing_left_to_do(
    users: UsersFactory, emulator: EmulatorHandle, budget: Budget
) -> None:
    service = users("okta", max_attempts=1)
    created = service.create(user_body())
    emulator.configure(drop_rate=1.0)
    change = patch_body({"op": "replace", "path": "name.familyName", "value": "Jones"})
    with pytest.raises(ServiceUnavailable):
        service.patch(created["id"], change)
    emulator.configure(drop_rate=0.0)
    with budget.measure() as calls:
        assert service.patch(created["id"], change)["name"]["familyName"] == "Jones"
    assert calls == {"DescribeUser": 1}
