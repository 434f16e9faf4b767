"""Group member changes as pure data: which users a request names, and what it adds and removes.

A Group's members are the users holding its security profile, and finding them all costs a
SearchUsers per 500 members; reading each named user costs one DescribeUser. So a PATCH is
applied to the part of the group it can see:

* **Named members** — the ids in ``add`` values, in Entra's ``remove`` value lists and in
  ``members[value eq "..."]`` paths (Okta's remove). Each is read once (the read the write needs
  anyway), and the request is applied by the protocol's PATCH engine to a group holding just
  those of them that are members. What the engine leaves is the new membership of the named
  users; nobody else can change, so nobody else is read.
* **Every member** — a ``replace`` of ``members``, a ``remove`` of ``members`` without value, a
  path reaching into every member (``members.display``) or a value filter other than
  ``value eq`` joined by ``and``/``or`` depends on who the other members are: those requests
  search the members first and then run the same way over all of them.

Either way the result is compared with the members before (``diff``), so unchanged users are
never written, and the whole request is checked — every added id must be a Connect user — before
any user is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from runtime.scim.errors import InvalidValue
from runtime.scim.filter import And, Comparison, Filter, Or, ValuePathFilter, get_key
from runtime.scim.patch import PatchOperation
from runtime.scim.values import is_unassigned

MAX_NAMED_MEMBERS = 1000  # a 64 KiB body cannot name many more ids; values.MAX_MULTI_VALUES


@dataclass(frozen=True)
class MemberDiff:
    """Users to add to and remove from a group, in request order."""

    added: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def diff(before: Iterable[str], after: Iterable[str]) -> MemberDiff:
    """What turns membership ``before`` into ``after`` (each user once, order kept)."""
    old = tuple(dict.fromkeys(before))
    new = tuple(dict.fromkeys(after))
    old_set, new_set = set(old), set(new)
    return MemberDiff(
        added=tuple(item for item in new if item not in old_set),
        removed=tuple(item for item in old if item not in new_set),
    )


def member_ids(members: Any, where: str = "members") -> tuple[str, ...]:
    """The user ids of a validated ``members`` list; groups cannot be members of a profile."""
    if members is None:
        return ()
    if not isinstance(members, list):
        raise InvalidValue(f"'{where}' is multi-valued: send a JSON array")
    ids: list[str] = []
    for index, member in enumerate(members):
        value = member.get("value") if isinstance(member, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise InvalidValue(f"'{where}[{index}].value' must be the id of a user")
        kind = member.get("type")
        if isinstance(kind, str) and kind.casefold() != "user":
            raise InvalidValue(
                f"'{where}[{index}]' is a {kind}: a group is an Amazon Connect security profile, "
                "whose members can only be users"
            )
        ids.append(value)
    return tuple(dict.fromkeys(ids))


def needs_every_member(operations: Iterable[PatchOperation]) -> bool:
    """Whether applying ``operations`` depends on members the request does not name."""
    return any(_needs_every_member(operation) for operation in operations)


def named_ids(operations: Iterable[PatchOperation]) -> tuple[str, ...]:
    """Every user id the operations name, in order (values and ``value eq`` filters)."""
    found: list[str] = []
    for operation in operations:
        if operation.path is None:
            if isinstance(operation.value, dict):
                found.extend(_ids_in(get_key(operation.value, "members")))
            continue
        if operation.path.path.attribute != "members":
            continue
        if operation.path.filter is not None:
            found.extend(_filter_ids(operation.path.filter))
        if operation.path.path.sub_attribute is None:
            found.extend(_ids_in(operation.value))
    unique = tuple(dict.fromkeys(found))
    if len(unique) > MAX_NAMED_MEMBERS:
        raise InvalidValue(f"a request may name at most {MAX_NAMED_MEMBERS} members")
    return unique


def _needs_every_member(operation: PatchOperation) -> bool:
    if operation.path is None:
        members = get_key(operation.value, "members") if isinstance(operation.value, dict) else None
        return operation.op == "replace" and members is not None
    path, flt = operation.path.path, operation.path.filter
    if path.attribute != "members":
        return False
    if flt is not None:
        return not _value_eq_only(flt)
    if path.sub_attribute is not None:
        return True  # "members.display" addresses every member
    if operation.op == "add":
        return False
    # Entra's remove with a value list names its targets; replace, or remove without one, does not.
    return not (operation.op == "remove" and operation.has_value and not is_unassigned(operation.value))


def _value_eq_only(node: Filter) -> bool:
    """A value filter that selects members by id alone: ``value eq "x"`` joined by and/or."""
    if isinstance(node, And | Or):
        return _value_eq_only(node.left) and _value_eq_only(node.right)
    return (
        isinstance(node, Comparison)
        and node.op == "eq"
        and isinstance(node.value, str)
        and node.path.sub_attribute == "value"
    )


def _filter_ids(node: Filter) -> list[str]:
    if isinstance(node, And | Or):
        return _filter_ids(node.left) + _filter_ids(node.right)
    if isinstance(node, ValuePathFilter):
        return _filter_ids(node.filter)
    if isinstance(node, Comparison) and node.path.sub_attribute == "value" and isinstance(node.value, str):
        return [node.value]
    return []


def _ids_in(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        member = get_key(item, "value") if isinstance(item, dict) else item
        if isinstance(member, str) and member:
            found.append(member)
    return found
