"""What the emulated Connect account holds: one instance, its profiles, hierarchy and users.

The same JSON document is the seed file (``--seed``), the persisted state (``--state``) and the
``GET /_emulator/state`` dump, so a dump can be edited and fed back as a seed. Callers hold the
emulator's lock around every read and write; nothing here is thread-safe on its own.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGED_SEED = Path(__file__).with_name("seed.json")
PARTITION = "aws"


class StateFileError(Exception):
    """A seed or state file cannot be read as emulator state; the message says which entry is wrong."""


@dataclass
class Instance:
    id: str
    alias: str
    identity_management_type: str
    created_time: float
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class SecurityProfile:
    id: str
    name: str
    description: str
    type: str
    last_modified: float
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class RoutingProfile:
    id: str
    name: str
    description: str
    default_outbound_queue_id: str
    is_default: bool
    associated_queue_ids: list[str]
    last_modified: float
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class HierarchyGroup:
    id: str
    name: str
    level_id: str
    parent_id: str | None
    last_modified: float
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class User:
    id: str
    username: str
    identity_info: dict[str, str]
    phone_config: dict[str, Any]
    security_profile_ids: list[str]
    routing_profile_id: str
    hierarchy_group_id: str | None
    last_modified: float
    tags: dict[str, str] = field(default_factory=dict)
    channel_configs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per-channel settings by CreateUser member name (AutoAcceptConfigs, ...), echoed as sent."""


@dataclass
class State:
    account: str
    region: str
    instance: Instance
    security_profiles: dict[str, SecurityProfile]
    routing_profiles: dict[str, RoutingProfile]
    hierarchy_groups: dict[str, HierarchyGroup]
    users: dict[str, User]
    username_case_sensitive: bool = False
    _by_username: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index_usernames(self.username_case_sensitive)

    # ----------------------------------------------------------------------------------------- ARNs

    @property
    def instance_arn(self) -> str:
        return f"arn:{PARTITION}:connect:{self.region}:{self.account}:instance/{self.instance.id}"

    def user_arn(self, user_id: str) -> str:
        return f"{self.instance_arn}/agent/{user_id}"

    def security_profile_arn(self, profile_id: str) -> str:
        return f"{self.instance_arn}/security-profile/{profile_id}"

    def routing_profile_arn(self, profile_id: str) -> str:
        return f"{self.instance_arn}/routing-profile/{profile_id}"

    def hierarchy_group_arn(self, group_id: str) -> str:
        return f"{self.instance_arn}/agent-group/{group_id}"

    # ---------------------------------------------------------------------------------- hierarchy

    def hierarchy_path(self, group_id: str) -> list[str]:
        """The group's ancestors from the root down, the group itself last (what WITH_CHILD_GROUPS
        matches on)."""
        path: list[str] = []
        current: str | None = group_id
        while current is not None and current in self.hierarchy_groups and current not in path:
            path.append(current)
            current = self.hierarchy_groups[current].parent_id
        return path[::-1]

    # --------------------------------------------------------------------------------- usernames

    def username_key(self, username: str) -> str:
        return username if self.username_case_sensitive else username.casefold()

    def index_usernames(self, case_sensitive: bool) -> None:
        """Rebuild the uniqueness index under a (possibly new) case rule."""
        self.username_case_sensitive = case_sensitive
        self._by_username = {}
        for user in self.users.values():
            self._by_username.setdefault(self.username_key(user.username), set()).add(user.id)

    def users_named(self, username: str) -> set[str]:
        return set(self._by_username.get(self.username_key(username), set()))

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        self._by_username.setdefault(self.username_key(user.username), set()).add(user.id)

    def remove_user(self, user_id: str) -> User:
        user = self.users.pop(user_id)
        holders = self._by_username.get(self.username_key(user.username), set())
        holders.discard(user_id)
        if not holders:
            self._by_username.pop(self.username_key(user.username), None)
        return user

    # ---------------------------------------------------------------------------------------- JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "instance": {
                "id": self.instance.id,
                "alias": self.instance.alias,
                "identityManagementType": self.instance.identity_management_type,
                "createdTime": self.instance.created_time,
                "tags": dict(self.instance.tags),
            },
            "securityProfiles": [
                {
                    "id": p.id,
                    "name": p.name,
                    "description": p.description,
                    "type": p.type,
                    "tags": dict(p.tags),
                    "lastModifiedTime": p.last_modified,
                }
                for p in self.security_profiles.values()
            ],
            "routingProfiles": [
                {
                    "id": p.id,
                    "name": p.name,
                    "description": p.description,
                    "defaultOutboundQueueId": p.default_outbound_queue_id,
                    "isDefault": p.is_default,
                    "associatedQueueIds": list(p.associated_queue_ids),
                    "tags": dict(p.tags),
                    "lastModifiedTime": p.last_modified,
                }
                for p in self.routing_profiles.values()
            ],
            "hierarchyGroups": [
                {
                    "id": g.id,
                    "name": g.name,
                    "levelId": g.level_id,
                    "parentId": g.parent_id,
                    "tags": dict(g.tags),
                    "lastModifiedTime": g.last_modified,
                }
                for g in self.hierarchy_groups.values()
            ],
            "users": [
                {
                    "id": u.id,
                    "username": u.username,
                    "identityInfo": dict(u.identity_info),
                    "phoneConfig": dict(u.phone_config),
                    "securityProfileIds": list(u.security_profile_ids),
                    "routingProfileId": u.routing_profile_id,
                    "hierarchyGroupId": u.hierarchy_group_id,
                    "tags": dict(u.tags),
                    "channelConfigs": copy.deepcopy(u.channel_configs),
                    "lastModifiedTime": u.last_modified,
                }
                for u in self.users.values()
            ],
        }

    @classmethod
    def from_json(cls, document: Any, username_case_sensitive: bool = False) -> State:
        """Read a seed/state document, refusing it with the entry at fault rather than half-loading."""
        root = _Reader(document, "$")
        inst = root.obj("instance")
        instance = Instance(
            id=inst.text("id"),
            alias=inst.text("alias"),
            identity_management_type=inst.text("identityManagementType"),
            created_time=inst.number("createdTime"),
            tags=inst.tags(),
        )
        state = cls(
            account=root.text("account"),
            region=root.text("region"),
            instance=instance,
            security_profiles={},
            routing_profiles={},
            hierarchy_groups={},
            users={},
            username_case_sensitive=username_case_sensitive,
        )
        for item in root.items("securityProfiles"):
            profile = SecurityProfile(
                id=item.text("id"),
                name=item.text("name"),
                description=item.text("description", ""),
                type=item.text("type", "CUSTOMER_MANAGED"),
                last_modified=item.number("lastModifiedTime"),
                tags=item.tags(),
            )
            state.security_profiles[profile.id] = profile
        for item in root.items("routingProfiles"):
            routing = RoutingProfile(
                id=item.text("id"),
                name=item.text("name"),
                description=item.text("description", ""),
                default_outbound_queue_id=item.text("defaultOutboundQueueId"),
                is_default=item.flag("isDefault"),
                associated_queue_ids=item.texts("associatedQueueIds"),
                last_modified=item.number("lastModifiedTime"),
                tags=item.tags(),
            )
            state.routing_profiles[routing.id] = routing
        for item in root.items("hierarchyGroups"):
            group = HierarchyGroup(
                id=item.text("id"),
                name=item.text("name"),
                level_id=item.text("levelId"),
                parent_id=item.optional_text("parentId"),
                last_modified=item.number("lastModifiedTime"),
                tags=item.tags(),
            )
            state.hierarchy_groups[group.id] = group
        for group in state.hierarchy_groups.values():
            if group.parent_id is not None and group.parent_id not in state.hierarchy_groups:
                raise StateFileError(f"hierarchy group {group.id} names an unknown parent {group.parent_id}")
        for item in root.items("users"):
            user = User(
                id=item.text("id"),
                username=item.text("username"),
                identity_info=item.string_map("identityInfo"),
                phone_config=item.obj("phoneConfig").raw,
                security_profile_ids=item.texts("securityProfileIds"),
                routing_profile_id=item.text("routingProfileId"),
                hierarchy_group_id=item.optional_text("hierarchyGroupId"),
                last_modified=item.number("lastModifiedTime"),
                tags=item.tags(),
                channel_configs=item.obj("channelConfigs", {}).raw,
            )
            state.add_user(user)
        return state


