"""The SCIM Users service (work in progress: constructor and contract are final)."""

from __future__ import annotations

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import UserNotFound
from runtime.scim.errors import NotFound, NotImplementedOperation
from runtime.service.base import ListQuery, Page, Resource
from runtime.settings import Settings


class UserService:
    """SCIM Users over one Connect instance. Constructed once per container by the app."""

    def __init__(self, directory: ConnectDirectory, settings: Settings) -> None:
        self.directory = directory
        self.settings = settings

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        raise NotImplementedOperation("GET /Users/{id} is being built")

    def list(self, query: ListQuery) -> Page:
        raise NotImplementedOperation("GET /Users is being built")

    def create(self, body: Resource) -> Resource:
        raise NotImplementedOperation("POST /Users is being built")

    def replace(self, resource_id: str, body: Resource) -> Resource:
        raise NotImplementedOperation("PUT /Users/{id} is being built")

    def patch(self, resource_id: str, body: Resource) -> Resource:
        raise NotImplementedOperation("PATCH /Users/{id} is being built")

    def delete(self, resource_id: str) -> None:
        try:
            self.directory.delete_user(resource_id)
        except UserNotFound:
            raise NotFound(f"User {resource_id} not found") from None
