"""An in-memory Groups service shaped like the real one where the app depends on it.

Like ``runtime.service.groups``, it writes member and group ``$ref``s relative to the SCIM base
URL and answers PATCH with ``None`` (applied, not read back), so the app's 204 and reference
resolution are tested against the contract rather than against one implementation.
"""

from __future__ import annotations

import copy
from typing import Any

from runtime.scim.errors import NotFound
from runtime.scim.schema import CORE_GROUP
from runtime.service.base import ListQuery, Page, Resource


class FakeGroups:
    def __init__(self) -> None:
        self.store: dict[str, Resource] = {}
        self.calls: list[tuple[str, Any]] = []

    def add(self, group_id: str, name: str, *member_ids: str) -> Resource:
        members = [{"value": uid, "$ref": f"Users/{uid}", "display": uid} for uid in member_ids]
        group = {"schemas": [CORE_GROUP], "id": group_id, "displayName": name, "members": members}
        self.store[group_id] = group
        return group

    def _found(self, group_id: str) -> Resource:
        if group_id not in self.store:
            raise NotFound(f"Group {group_id} not found")
        return self.store[group_id]

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        self.calls.append(("get", wants_members))
        group = copy.deepcopy(self._found(resource_id))
        if not wants_members:
            group.pop("members", None)
        return group

    def list(self, query: ListQuery) -> Page:
        self.calls.append(("list", query))
        return Page(total=len(self.store), resources=[copy.deepcopy(g) for g in self.store.values()])

    def create(self, body: Resource) -> Resource:
        raise NotFound("the fake creates no groups")

    def replace(self, resource_id: str, body: Resource) -> Resource:
        return copy.deepcopy(self._found(resource_id))

    def patch(self, resource_id: str, body: Resource) -> Resource | None:
        self.calls.append(("patch", resource_id))
        group = self._found(resource_id)
        for operation in body.get("Operations", []):
            for member in operation.get("value", []):
                uid = member["value"]
                group["members"].append({"value": uid, "$ref": f"Users/{uid}", "display": uid})
        return None

    def delete(self, resource_id: str) -> None:
        self._found(resource_id)["members"] = []
