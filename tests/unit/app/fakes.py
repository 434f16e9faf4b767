"""An in-memory ResourceService that behaves like a real one, so the app is tested against behaviour.

It keeps resources in a dict, filters with the protocol's real filter evaluator, pages from
``start_index``, refuses duplicate ``userName`` with 409, applies simple PATCH replace ops and
records every call (so tests can prove the app never reached the service, e.g. for a bad id).
"""

from __future__ import annotations

import copy
import itertools
import uuid
from typing import Any

from runtime.scim.errors import InvalidSyntax, NotFound, ScimError, Uniqueness
from runtime.scim.filter import evaluate, parse_filter
from runtime.scim.schema import CORE_USER, USER
from runtime.service.base import ListQuery, Page, Resource


class FakeUsers:
    def __init__(self) -> None:
        self.store: dict[str, Resource] = {}
        self.calls: list[tuple[str, Any]] = []
        self.fail_with: BaseException | None = None
        self._clock = itertools.count(1)

    # helpers for tests
    def add(self, user_name: str, **attrs: Any) -> Resource:
        return self.create({"schemas": [CORE_USER], "userName": user_name, **attrs}, record=False)

    def _check(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def _stamp(self, resource: Resource) -> Resource:
        tick = next(self._clock)
        resource["meta"] = {
            "resourceType": "User",
            "created": resource.get("meta", {}).get("created", f"2026-01-01T00:00:{tick:02d}Z"),
            "lastModified": f"2026-01-01T00:00:{tick:02d}Z",
            "version": f'W/"{tick}"',
        }
        return resource

    # ResourceService
    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        self.calls.append(("get", resource_id))
        self._check()
        if resource_id not in self.store:
            raise NotFound(f"User {resource_id} not found")
        return copy.deepcopy(self.store[resource_id])

    def list(self, query: ListQuery) -> Page:
        self.calls.append(("list", query))
        self._check()
        items = list(self.store.values())
        if query.filter:
            node = parse_filter(query.filter, USER)
            items = [item for item in items if evaluate(node, item)]
        start = query.start_index - 1
        return Page(total=len(items), resources=copy.deepcopy(items[start : start + query.count]))

    def create(self, body: Resource, *, record: bool = True) -> Resource:
        if record:
            self.calls.append(("create", body))
        self._check()
        user_name = body.get("userName")
        if not isinstance(user_name, str) or not user_name:
            raise InvalidSyntax("userName is required")
        if any(item["userName"].lower() == user_name.lower() for item in self.store.values()):
            raise Uniqueness("userName is already taken")
        resource = {key: value for key, value in body.items() if key not in ("id", "meta")}
        resource["id"] = str(uuid.uuid4())
        resource.setdefault("active", True)
        self.store[resource["id"]] = self._stamp(resource)
        return copy.deepcopy(resource)

    def replace(self, resource_id: str, body: Resource) -> Resource:
        self.calls.append(("replace", resource_id))
        self._check()
        if resource_id not in self.store:
            raise NotFound(f"User {resource_id} not found")
        resource = {key: value for key, value in body.items() if key not in ("id", "meta")}
        resource["id"] = resource_id
        resource["meta"] = self.store[resource_id]["meta"]
        self.store[resource_id] = self._stamp(resource)
        return copy.deepcopy(resource)

    def patch(self, resource_id: str, body: Resource) -> Resource:
        self.calls.append(("patch", resource_id))
        self._check()
        if resource_id not in self.store:
            raise NotFound(f"User {resource_id} not found")
        resource = self.store[resource_id]
        for op in body.get("Operations", []):
            if op.get("op") != "replace":
                raise ScimError("only replace is supported by the fake")
            if "path" in op:
                resource[op["path"]] = op["value"]
            else:
                resource.update(op["value"])
        self._stamp(resource)
        return copy.deepcopy(resource)

    def delete(self, resource_id: str) -> None:
        self.calls.append(("delete", resource_id))
        self._check()
        if self.store.pop(resource_id, None) is None:
            raise NotFound(f"User {resource_id} not found")
