"""The contract between the app (routing, projection, errors) and the resource services.

Services take and return full SCIM resources as plain JSON dicts (every attribute the service
can produce, ``meta`` included). ``patch`` may return None instead: the change is applied and
reading the resource back would cost more than the change (a group's members); the app then
answers 204 (RFC 7644 §3.5.2), or reads it with ``get`` when the client asked for attributes.
Attribute projection (``attributes``/``excludedAttributes``), pagination envelopes and HTTP
concerns stay in the app. Services raise
``runtime.scim.errors.ScimError`` subclasses for anything the client must hear about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

Resource = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """One page of a list: ``total`` matches in all, ``resources`` from ``start_index`` (1-based)."""

    total: int
    resources: list[Resource]


@dataclass(frozen=True)
class ListQuery:
    """A parsed list request. ``count == 0`` asks only for ``total`` (RFC 7644 §3.4.2.4).

    ``wants_members`` is False when the client excluded ``members`` (Entra sends
    ``excludedAttributes=members``), so a Groups service can skip member lookups.
    """

    filter: str | None
    start_index: int
    count: int
    wants_members: bool = True


class ResourceService(Protocol):
    """What the app needs from a resource type's service (Users, Groups)."""

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource: ...

    def list(self, query: ListQuery) -> Page: ...

    def create(self, body: Resource) -> Resource: ...

    def replace(self, resource_id: str, body: Resource) -> Resource: ...

    def patch(self, resource_id: str, body: Resource) -> Resource | None: ...

    def delete(self, resource_id: str) -> None: ...
