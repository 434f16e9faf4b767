"""Finding users in O(1) Connect calls, whatever the number of users (never ListUsers).

* by ``id`` → DescribeUser (1 call);
* by ``userName`` → SearchUsers on the case-folded ``scim:userNameKey`` tag every user we
  create carries (1 call), falling back to SearchUsers Username EXACT with the as-given and
  lower-case spellings in one ``OrConditions`` call for users created outside SCIM (≤ 2
  calls). userName is case-insensitive (RFC 7643 §4.1.1) whatever Connect's EXACT does, so
  results are re-checked with a case fold;
* by ``externalId`` → SearchUsers with a TagFilter on ``scim:externalId`` (1 call).

A lookup answers SearchUsers summaries, which lack Mobile, e-mail and LastModifiedTime. Users
this service wrote carry their mobile number in the ``scim:mobile`` tag, so their summary is the
whole SCIM resource (``summary_as_described``) and a filtered GET costs the one search: the read
an IdP's periodic sync pays per user is halved. Others (created outside SCIM, or before the
mirror existed) cost one DescribeUser more. The price: ``meta.lastModified`` is left out of
filtered results (as it is of listed ones), and a mobile number changed outside SCIM (Connect's
console) shows in ``GET /Users/{id}`` but not in filtered results until SCIM writes it again.

Filters (RFC 7644 §3.4.2.2) are answered from these lookups: ``eq`` on the three attributes,
``or`` of lookups, and ``and`` where at least one side is a lookup (the other side is then
checked in memory by the protocol's ``evaluate``). Anything else would need a scan of every
user, so it is refused with 400 ``invalidFilter`` naming the part we cannot answer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser, UserNotFound
from runtime.mapping import tags as t
from runtime.mapping.codec import EXTERNAL_ID
from runtime.scim.errors import InvalidFilter
from runtime.scim.filter import And, Comparison, Filter, Not, Or, Present, ValuePathFilter

LookupKind = Literal["userName", "externalId", "id"]
MAX_LOOKUPS = 10
SUPPORTED = "supported: userName eq, externalId eq, id eq, and and/or combinations of them"


@dataclass(frozen=True)
class Lookup:
    kind: LookupKind
    value: str


def by_username(directory: ConnectDirectory, username: str) -> list[ConnectUser]:
    """Users whose userName equals ``username`` ignoring case (summaries)."""
    folded = username.casefold()
    found = directory.find_by_tag(t.USERNAME_KEY, t.username_key(username))
    if not found:
        found = directory.find_by_username([username, username.lower()])
    return [user for user in found if user.username.casefold() == folded]


def by_external_id(directory: ConnectDirectory, external_id: str) -> list[ConnectUser]:
    return directory.find_by_tag(EXTERNAL_ID, external_id)


def by_id(directory: ConnectDirectory, user_id: str) -> ConnectUser | None:
    try:
        return directory.describe_user(user_id)
    except UserNotFound:
        return None


def summary_as_described(user: ConnectUser) -> ConnectUser | None:
    """``user`` as DescribeUser would render it, when its tags say what the summary leaves out.

    Only the mobile number matters to rendering (e-mails we render come from tags; Connect's own
    e-mail fields are never shown). ``None`` when the summary carries no mobile mirror.
    """
    if user.complete:
        return user
    mirrored = user.tags.get(t.MOBILE)
    if not mirrored:
        return None
    mobile = None if mirrored == t.NO_MOBILE else mirrored
    return dataclasses.replace(user, mobile=mobile, complete=True)


def run_lookup(directory: ConnectDirectory, lookup: Lookup) -> list[ConnectUser]:
    if lookup.kind == "id":
        found = by_id(directory, lookup.value)
        return [found] if found is not None else []
    if lookup.kind == "userName":
        return by_username(directory, lookup.value)
    return by_external_id(directory, lookup.value)


def plan_lookups(node: Filter) -> list[Lookup]:
    """The lookups whose union contains every user ``node`` can match; or 400 invalidFilter."""
    lookups = _lookups(node)
    if lookups is None:
        raise InvalidFilter(f"{_unsupported(node)} is not supported; {SUPPORTED}")
    unique = list(dict.fromkeys(lookups))
    if len(unique) > MAX_LOOKUPS:
        raise InvalidFilter(
            f"the filter needs {len(unique)} lookups; at most {MAX_LOOKUPS} are answered per request"
        )
    return unique


def _lookups(node: Filter) -> list[Lookup] | None:
    if isinstance(node, Comparison):
        return [_lookup_of(node)] if _is_lookup(node) else None
    if isinstance(node, Or):
        left, right = _lookups(node.left), _lookups(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, And):
        left, right = _lookups(node.left), _lookups(node.right)
        if left is None:
            return right
        if right is None:
            return left
        return left if len(left) <= len(right) else right
    return None


def _is_lookup(node: Comparison) -> bool:
    path = node.path
    return (
        node.op == "eq"
        and isinstance(node.value, str)
        and not path.is_extension
        and path.sub_attribute is None
        and path.attribute in ("userName", "externalId", "id")
    )


def _lookup_of(node: Comparison) -> Lookup:
    kind: LookupKind = "userName"
    if node.path.attribute == "externalId":
        kind = "externalId"
    elif node.path.attribute == "id":
        kind = "id"
    return Lookup(kind, str(node.value))


def _unsupported(node: Filter) -> str:
    """A short description of the first part of ``node`` that no lookup can answer."""
    if isinstance(node, Comparison):
        if node.path.attribute in ("userName", "externalId", "id") and not node.path.is_extension:
            if node.op != "eq":
                return f"operator '{node.op}' on '{node.path}'"
            return f"comparing '{node.path}' with a non-string value"
        return f"filtering on '{node.path}'"
    if isinstance(node, Present):
        return f"'{node.path} pr'"
    if isinstance(node, Not):
        return "'not (...)'"
    if isinstance(node, ValuePathFilter):
        return f"filtering on '{node.path}[...]'"
    if isinstance(node, Or):
        return _unsupported(node.left) if _lookups(node.left) is None else _unsupported(node.right)
    return _unsupported(node.left)  # an And none of whose sides is a lookup
