"""Connect-side values the service works with. No SCIM knowledge lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PhoneConfig:
    phone_type: str = "SOFT_PHONE"  # SOFT_PHONE | DESK_PHONE
    auto_accept: bool = False
    after_contact_work_time_limit: int = 0  # seconds (SearchUsers answers ms; the directory normalises)
    desk_phone_number: str | None = None


@dataclass(frozen=True)
class ConnectUser:
    """A Connect user as DescribeUser / SearchUsers report it (ids, not names).

    ``complete`` is False for SearchUsers summaries: they carry no ``Mobile``, e-mail or
    ``LastModifiedTime``, so ``mobile``/``last_modified`` are unknown rather than absent.
    ``email``/``secondary_email`` are never rendered; they are kept so an identity update,
    which replaces Connect's whole identity block, does not wipe values set outside SCIM.
    """

    user_id: str
    arn: str
    username: str
    first_name: str = ""
    last_name: str = ""
    mobile: str | None = None
    security_profile_ids: tuple[str, ...] = ()
    routing_profile_id: str = ""
    hierarchy_group_id: str | None = None
    phone: PhoneConfig = field(default_factory=PhoneConfig)
    tags: dict[str, str] = field(default_factory=dict)
    email: str | None = None
    secondary_email: str | None = None
    last_modified: datetime | None = None
    complete: bool = True


@dataclass(frozen=True)
class NewUser:
    """Everything CreateUser needs, ids already resolved, so creation is one call (tags included)."""

    username: str
    security_profile_ids: tuple[str, ...]
    routing_profile_id: str
    first_name: str = ""
    last_name: str = ""
    mobile: str | None = None
    hierarchy_group_id: str | None = None
    phone: PhoneConfig = field(default_factory=PhoneConfig)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedUser:
    user_id: str
    arn: str


@dataclass(frozen=True)
class UserPage:
    """One SearchUsers page. ``approximate_total`` is Connect's ApproximateTotalCount (None if absent)."""

    users: tuple[ConnectUser, ...]
    next_token: str | None
    approximate_total: int | None


class DirectoryError(Exception):
    """Base of the failures the service maps to SCIM errors. Messages carry ids, never personal data."""


class UserNotFound(DirectoryError):
    pass


class DuplicateUser(DirectoryError):
    pass


class InstanceUserLimit(DirectoryError):
    """CreateUser hit the users-per-instance quota: final, never retried."""


class InvalidInput(DirectoryError):
    """Connect refused the request as invalid (InvalidParameter/InvalidRequest)."""


class ReferenceNotFound(DirectoryError):
    """CreateUser named a security profile, routing profile or hierarchy group Connect does not know."""


class Throttled(DirectoryError):
    """Connect's API quota stayed exhausted through the bounded retries."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DirectoryError):
    """Connect answered with a server error (or could not be reached) after bounded retries."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccessDenied(Unavailable):
    """Connect refused the call on IAM grounds: an operator must fix the role; the IdP should retry later."""
