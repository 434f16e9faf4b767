"""A name resolver over fixed data and a stand-in for Connect's storage, for pure mapping tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.connect.model import ConnectUser
from runtime.mapping.codec import AssignmentRules, DesiredState, to_connect, to_scim
from runtime.mapping.plain import wrap_plain_patch, wrap_plain_values
from runtime.mapping.profiles import MappingProfile
from runtime.scim.patch import patch_resource
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import USER
from runtime.service.user_writes import full_tags, live_security_profile_ids

FIXTURES = Path(__file__).parent / "fixtures"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CONNECT = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"

SECURITY = {
    "Admin": "sp-admin",
    "Agent": "sp-agent",
    "CallCenterManager": "sp-ccm",
    "QualityAnalyst": "sp-qa",
    "SCIM-Deactivated": "sp-off",
}
ROUTING = {"Basic Routing Profile": "rp-basic", "Sales Routing Profile": "rp-sales"}
HIERARCHY = {"Americas": "hg-americas", "Support": "hg-support"}
RULES = AssignmentRules()


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


class FakeNames:
    """Exact match first, then a unique case-insensitive match (as the directory's NameIndex)."""

    def __init__(self) -> None:
        self.lookups = 0

    @staticmethod
    def _id(table: dict[str, str], name: str) -> str | None:
        if name in table:
            return table[name]
        folded = [value for key, value in table.items() if key.casefold() == name.casefold()]
        return folded[0] if len(folded) == 1 else None

    @staticmethod
    def _name(table: dict[str, str], item_id: str) -> str | None:
        return next((key for key, value in table.items() if value == item_id), None)

    def security_profile_id(self, name: str) -> str | None:
        return self._id(SECURITY, name)

    def security_profile_name(self, profile_id: str) -> str | None:
        return self._name(SECURITY, profile_id)

    def routing_profile_id(self, name: str) -> str | None:
        return self._id(ROUTING, name)

    def routing_profile_name(self, profile_id: str) -> str | None:
        return self._name(ROUTING, profile_id)

    def hierarchy_group_id(self, name: str) -> str | None:
        return self._id(HIERARCHY, name)

    def hierarchy_group_name(self, group_id: str) -> str | None:
        return self._name(HIERARCHY, group_id)


NAMES = FakeNames()


def stored(
    state: DesiredState, user_id: str = "u-1", extra_tags: dict[str, str] | None = None
) -> ConnectUser:
    """The user Connect would hold after creating ``state`` the way the service does."""
    tags = {**(extra_tags or {}), **full_tags(state, username=state.username, created="2024-01-01T00:00:00Z")}
    return ConnectUser(
        user_id=user_id,
        arn=f"arn:aws:connect:us-east-1:111122223333:instance/i/agent/{user_id}",
        username=state.username,
        first_name=state.first_name,
        last_name=state.last_name,
        mobile=state.mobile,
        security_profile_ids=live_security_profile_ids(state, SECURITY["SCIM-Deactivated"]),
        routing_profile_id=state.routing_profile_id,
        hierarchy_group_id=state.hierarchy_group_id,
        phone=state.phone,
        tags=tags,
    )


def create(
    body: dict[str, Any], profile: MappingProfile, rules: AssignmentRules = RULES
) -> tuple[DesiredState, ConnectUser]:
    desired = normalize_resource(wrap_plain_values(body, profile), USER, profile.policy)
    state = to_connect(desired, profile=profile, names=NAMES, rules=rules)
    return state, stored(state)


def render(user: ConnectUser, profile: MappingProfile, rules: AssignmentRules = RULES) -> dict[str, Any]:
    return to_scim(user, profile=profile, names=NAMES, rules=rules)


def patch(
    user: ConnectUser, body: dict[str, Any], profile: MappingProfile
) -> tuple[DesiredState, ConnectUser]:
    previous = render(user, profile)
    desired = patch_resource(previous, wrap_plain_patch(body, profile), USER, profile.policy)
    state = to_connect(desired, profile=profile, names=NAMES, rules=RULES, previous=previous, current=user)
    return state, stored(state, user.user_id)


def sent_attributes_read_back(
    sent: dict[str, Any], rendered: dict[str, Any], skip: tuple[str, ...] = ()
) -> list[str]:
    """Paths of attributes that were sent (and accepted) but read back differently."""
    differences: list[str] = []
    for key, value in sent.items():
        if key in ("schemas", "meta", "id", "groups", "password", *skip):
            continue
        if isinstance(value, dict) and key.startswith("urn:"):
            for sub_key, sub_value in value.items():
                if rendered.get(key, {}).get(sub_key) != sub_value:
                    differences.append(f"{key}:{sub_key}")
        elif value in ([], "", None):
            if key in rendered:
                differences.append(key)
        elif rendered.get(key) != value:
            differences.append(key)
    return differences
