"""The instance, the catalog users point at (security/routing profiles, hierarchy groups) and tagging.

The product resolves profile names to ids through these (List*/Search*), discovers the instance with
ListInstances, and keeps SCIM attributes Connect lacks in user tags (TagResource/UntagResource).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from local.emulator.context import Context, Handler, page_size, require_instance, require_security_profile
from local.emulator.errors import INVALID_PARAMETER, invalid_parameter, invalid_request, not_found
from local.emulator.paging import SortKey, paginate
from local.emulator.search import SearchSpec, compile_request
from local.emulator.state import HierarchyGroup, RoutingProfile, SecurityProfile

MAX_TAGS_PER_RESOURCE = 50  # connect-api.md §1: a tag map holds at most 50 entries
_RESOURCE_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):connect:(?P<region>[^:]*):(?P<account>[^:]*):instance/(?P<instance>[^/]+)"
    r"(?:/(?P<kind>[a-z-]+)/(?P<id>[^/]+))?"
)


class _Named(Protocol):
    id: str
    name: str
    last_modified: float


def _name_key(item: _Named) -> SortKey:
    return (item.name.casefold(), item.name, item.id)


def _page_of(items: Sequence[Any], params: dict[str, Any], error_code: str) -> tuple[list[Any], str | None]:
    ordered = sorted(items, key=_name_key)
    return paginate(ordered, _name_key, page_size(params), params.get("NextToken"), error_code)


# -------------------------------------------------------------------------------------------- instance


def _instance_view(ctx: Context, with_tags: bool) -> dict[str, Any]:
    state = ctx.state
    instance = state.instance
    view: dict[str, Any] = {
        "Id": instance.id,
        "Arn": state.instance_arn,
        "IdentityManagementType": instance.identity_management_type,
        "InstanceAlias": instance.alias,
        "CreatedTime": instance.created_time,
        "ServiceRole": (
            f"arn:aws:iam::{state.account}:role/aws-service-role/connect.amazonaws.com/"
            f"AWSServiceRoleForAmazonConnect_{instance.id[:20].replace('-', '')}"
        ),
        "InstanceStatus": "ACTIVE",
        "InboundCallsEnabled": True,
        "OutboundCallsEnabled": True,
        "InstanceAccessUrl": f"https://{instance.alias}.my.connect.aws",
    }
    if with_tags and instance.tags:
        view["Tags"] = dict(instance.tags)
    return view


def list_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("NextToken") is not None:
        # One instance always fits on the first page, so no token this operation returned exists.
        raise invalid_request("NextToken is not a token this operation returned")
    return {"InstanceSummaryList": [_instance_view(ctx, with_tags=False)]}


def describe_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    return {"Instance": _instance_view(ctx, with_tags=True)}


# ------------------------------------------------------------------------------------ security profiles


def _security_profile_full(ctx: Context, profile: SecurityProfile) -> dict[str, Any]:
    return {
        "Id": profile.id,
        "OrganizationResourceId": ctx.state.instance.id,
        "Arn": ctx.state.security_profile_arn(profile.id),
        "SecurityProfileName": profile.name,
        "Description": profile.description,
        "Tags": dict(profile.tags) or None,
        "Type": profile.type,
    }


def _summary(ctx: Context, item: _Named, arn: str) -> dict[str, Any]:
    """The summary every List* of named instance resources returns (profiles, hierarchy groups)."""
    return {
        "Id": item.id,
        "Arn": arn,
        "Name": item.name,
        "LastModifiedTime": item.last_modified,
        "LastModifiedRegion": ctx.state.region,
    }


def list_security_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    page, token = _page_of(list(ctx.state.security_profiles.values()), params, INVALID_PARAMETER)
    summaries = [
        {**_summary(ctx, profile, ctx.state.security_profile_arn(profile.id)), "Type": profile.type}
        for profile in page
    ]
    return {"SecurityProfileSummaryList": summaries, "NextToken": token}


def describe_security_profile(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    profile = require_security_profile(ctx, params["SecurityProfileId"])
    view = _security_profile_full(ctx, profile)
    view.update(LastModifiedTime=profile.last_modified, LastModifiedRegion=ctx.state.region)
    return {"SecurityProfile": view}


def search_security_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    # SecurityProfileSearchCriteria documents "name" as the only searchable field.
    spec: SearchSpec[SecurityProfile] = SearchSpec(
        fields={"name": lambda profile: [profile.name]},
        tags=lambda profile: profile.tags,
        exact_case_insensitive=ctx.config.exact_search_case_insensitive,
    )
    found = _search(ctx, params, spec, list(ctx.state.security_profiles.values()))
    page, token = _page_of(found, params, INVALID_PARAMETER)
    return {
        "SecurityProfiles": [_security_profile_full(ctx, profile) for profile in page],
        "NextToken": token,
        "ApproximateTotalCount": len(found),
    }


def _search(ctx: Context, params: dict[str, Any], spec: SearchSpec[Any], items: list[Any]) -> list[Any]:
    matches = compile_request(params, spec)
    require_instance(ctx, params["InstanceId"])
    return list(filter(matches, items))


# ------------------------------------------------------------------------------------- routing profiles


def list_routing_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    page, token = _page_of(list(ctx.state.routing_profiles.values()), params, INVALID_PARAMETER)
    summaries = [_summary(ctx, profile, ctx.state.routing_profile_arn(profile.id)) for profile in page]
    return {"RoutingProfileSummaryList": summaries, "NextToken": token}


def _routing_profile_view(ctx: Context, profile: RoutingProfile) -> dict[str, Any]:
    """The ``RoutingProfile`` shape as SearchRoutingProfiles fills it (no LastModified*, no timers)."""
    users = sum(1 for user in ctx.state.users.values() if user.routing_profile_id == profile.id)
    return {
        "InstanceId": ctx.state.instance.id,
        "Name": profile.name,
        "RoutingProfileArn": ctx.state.routing_profile_arn(profile.id),
        "RoutingProfileId": profile.id,
        "Description": profile.description,
        "MediaConcurrencies": [{"Channel": "VOICE", "Concurrency": 1}],
        "DefaultOutboundQueueId": profile.default_outbound_queue_id,
        "Tags": dict(profile.tags) or None,
        "NumberOfAssociatedQueues": len(profile.associated_queue_ids),
        "NumberOfAssociatedUsers": users,
        "IsDefault": profile.is_default,
        "AssociatedQueueIds": list(profile.associated_queue_ids),
    }


def search_routing_profiles(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    # RoutingProfileSearchCriteria documents these field names, "resourceID" spelt as here.
    spec: SearchSpec[RoutingProfile] = SearchSpec(
        fields={
            "associatedQueueIds": lambda profile: profile.associated_queue_ids,
            "name": lambda profile: [profile.name],
            "description": lambda profile: [profile.description],
            "resourceID": lambda profile: [profile.id],
        },
        tags=lambda profile: profile.tags,
        exact_case_insensitive=ctx.config.exact_search_case_insensitive,
    )
    found = _search(ctx, params, spec, list(ctx.state.routing_profiles.values()))
    page, token = _page_of(found, params, INVALID_PARAMETER)
    return {
        "RoutingProfiles": [_routing_profile_view(ctx, profile) for profile in page],
        "NextToken": token,
        "ApproximateTotalCount": len(found),
    }


# ------------------------------------------------------------------------------------------- hierarchy


def list_user_hierarchy_groups(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_instance(ctx, params["InstanceId"])
    groups: list[HierarchyGroup] = list(ctx.state.hierarchy_groups.values())
    page, token = _page_of(groups, params, INVALID_PARAMETER)
    summaries = [_summary(ctx, group, ctx.state.hierarchy_group_arn(group.id)) for group in page]
    return {"UserHierarchyGroupSummaryList": summaries, "NextToken": token}


# ------------------------------------------------------------------------------------------------ tags


def _tags_of(ctx: Context, arn: str) -> dict[str, str]:
    """The live tag map of the resource an ARN names (the instance, a user, a profile or a group)."""
    state = ctx.state
    parsed = _RESOURCE_ARN.fullmatch(arn)
    if parsed is None:
        raise invalid_parameter("resourceArn is not an Amazon Connect resource ARN")
    if (parsed["account"], parsed["region"], parsed["instance"]) != (
        state.account,
        state.region,
        state.instance.id,
    ):
        raise not_found("No resource with this ARN exists")
    kind, resource_id = parsed["kind"], parsed["id"]
    if kind is None:
        return state.instance.tags
    collections: dict[str, dict[str, Any]] = {
        "agent": state.users,
        "security-profile": state.security_profiles,
        "routing-profile": state.routing_profiles,
        "agent-group": state.hierarchy_groups,
    }
    resource = collections.get(kind, {}).get(resource_id)
    if resource is None:
        raise not_found("No resource with this ARN exists")
    tags: dict[str, str] = resource.tags
    return tags


def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, params["resourceArn"])
    merged = {**tags, **params["tags"]}
    if len(merged) > MAX_TAGS_PER_RESOURCE:
        raise invalid_parameter(f"A resource can hold at most {MAX_TAGS_PER_RESOURCE} tags")
    tags.update(params["tags"])
    _touch(ctx, params["resourceArn"])
    return {}


def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, params["resourceArn"])
    for key in params["tagKeys"]:
        tags.pop(key, None)
    _touch(ctx, params["resourceArn"])
    return {}


def _touch(ctx: Context, arn: str) -> None:
    parsed = _RESOURCE_ARN.fullmatch(arn)
    if parsed is not None and parsed["kind"] == "agent":
        ctx.state.users[parsed["id"]].last_modified = ctx.now


def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(_tags_of(ctx, params["resourceArn"]))}


HANDLERS: dict[str, Handler] = {
    "ListInstances": list_instances,
    "DescribeInstance": describe_instance,
    "ListSecurityProfiles": list_security_profiles,
    "DescribeSecurityProfile": describe_security_profile,
    "SearchSecurityProfiles": search_security_profiles,
    "ListRoutingProfiles": list_routing_profiles,
    "SearchRoutingProfiles": search_routing_profiles,
    "ListUserHierarchyGroups": list_user_hierarchy_groups,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
