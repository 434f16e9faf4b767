"""User operations: create, describe, list, search, the Update* calls and delete.

Shapes follow the model: DescribeUser answers the full ``User``; SearchUsers answers
``UserSearchSummary`` as the service does (first/last name only, no e-mail or mobile, no
LastModified*, AfterContactWorkTimeLimit in milliseconds).
"""

from __future__ import annotations

import copy
from typing import Any

from local.emulator.context import (
    Context,
    Handler,
    page_size,
    require_hierarchy_group,
    require_instance,
    require_routing_profile,
    require_security_profile,
    require_user,
)
from local.emulator.errors import DUPLICATE, INVALID_PARAMETER, LIMIT_EXCEEDED, ConnectError
from local.emulator.paging import SortKey, paginate
from local.emulator.rules import (
    CHANNEL_LISTS,
    DEFAULT_PHONE_CONFIG,
    check_channel_lists,
    check_identity_info,
    check_identity_management,
    check_phone_config,
    check_username,
)
from local.emulator.search import SearchSpec, compile_request
from local.emulator.state import State, User

SEARCH_FIELDS = ("Username", "FirstName", "LastName", "RoutingProfileId", "SecurityProfileId", "resourceId")


def user_sort_key(user: User) -> SortKey:
    return (user.username.casefold(), user.username, user.id)


# ------------------------------------------------------------------------------------------- create


def build_user(ctx: Context, params: dict[str, Any]) -> User:
    """A new user from CreateUser's input, after every rule CreateUser applies except the quota."""
    state = ctx.state
    require_instance(ctx, params["InstanceId"])
    identity_type = state.instance.identity_management_type
    check_identity_management(params, identity_type)
    check_username(params["Username"], identity_type)
    identity = params.get("IdentityInfo") or {}
    check_identity_info(identity, identity_type, "IdentityInfo")
    check_channel_lists(params)
    phone = {**DEFAULT_PHONE_CONFIG, **(params.get("PhoneConfig") or {})}
    check_phone_config(phone, "PhoneConfig")
    profile_ids = list(dict.fromkeys(params["SecurityProfileIds"]))
    for profile_id in profile_ids:
        require_security_profile(ctx, profile_id)
    require_routing_profile(ctx, params["RoutingProfileId"])
    if params.get("HierarchyGroupId") is not None:
        require_hierarchy_group(ctx, params["HierarchyGroupId"])
    if state.users_named(params["Username"]):
        raise ConnectError(
            DUPLICATE, f"A user with this Username already exists in instance {state.instance.id}"
        )
    return User(
        id=ctx.new_user_id(),
        username=params["Username"],
        identity_info={key: value for key, value in identity.items() if value is not None},
        phone_config=phone,
        security_profile_ids=profile_ids,
        routing_profile_id=params["RoutingProfileId"],
        hierarchy_group_id=params.get("HierarchyGroupId"),
        last_modified=ctx.now,
        tags=dict(params.get("Tags") or {}),
        channel_configs={name: copy.deepcopy(params[name]) for name in CHANNEL_LISTS if params.get(name)},
    )


def insert_user(ctx: Context, user: User, enforce_quota: bool = True) -> None:
    if enforce_quota and len(ctx.state.users) >= ctx.config.max_users:
        raise ConnectError(
            LIMIT_EXCEEDED,
            f"The users-per-instance quota ({ctx.config.max_users}) is reached for this instance",
        )
    ctx.state.add_user(user)