def load_state_file(path: Path, username_case_sensitive: bool = False) -> State:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StateFileError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"{path} is not a JSON document: {exc}") from None
    try:
        return State.from_json(document, username_case_sensitive)
    except StateFileError as exc:
        raise StateFileError(f"{path}: {exc}") from None


class _Reader:
    """Typed access to one JSON object of a seed/state document, naming the entry on a bad value."""

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict):
            raise StateFileError(f"{where} must be an object")
        self.raw: dict[str, Any] = raw
        self.where = where

    def _get(self, key: str, default: Any = None, required: bool = True) -> Any:
        if key not in self.raw:
            if required and default is None:
                raise StateFileError(f"{self.where}.{key} is missing")
            return default
        return self.raw[key]

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise StateFileError(f"{self.where}.{key} must be a string")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self._get(key, required=False)
        if value is not None and not isinstance(value, str):
            raise StateFileError(f"{self.where}.{key} must be a string or null")
        return value

    def number(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise StateFileError(f"{self.where}.{key} must be a number")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise StateFileError(f"{self.where}.{key} must be true or false")
        return value

    def texts(self, key: str) -> list[str]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise StateFileError(f"{self.where}.{key} must be a list of strings")
        return list(value)

    def string_map(self, key: str) -> dict[str, str]:
        value = self._get(key, {})
        if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
            raise StateFileError(f"{self.where}.{key} must map strings to strings")
        return dict(value)

    def tags(self) -> dict[str, str]:
        return self.string_map("tags")

    def obj(self, key: str, default: dict[str, Any] | None = None) -> _Reader:
        return _Reader(self._get(key, default), f"{self.where}.{key}")

    def items(self, key: str) -> list[_Reader]:
        value = self._get(key, [])
        if not isinstance(value, list):
            raise StateFileError(f"{self.where}.{key} must be a list")
        return [_Reader(item, f"{self.where}.{key}[{index}]") for index, item in enumerate(value)]
