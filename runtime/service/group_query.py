"""Which ``GET /Groups`` filters can be answered, and how, without searching every group's members.

The groups themselves (security profile ids and names) come from the cached profile list, so any
comparison on ``id``, ``displayName`` or ``externalId`` is evaluated in memory at no Connect
cost. Membership is the expensive part, so a filter may ask about members only by user id —
``members[value eq "<id>"]`` or ``members.value eq "<id>"`` (also inside ``and``/``or``/``not``),
which is what IdPs send to check one user's membership. Each id named is read once
(DescribeUser, at most ``MAX_MEMBER_REFERENCES``); every group is then tested against a stand-in
whose ``members`` hold exactly the named users that hold it, which answers such a filter exactly.
Anything else about members (``members pr``, ``members.display co ...``) would need every
group's members, so it is refused with 400 ``invalidFilter``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.scim.errors import InvalidFilter
from runtime.scim.filter import And, Comparison, Filter, Not, Or, Present, ValuePathFilter
from runtime.scim.schema import CORE_GROUP

MAX_MEMBER_REFERENCES = 10
SUPPORTED = (
    'supported: comparisons on displayName, id and externalId, and members[value eq "<user id>"] '
    '(or members.value eq "<user id>"), combined with and, or, not'
)


def member_references(node: Filter) -> tuple[str, ...]:
    """The user ids the filter asks about; ``InvalidFilter`` for any other use of ``members``."""
    found = tuple(dict.fromkeys(_references(node)))
    if len(found) > MAX_MEMBER_REFERENCES:
        raise InvalidFilter(
            f"the filter names {len(found)} members; at most {MAX_MEMBER_REFERENCES} can be checked "
            "in one request"
        )
    return found


def stand_in(group_id: str, name: str, holders: Mapping[str, set[str]]) -> dict[str, Any]:
    """The group as the filter sees it: its members are the referenced users holding it."""
    members = [{"value": user_id} for user_id, held in holders.items() if group_id in held]
    resource: dict[str, Any] = {"schemas": [CORE_GROUP], "id": group_id, "displayName": name}
    if members:
        resource["members"] = members
    return resource


def _references(node: Filter) -> list[str]:
    if isinstance(node, And | Or):
        return _references(node.left) + _references(node.right)
    if isinstance(node, Not):
        return _references(node.filter)
    if isinstance(node, ValuePathFilter):
        if node.path.attribute != "members":
            return []
        return _member_ids(node.filter)
    if node.path.attribute != "members":
        return []
    if isinstance(node, Present):
        raise _unsupported("'members pr'")
    return _member_ids(node)


def _member_ids(node: Filter) -> list[str]:
    if isinstance(node, And | Or):
        return _member_ids(node.left) + _member_ids(node.right)
    if (
        isinstance(node, Comparison)
        and node.op == "eq"
        and node.path.sub_attribute == "value"
        and isinstance(node.value, str)
    ):
        return [node.value]
    raise _unsupported('a members comparison other than value eq "<user id>"')


def _unsupported(what: str) -> InvalidFilter:
    return InvalidFilter(
        f"filtering groups by {what} would need every group's members, which costs a Connect "
        f"search per group; {SUPPORTED}"
    )