def create_user(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user = build_user(ctx, params)
    insert_user(ctx, user)
    return {"UserId": user.id, "UserArn": ctx.state.user_arn(user.id)}


# --------------------------------------------------------------------------------------------- read


def user_view(state: State, user: User) -> dict[str, Any]:
    """The model's ``User`` shape, as DescribeUser answers it."""
    view: dict[str, Any] = {
        "Id": user.id,
        "Arn": state.user_arn(user.id),
        "Username": user.username,
        "IdentityInfo": dict(user.identity_info),
        "PhoneConfig": dict(user.phone_config),
        "SecurityProfileIds": list(user.security_profile_ids),
        "RoutingProfileId": user.routing_profile_id,
        "HierarchyGroupId": user.hierarchy_group_id,
        "Tags": dict(user.tags) or None,
        "LastModifiedTime": user.last_modified,
        "LastModifiedRegion": state.region,
    }
    view.update(copy.deepcopy(user.channel_configs))
    return view


def search_view(state: State, user: User) -> dict[str, Any]:
    """The model's ``UserSearchSummary``: what SearchUsers leaves out matters to the product."""
    phone = dict(user.phone_config)
    if phone.get("AfterContactWorkTimeLimit") is not None:
        phone["AfterContactWorkTimeLimit"] = phone["AfterContactWorkTimeLimit"] * 1000
    lite = {key: user.identity_info[key] for key in ("FirstName", "LastName") if key in user.identity_info}
    view: dict[str, Any] = {
        "Id": user.id,
        "Arn": state.user_arn(user.id),
        "Username": user.username,
        "IdentityInfo": lite,
        "PhoneConfig": phone,
        "SecurityProfileIds": list(user.security_profile_ids),
        "RoutingProfileId": user.routing_profile_id,
        "HierarchyGroupId": user.hierarchy_group_id,
        "Tags": dict(user.tags) or None,
    }
    view.update(copy.deepcopy(user.channel_configs))
    return view


def describe_user(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"User": user_view(ctx.state, require_user(ctx, params))}


def list_users(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    users = sorted(ctx.state.users.values(), key=user_sort_key)
    page, token = paginate(
        users, user_sort_key, page_size(params), params.get("NextToken"), INVALID_PARAMETER
    )
    summaries = [
        {
            "Id": user.id,
            "Arn": ctx.state.user_arn(user.id),
            "Username": user.username,
            "LastModifiedTime": user.last_modified,
            "LastModifiedRegion": ctx.state.region,
        }
        for user in page
    ]
    return {"UserSummaryList": summaries, "NextToken": token}


def user_search_spec(ctx: Context) -> SearchSpec[User]:
    state = ctx.state
    return SearchSpec(
        fields={
            "Username": lambda user: [user.username],
            "FirstName": lambda user: [user.identity_info.get("FirstName", "")],
            "LastName": lambda user: [user.identity_info.get("LastName", "")],
            "RoutingProfileId": lambda user: [user.routing_profile_id],
            "SecurityProfileId": lambda user: user.security_profile_ids,
            "resourceId": lambda user: [user.id],
        },
        tags=lambda user: user.tags,
        exact_case_insensitive=ctx.config.exact_search_case_insensitive,
        hierarchy_path=lambda user: (
            state.hierarchy_path(user.hierarchy_group_id) if user.hierarchy_group_id else []
        ),
    )


def search_users(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    matches = compile_request(params, user_search_spec(ctx))
    require_instance(ctx, params["InstanceId"])
    found = sorted(filter(matches, ctx.state.users.values()), key=user_sort_key)
    page, token = paginate(
        found, user_sort_key, page_size(params), params.get("NextToken"), INVALID_PARAMETER
    )
    return {
        "Users": [search_view(ctx.state, user) for user in page],
        "NextToken": token,
        "ApproximateTotalCount": len(found),
    }


# ------------------------------------------------------------------------------------------- update


def update_identity_info(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Replaces the whole identity block: members left out are cleared (connect-api.md §2 notes)."""
    user = require_user(ctx, params)
    identity = params["IdentityInfo"]
    check_identity_info(identity, ctx.state.instance.identity_management_type, "IdentityInfo")
    user.identity_info = {key: value for key, value in identity.items() if value is not None}
    user.last_modified = ctx.now
    return {}


def update_security_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Replaces the whole set; Connect has no add/remove call."""
    user = require_user(ctx, params)
    profile_ids = list(dict.fromkeys(params["SecurityProfileIds"]))
    for profile_id in profile_ids:
        require_security_profile(ctx, profile_id)
    user.security_profile_ids = profile_ids
    user.last_modified = ctx.now
    return {}


def update_routing_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user = require_user(ctx, params)
    require_routing_profile(ctx, params["RoutingProfileId"])
    user.routing_profile_id = params["RoutingProfileId"]
    user.last_modified = ctx.now
    return {}


def update_hierarchy(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Without HierarchyGroupId the user leaves their group (the model makes the member optional)."""
    user = require_user(ctx, params)
    group_id = params.get("HierarchyGroupId")
    if group_id is not None:
        require_hierarchy_group(ctx, group_id)
    user.hierarchy_group_id = group_id
    user.last_modified = ctx.now
    return {}


def update_phone_config(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Members given replace the stored ones; no member is required in this model."""
    user = require_user(ctx, params)
    merged = {**user.phone_config, **{k: v for k, v in params["PhoneConfig"].items() if v is not None}}
    check_phone_config(merged, "PhoneConfig")
    user.phone_config = merged
    user.last_modified = ctx.now
    return {}


def delete_user(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user = require_user(ctx, params)
    ctx.state.remove_user(user.id)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "DescribeUser": describe_user,
    "ListUsers": list_users,
    "SearchUsers": search_users,
    "UpdateUserIdentityInfo": update_identity_info,
    "UpdateUserSecurityProfiles": update_security_profiles,
    "UpdateUserRoutingProfile": update_routing_profile,
    "UpdateUserHierarchy": update_hierarchy,
    "UpdateUserPhoneConfig": update_phone_config,
    "DeleteUser": delete_user,
}
