"""What an operation handler works with, and the lookups every handler shares.

Handlers are plain functions ``(Context, params) -> output dict``: the wire layer has already read and
model-validated ``params``, and the caller holds the state lock for the whole call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.emulator.config import EmulatorConfig
from local.emulator.errors import not_found
from local.emulator.state import HierarchyGroup, RoutingProfile, SecurityProfile, State, User

DEFAULT_PAGE_SIZE = 100  # connect-api.md §1: List* operations answer 100 items when MaxResults is omitted


@dataclass
class Context:
    state: State
    config: EmulatorConfig
    now: float
    new_user_id: Callable[[], str]


Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]


def require_instance(ctx: Context, instance_id: str) -> None:
    if instance_id != ctx.state.instance.id:
        raise not_found(f"Instance {instance_id} not found")


def require_user(ctx: Context, params: dict[str, Any]) -> User:
    require_instance(ctx, params["InstanceId"])
    user = ctx.state.users.get(params["UserId"])
    if user is None:
        raise not_found(f"User {params['UserId']} not found in instance {params['InstanceId']}")
    return user


def require_security_profile(ctx: Context, profile_id: str) -> SecurityProfile:
    profile = ctx.state.security_profiles.get(profile_id)
    if profile is None:
        raise not_found(f"Security profile {profile_id} not found")
    return profile


def require_routing_profile(ctx: Context, profile_id: str) -> RoutingProfile:
    profile = ctx.state.routing_profiles.get(profile_id)
    if profile is None:
        raise not_found(f"Routing profile {profile_id} not found")
    return profile


def require_hierarchy_group(ctx: Context, group_id: str) -> HierarchyGroup:
    group = ctx.state.hierarchy_groups.get(group_id)
    if group is None:
        raise not_found(f"Hierarchy group {group_id} not found")
    return group


def page_size(params: dict[str, Any]) -> int:
    value = params.get("MaxResults")
    return DEFAULT_PAGE_SIZE if value is None else int(value)
