"""SearchUsers / SearchSecurityProfiles / SearchRoutingProfiles criteria and filters.

A request's criteria tree and filter are compiled once into a predicate (so a malformed request is
refused even when nothing would match) and then applied to every candidate.

Semantics the documentation leaves open, and what the emulator does:
- EXACT is case-sensitive unless ``exact_search_case_insensitive``; CONTAINS and STARTS_WITH ignore
  case (how the admin website's search behaves).
- Each criteria node and each filter holds exactly one member; AND/OR lists must not be empty.
- A multi-valued field (a user's SecurityProfileIds) matches when any of its values matches.
- Tag conditions compare keys and values exactly; a condition without TagValue matches the key alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from local.emulator.errors import ACCESS_DENIED, ConnectError, invalid_parameter, invalid_request

T = TypeVar("T")
Predicate = Callable[[T], bool]

# ControlPlaneUserAttributeFilter documents these ceilings.
MAX_ATTRIBUTE_TAG_CONDITIONS = 25
MAX_ATTRIBUTE_HIERARCHY_CONDITIONS = 20


@dataclass(frozen=True)
class SearchSpec(Generic[T]):
    """What a resource type exposes to search: its string fields, tags and (users only) hierarchy."""

    fields: Mapping[str, Callable[[T], Iterable[str]]]
    tags: Callable[[T], Mapping[str, str]]
    exact_case_insensitive: bool
    hierarchy_path: Callable[[T], list[str]] | None = None


def _only_member(node: Any, path: str, allowed: Iterable[str]) -> tuple[str, Any]:
    if not isinstance(node, dict):
        raise invalid_parameter(f"{path} must be an object")
    present = [(key, value) for key, value in node.items() if value is not None]
    if len(present) != 1:
        raise invalid_parameter(f"{path} must hold exactly one of {', '.join(allowed)}")
    return present[0]


def _non_empty_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise invalid_parameter(f"{path} must be a non-empty list")
    return value


def compile_request(params: Mapping[str, Any], spec: SearchSpec[T]) -> Predicate[T]:
    """One predicate for a Search* request: its SearchCriteria AND its SearchFilter, either optional."""
    criteria, search_filter = params.get("SearchCriteria"), params.get("SearchFilter")
    parts = [compile_criteria(criteria, spec)] if criteria is not None else []
    if search_filter is not None:
        parts.append(compile_search_filter(search_filter, spec))
    return lambda item: all(part(item) for part in parts)


# ------------------------------------------------------------------------------------------- criteria


def compile_criteria(node: Any, spec: SearchSpec[T], path: str = "SearchCriteria") -> Predicate[T]:
    members = ["OrConditions", "AndConditions", "StringCondition"]
    if spec.hierarchy_path is not None:
        members += ["ListCondition", "HierarchyGroupCondition"]
    name, value = _only_member(node, path, members)
    if name in ("OrConditions", "AndConditions"):
        parts = [
            compile_criteria(child, spec, f"{path}.{name}[{index}]")
            for index, child in enumerate(_non_empty_list(value, f"{path}.{name}"))
        ]
        if name == "OrConditions":
            return lambda item: any(part(item) for part in parts)
        return lambda item: all(part(item) for part in parts)
    if name == "StringCondition":
        return _string_condition(value, spec, f"{path}.StringCondition")
    if name == "HierarchyGroupCondition":
        return _hierarchy_condition(value, spec, f"{path}.HierarchyGroupCondition")
    raise invalid_request(
        f"{path}.ListCondition (user proficiencies) is not emulated by connect-scim's emulator"
    )


def _string_condition(node: dict[str, Any], spec: SearchSpec[T], path: str) -> Predicate[T]:
    field_name, wanted, comparison = node.get("FieldName"), node.get("Value"), node.get("ComparisonType")
    if not isinstance(field_name, str) or field_name not in spec.fields:
        raise invalid_parameter(f"{path}.FieldName must be one of {', '.join(spec.fields)}")
    if not isinstance(wanted, str):
        raise invalid_parameter(f"{path}.Value is required")
    if comparison is None:
        raise invalid_parameter(f"{path}.ComparisonType is required")
    values_of = spec.fields[field_name]
    matches = _comparator(comparison, wanted, spec.exact_case_insensitive)
    return lambda item: any(matches(value) for value in values_of(item))


def _comparator(comparison: str, wanted: str, exact_case_insensitive: bool) -> Callable[[str], bool]:
    folded = wanted.casefold()
    if comparison == "EXACT":
        if exact_case_insensitive:
            return lambda value: value.casefold() == folded
        return lambda value: value == wanted
    if comparison == "CONTAINS":
        return lambda value: folded in value.casefold()
    return lambda value: value.casefold().startswith(folded)


def _hierarchy_condition(node: Any, spec: SearchSpec[T], path: str) -> Predicate[T]:
    hierarchy_path = spec.hierarchy_path
    if hierarchy_path is None or not isinstance(node, dict):
        raise invalid_parameter(f"{path} is not supported here")
    group_id, match_type = node.get("Value"), node.get("HierarchyGroupMatchType")
    if not isinstance(group_id, str) or not group_id:
        raise invalid_parameter(f"{path}.Value (a hierarchy group id) is required")
    if match_type is None:
        raise invalid_parameter(f"{path}.HierarchyGroupMatchType is required")
    if match_type == "EXACT":
        return lambda item: hierarchy_path(item)[-1:] == [group_id]
    return lambda item: group_id in hierarchy_path(item)


# -------------------------------------------------------------------------------------------- filters


def compile_search_filter(node: Any, spec: SearchSpec[T]) -> Predicate[T]:
    """A SearchFilter: TagFilter, or (SearchUsers only) UserAttributeFilter, never both."""
    if not isinstance(node, dict):
        raise invalid_parameter("SearchFilter must be an object")
    tag_filter, attribute_filter = node.get("TagFilter"), node.get("UserAttributeFilter")
    if tag_filter is not None and attribute_filter is not None:
        # The SearchUsers documentation names this error for the combination.
        raise ConnectError(ACCESS_DENIED, "SearchFilter cannot combine TagFilter and UserAttributeFilter")
    if tag_filter is not None:
        return _tag_filter(tag_filter, spec)
    if attribute_filter is not None:
        return _attribute_filter(attribute_filter, spec)
    return lambda item: True


def _tag_filter(node: Any, spec: SearchSpec[T]) -> Predicate[T]:
    path = "SearchFilter.TagFilter"
    name, value = _only_member(node, path, ["OrConditions", "AndConditions", "TagCondition"])
    if name == "TagCondition":
        return _tag_condition(value, spec, f"{path}.TagCondition")
    if name == "AndConditions":
        return _tag_and(value, spec, f"{path}.AndConditions")
    groups = [
        _tag_and(group, spec, f"{path}.OrConditions[{index}]")
        for index, group in enumerate(_non_empty_list(value, f"{path}.OrConditions"))
    ]
    return lambda item: any(group(item) for group in groups)


def _tag_and(conditions: Any, spec: SearchSpec[T], path: str) -> Predicate[T]:
    parts = [
        _tag_condition(condition, spec, f"{path}[{index}]")
        for index, condition in enumerate(_non_empty_list(conditions, path))
    ]
    return lambda item: all(part(item) for part in parts)


def _tag_condition(node: Any, spec: SearchSpec[T], path: str) -> Predicate[T]:
    if not isinstance(node, dict) or not isinstance(node.get("TagKey"), str) or not node["TagKey"]:
        raise invalid_parameter(f"{path}.TagKey is required")
    key, value = node["TagKey"], node.get("TagValue")
    if value is None:
        return lambda item: key in spec.tags(item)
    return lambda item: spec.tags(item).get(key) == value


def _attribute_filter(node: Any, spec: SearchSpec[T]) -> Predicate[T]:
    path = "SearchFilter.UserAttributeFilter"
    name, value = _only_member(
        node, path, ["OrConditions", "AndCondition", "TagCondition", "HierarchyGroupCondition"]
    )
    if name == "TagCondition":
        return _tag_condition(value, spec, f"{path}.TagCondition")
    if name == "HierarchyGroupCondition":
        return _hierarchy_condition(value, spec, f"{path}.HierarchyGroupCondition")
    and_nodes = [value] if name == "AndCondition" else _non_empty_list(value, f"{path}.OrConditions")
    tag_count = sum(len(item.get("TagConditions") or []) for item in and_nodes if isinstance(item, dict))
    hierarchy_count = sum(
        1 for item in and_nodes if isinstance(item, dict) and item.get("HierarchyGroupCondition") is not None
    )
    if tag_count > MAX_ATTRIBUTE_TAG_CONDITIONS:
        raise invalid_parameter(f"{path} allows at most {MAX_ATTRIBUTE_TAG_CONDITIONS} tag conditions")
    if hierarchy_count > MAX_ATTRIBUTE_HIERARCHY_CONDITIONS:
        raise invalid_parameter(
            f"{path} allows at most {MAX_ATTRIBUTE_HIERARCHY_CONDITIONS} hierarchy group conditions"
        )
    groups = [_attribute_and(item, spec, f"{path}.{name}") for item in and_nodes]
    return lambda item: any(group(item) for group in groups)


def _attribute_and(node: Any, spec: SearchSpec[T], path: str) -> Predicate[T]:
    if not isinstance(node, dict):
        raise invalid_parameter(f"{path} must be an object")
    parts: list[Predicate[T]] = []
    if node.get("TagConditions") is not None:
        parts.append(_tag_and(node["TagConditions"], spec, f"{path}.TagConditions"))
    if node.get("HierarchyGroupCondition") is not None:
        parts.append(
            _hierarchy_condition(node["HierarchyGroupCondition"], spec, f"{path}.HierarchyGroupCondition")
        )
    if not parts:
        raise invalid_parameter(f"{path} must hold TagConditions or a HierarchyGroupCondition")
    return lambda item: all(part(item) for part in parts)
