"""``/Groups`` until Groups are implemented: honest answers instead of the seed's fake successes.

IdPs probe ``/Groups`` during "test connection" and group push. Listing answers an empty (and
consistent: ``totalResults`` 0) ListResponse, reading an id answers 404, and every write answers
501 with a detail that tells the administrator what to do instead. The Groups service replaces
this module in ``runtime.wiring`` when it lands.
"""

from __future__ import annotations

from typing import NoReturn

from runtime.scim.errors import NotFound, NotImplementedOperation
from runtime.service.base import ListQuery, Page, Resource

GROUPS_UNSUPPORTED = "Groups are not supported yet; assign security profiles through user attributes"


class PendingGroupService:
    """A ``ResourceService`` with no groups in it and no way to write one."""

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        raise NotFound(f"Group {resource_id} not found: this endpoint does not store groups yet")

    def list(self, query: ListQuery) -> Page:
        return Page(total=0, resources=[])

    def create(self, body: Resource) -> Resource:
        self._refuse()

    def replace(self, resource_id: str, body: Resource) -> Resource:
        self._refuse()

    def patch(self, resource_id: str, body: Resource) -> Resource:
        self._refuse()

    def delete(self, resource_id: str) -> None:
        self._refuse()

    @staticmethod
    def _refuse() -> NoReturn:
        raise NotImplementedOperation(GROUPS_UNSUPPORTED)
