"""Directory failures as SCIM errors (RFC 7644 §3.12), so no Connect failure becomes a 5xx.

* ``Throttled`` → 429 ``TooManyRequests`` with ``Retry-After``: Okta and Entra both back off.
* ``Unavailable`` (5xx, timeouts, IAM denials) → 503 with ``Retry-After``; the only 5xx we send.
* ``InstanceUserLimit`` → 409 without ``scimType``: retrying cannot help until someone raises
  the quota, which the detail says how to do.
* ``InvalidInput`` / ``ReferenceNotFound`` → 400 ``invalidValue`` with Connect's own message.
* ``DuplicateUser`` → 409 ``uniqueness``; ``UserNotFound`` → 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from runtime.connect.model import (
    DirectoryError,
    DuplicateUser,
    InstanceUserLimit,
    InvalidInput,
    ReferenceNotFound,
    Throttled,
    Unavailable,
    UserNotFound,
)
from runtime.scim.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    ScimError,
    ServiceUnavailable,
    TooManyRequests,
    Uniqueness,
)

USER_LIMIT_DETAIL = (
    "Amazon Connect's users-per-instance quota is reached, so no user can be created. Delete "
    "users that are no longer needed, or request a higher 'Users per instance' quota for "
    "Amazon Connect in the AWS Service Quotas console, then retry."
)


def scim_error(error: DirectoryError, *, user_id: str | None = None) -> ScimError:
    if isinstance(error, Throttled):
        return TooManyRequests(
            "Amazon Connect's API rate quota is exhausted; retry after the Retry-After delay",
            retry_after=error.retry_after,
        )
    if isinstance(error, Unavailable):
        return ServiceUnavailable(
            f"Amazon Connect is unavailable: {error}; retry later", retry_after=error.retry_after
        )
    if isinstance(error, InstanceUserLimit):
        return Conflict(USER_LIMIT_DETAIL)
    if isinstance(error, DuplicateUser):
        return Uniqueness("a user with this userName already exists in Amazon Connect (userName is unique)")
    if isinstance(error, UserNotFound):
        return NotFound(f"User {user_id} not found" if user_id else "User not found")
    if isinstance(error, ReferenceNotFound):
        return InvalidValue(
            "a security profile, routing profile or hierarchy group named in the request no longer "
            f"exists in Amazon Connect: {error}"
        )
    if isinstance(error, InvalidInput):
        return InvalidValue(f"Amazon Connect refused the request: {error}")
    return ServiceUnavailable(f"Amazon Connect failed: {type(error).__name__}", retry_after=5)


@contextmanager
def translated(user_id: str | None = None) -> Iterator[None]:
    """Run directory calls, re-raising their failures as SCIM errors."""
    try:
        yield
    except DirectoryError as exc:
        raise scim_error(exc, user_id=user_id) from None
