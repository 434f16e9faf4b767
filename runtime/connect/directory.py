"""The Connect directory: the only code in connect-scim that calls Amazon Connect.

Each public method is one Connect request (plus botocore's bounded retries), so the service
can reason about its call budget. Failures come back as the ``runtime.connect.model`` error
classes; nothing above this module sees a ``ClientError``.

Two quirks handled here rather than in callers:

* botocore's standard retry mode treats ``LimitExceededException`` as throttling, but on
  CreateUser it means the users-per-instance quota is reached: retrying cannot help and costs
  two more calls of a 2 requests/s budget. A ``needs-retry`` hook on CreateUser vetoes that
  retry (throttling on CreateUser is still retried).
* SearchUsers reports ``AfterContactWorkTimeLimit`` in milliseconds, DescribeUser in seconds;
  users are normalised to seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from runtime.connect.model import (
    AccessDenied,
    ConnectUser,
    CreatedUser,
    DirectoryError,
    DuplicateUser,
    InstanceUserLimit,
    InvalidInput,
    NewUser,
    PhoneConfig,
    ReferenceNotFound,
    Throttled,
    Unavailable,
    UserNotFound,
    UserPage,
)
from runtime.connect.names import NameIndex
from runtime.observability import allow_fields, get_logger, log_event

log = get_logger("connect.directory")
allow_fields("code", "elapsed_ms")

SEARCH_PAGE_MAX = 500  # SearchUsers MaxResults upper bound
LIST_PAGE_MAX = 1000  # List* MaxResults upper bound
THROTTLED_RETRY_AFTER = 2
UNAVAILABLE_RETRY_AFTER = 5

_THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded", "SlowDown"}
)
_INVALID_CODES = frozenset({"InvalidParameterException", "InvalidRequestException", "ValidationException"})
_NO_RETRY_HOOK_ID = "connect-scim-createuser-quota-is-final"


def _veto_quota_retry(response: Any = None, **_: Any) -> bool | None:
    """needs-retry hook: a users-per-instance breach is final, so stop botocore retrying it."""
    if response is None:
        return None
    parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else None
    if isinstance(parsed, Mapping) and parsed.get("Error", {}).get("Code") == "LimitExceededException":
        return False
    return None


def install_quota_no_retry(client: Any) -> None:
    """Make CreateUser's LimitExceededException final on ``client`` (idempotent)."""
    client.meta.events.register_first(
        "needs-retry.connect.CreateUser", _veto_quota_retry, unique_id=_NO_RETRY_HOOK_ID
    )


class ConnectDirectory:
    """Connect users of one instance, plus cached name↔id indexes of the things users point at."""

    def __init__(
        self,
        client: Any,
        instance_id: str,
        *,
        cache_ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not instance_id:
            raise ValueError("ConnectDirectory needs a Connect instance id")
        self._client = client
        self.instance_id = instance_id
        install_quota_no_retry(client)
        self.security_profiles = NameIndex(
            lambda: self._list_named(
                "list_security_profiles", "SecurityProfileSummaryList", "ListSecurityProfiles"
            ),
            ttl=cache_ttl,
            clock=clock,
        )
        self.routing_profiles = NameIndex(
            lambda: self._list_named(
                "list_routing_profiles", "RoutingProfileSummaryList", "ListRoutingProfiles"
            ),
            ttl=cache_ttl,
            clock=clock,
        )
        self.hierarchy_groups = NameIndex(
            lambda: self._list_named(
                "list_user_hierarchy_groups", "UserHierarchyGroupSummaryList", "ListUserHierarchyGroups"
            ),
            ttl=cache_ttl,
            clock=clock,
        )

    # ---- reads -------------------------------------------------------------------------------

    def describe_user(self, user_id: str) -> ConnectUser:
        """The full user (mobile and last-modified included): 1 DescribeUser."""
        if not user_id:
            raise UserNotFound("empty user id")
        answer = self._call("describe_user", "DescribeUser", UserId=user_id, InstanceId=self.instance_id)
        return _user_from_describe(answer["User"])

    def find_by_tag(self, key: str, value: str, *, limit: int = 10) -> list[ConnectUser]:
        """Users carrying tag ``key=value`` exactly: 1 SearchUsers with a TagFilter."""
        answer = self._search(
            MaxResults=limit,
            SearchFilter={"TagFilter": {"TagCondition": {"TagKey": key, "TagValue": value}}},
        )
        return list(answer.users)

    def find_by_username(self, candidates: Sequence[str], *, limit: int = 10) -> list[ConnectUser]:
        """Users whose Username equals one of ``candidates`` (EXACT, one OrConditions call)."""
        unique = list(dict.fromkeys(c for c in candidates if c))
        if not unique:
            return []
        conditions = [
            {"StringCondition": {"FieldName": "Username", "Value": value, "ComparisonType": "EXACT"}}
            for value in unique
        ]
        criteria = conditions[0] if len(conditions) == 1 else {"OrConditions": conditions}
        return list(self._search(MaxResults=limit, SearchCriteria=criteria).users)

    def search_users(self, *, next_token: str | None = None, max_results: int = SEARCH_PAGE_MAX) -> UserPage:
        """One page of all users (summaries: no mobile, no last-modified)."""
        kwargs: dict[str, Any] = {"MaxResults": max(1, min(max_results, SEARCH_PAGE_MAX))}
        if next_token:
            kwargs["NextToken"] = next_token
        return self._search(**kwargs)

    def search_by_security_profile(
        self, profile_id: str, *, next_token: str | None = None, max_results: int = SEARCH_PAGE_MAX
    ) -> UserPage:
        """One page of the users holding security profile ``profile_id`` (for Groups)."""
        kwargs: dict[str, Any] = {
            "MaxResults": max(1, min(max_results, SEARCH_PAGE_MAX)),
            "SearchCriteria": {
                "StringCondition": {
                    "FieldName": "SecurityProfileId",
                    "Value": profile_id,
                    "ComparisonType": "EXACT",
                }
            },
        }
        if next_token:
            kwargs["NextToken"] = next_token
        return self._search(**kwargs)

    def search_by_tag(
        self, key: str, value: str, *, next_token: str | None = None, max_results: int = SEARCH_PAGE_MAX
    ) -> UserPage:
        """One page of the users carrying tag ``key=value`` (for Groups: the deactivated users)."""
        kwargs: dict[str, Any] = {
            "MaxResults": max(1, min(max_results, SEARCH_PAGE_MAX)),
            "SearchFilter": {"TagFilter": {"TagCondition": {"TagKey": key, "TagValue": value}}},
        }
        if next_token:
            kwargs["NextToken"] = next_token
        return self._search(**kwargs)

    # ---- writes ------------------------------------------------------------------------------

    def create_user(self, user: NewUser) -> CreatedUser:
        """One CreateUser carrying the tags, so a created user is never left untagged."""
        if not 1 <= len(user.security_profile_ids) <= 10:
            raise InvalidInput("Connect needs between 1 and 10 security profiles per user")
        kwargs: dict[str, Any] = {
            "Username": user.username,
            "InstanceId": self.instance_id,
            "SecurityProfileIds": list(user.security_profile_ids),
            "RoutingProfileId": user.routing_profile_id,
            "PhoneConfig": _phone_params(user.phone),
        }
        identity = _identity_params(user.first_name, user.last_name, user.mobile)
        if identity:
            kwargs["IdentityInfo"] = identity
        if user.hierarchy_group_id:
            kwargs["HierarchyGroupId"] = user.hierarchy_group_id
        tags = {k: v for k, v in user.tags.items() if v != ""}
        if tags:
            kwargs["Tags"] = tags
        answer = self._call("create_user", "CreateUser", **kwargs)
        return CreatedUser(user_id=answer["UserId"], arn=answer["UserArn"])

    def update_identity_info(
        self,
        user_id: str,
        *,
        first_name: str,
        last_name: str,
        mobile: str | None,
        email: str | None = None,
        secondary_email: str | None = None,
    ) -> None:
        """Connect replaces the whole identity block, so values we do not manage are passed back."""
        identity = _identity_params(first_name, last_name, mobile)
        if email:
            identity["Email"] = email
        if secondary_email:
            identity["SecondaryEmail"] = secondary_email
        self._call(
            "update_user_identity_info",
            "UpdateUserIdentityInfo",
            IdentityInfo=identity,
            UserId=user_id,
            InstanceId=self.instance_id,
        )

    def update_security_profiles(self, user_id: str, profile_ids: Sequence[str]) -> None:
        if not 1 <= len(profile_ids) <= 10:
            raise InvalidInput("Connect needs between 1 and 10 security profiles per user")
        self._call(
            "update_user_security_profiles",
            "UpdateUserSecurityProfiles",
            SecurityProfileIds=list(profile_ids),
            UserId=user_id,
            InstanceId=self.instance_id,
        )

    def update_routing_profile(self, user_id: str, routing_profile_id: str) -> None:
        self._call(
            "update_user_routing_profile",
            "UpdateUserRoutingProfile",
            RoutingProfileId=routing_profile_id,
            UserId=user_id,
            InstanceId=self.instance_id,
        )

    def update_hierarchy(self, user_id: str, hierarchy_group_id: str | None) -> None:
        """Omitting HierarchyGroupId is how Connect clears the assignment."""
        kwargs: dict[str, Any] = {"UserId": user_id, "InstanceId": self.instance_id}
        if hierarchy_group_id:
            kwargs["HierarchyGroupId"] = hierarchy_group_id
        self._call("update_user_hierarchy", "UpdateUserHierarchy", **kwargs)

    def update_phone_config(self, user_id: str, phone: PhoneConfig) -> None:
        self._call(
            "update_user_phone_config",
            "UpdateUserPhoneConfig",
            PhoneConfig=_phone_params(phone),
            UserId=user_id,
            InstanceId=self.instance_id,
        )

    def tag_user(self, arn: str, tags: Mapping[str, str]) -> None:
        if tags:
            self._call("tag_resource", "TagResource", resourceArn=arn, tags=dict(tags))

    def untag_user(self, arn: str, keys: Iterable[str]) -> None:
        key_list = sorted(set(keys))
        if key_list:
            self._call("untag_resource", "UntagResource", resourceArn=arn, tagKeys=key_list)

    def delete_user(self, user_id: str) -> None:
        if not user_id:
            raise UserNotFound("empty user id")
        self._call("delete_user", "DeleteUser", UserId=user_id, InstanceId=self.instance_id)

    # ---- plumbing ----------------------------------------------------------------------------

    def _search(self, **kwargs: Any) -> UserPage:
        answer = self._call("search_users", "SearchUsers", InstanceId=self.instance_id, **kwargs)
        users = tuple(_user_from_search(item) for item in answer.get("Users", []))
        total = answer.get("ApproximateTotalCount")
        return UserPage(
            users=users,
            next_token=answer.get("NextToken") or None,
            approximate_total=int(total) if total is not None else None,
        )

    def _list_named(self, method: str, result_key: str, operation: str) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"InstanceId": self.instance_id, "MaxResults": LIST_PAGE_MAX}
            if token:
                kwargs["NextToken"] = token
            answer = self._call(method, operation, **kwargs)
            items.extend((entry["Id"], entry["Name"]) for entry in answer.get(result_key, []))
            token = answer.get("NextToken")
            if not token:
                return items

    def _call(self, method: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        started = time.monotonic()
        try:
            answer: dict[str, Any] = getattr(self._client, method)(**kwargs)
        except ClientError as exc:
            error = _translate(operation, exc)
            log_event(
                log,
                "connect.call_failed",
                operation=operation,
                error_type=type(error).__name__,
                code=_code(exc),
            )
            if isinstance(error, ReferenceNotFound):
                self.invalidate_caches()
            raise error from None
        except ParamValidationError as exc:
            raise InvalidInput(f"{operation} parameters rejected before sending: {exc}") from None
        except BotoCoreError as exc:
            raise Unavailable(
                f"Amazon Connect could not be reached for {operation} ({type(exc).__name__})",
                retry_after=UNAVAILABLE_RETRY_AFTER,
            ) from None
        log_event(
            log,
            "connect.call",
            level=10,
            operation=operation,
            elapsed_ms=int((time.monotonic() - started) * 1000),
        )
        return answer

    def invalidate_caches(self) -> None:
        self.security_profiles.invalidate()
        self.routing_profiles.invalidate()
        self.hierarchy_groups.invalidate()


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _retry_after(exc: ClientError, default: int) -> int:
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    for name in ("retry-after", "x-amz-retry-after"):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) / (1000 if name == "x-amz-retry-after" else 1)
        except ValueError:
            continue
        return max(1, int(seconds + 0.999))
    return default


def _translate(operation: str, exc: ClientError) -> DirectoryError:
    code = _code(exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    message = str(exc.response.get("Error", {}).get("Message", "")) or code
    if code == "LimitExceededException" and operation == "CreateUser":
        return InstanceUserLimit("the Amazon Connect users-per-instance quota is reached")
    if code in _THROTTLING_CODES or code == "LimitExceededException" or status == 429:
        return Throttled(
            f"Amazon Connect throttled {operation}",
            retry_after=_retry_after(exc, THROTTLED_RETRY_AFTER),
        )
    if code == "DuplicateResourceException":
        return DuplicateUser(message)
    if code in ("ResourceNotFoundException", "UserNotFoundException"):
        if operation == "CreateUser":
            return ReferenceNotFound(message)
        return UserNotFound(message)
    if code in _INVALID_CODES:
        return InvalidInput(message)
    if code == "AccessDeniedException" or status == 403:
        return AccessDenied(
            f"Amazon Connect denied {operation}: the provisioning role lacks connect:{operation}",
            retry_after=UNAVAILABLE_RETRY_AFTER,
        )
    if status >= 500 or code in ("InternalServiceException", "ServiceUnavailableException"):
        return Unavailable(
            f"Amazon Connect failed {operation} ({code or status})",
            retry_after=_retry_after(exc, UNAVAILABLE_RETRY_AFTER),
        )
    return Unavailable(
        f"Amazon Connect answered {operation} with an unexpected {code or status}",
        retry_after=UNAVAILABLE_RETRY_AFTER,
    )


def _identity_params(first_name: str, last_name: str, mobile: str | None) -> dict[str, Any]:
    identity: dict[str, Any] = {}
    if first_name:
        identity["FirstName"] = first_name
    if last_name:
        identity["LastName"] = last_name
    if mobile:
        identity["Mobile"] = mobile
    return identity


def _phone_params(phone: PhoneConfig) -> dict[str, Any]:
    params: dict[str, Any] = {
        "PhoneType": phone.phone_type,
        "AutoAccept": phone.auto_accept,
        "AfterContactWorkTimeLimit": phone.after_contact_work_time_limit,
    }
    if phone.desk_phone_number:
        params["DeskPhoneNumber"] = phone.desk_phone_number
    return params


def _phone(raw: Mapping[str, Any] | None, *, acw_in_ms: bool) -> PhoneConfig:
    raw = raw or {}
    acw = int(raw.get("AfterContactWorkTimeLimit") or 0)
    if acw_in_ms:
        acw //= 1000
    return PhoneConfig(
        phone_type=str(raw.get("PhoneType") or "SOFT_PHONE"),
        auto_accept=bool(raw.get("AutoAccept", False)),
        after_contact_work_time_limit=acw,
        desk_phone_number=raw.get("DeskPhoneNumber") or None,
    )


def _user_from_describe(raw: Mapping[str, Any]) -> ConnectUser:
    identity = raw.get("IdentityInfo") or {}
    modified = raw.get("LastModifiedTime")
    return ConnectUser(
        user_id=raw["Id"],
        arn=raw.get("Arn", ""),
        username=raw.get("Username", ""),
        first_name=identity.get("FirstName") or "",
        last_name=identity.get("LastName") or "",
        mobile=identity.get("Mobile") or None,
        email=identity.get("Email") or None,
        secondary_email=identity.get("SecondaryEmail") or None,
        security_profile_ids=tuple(raw.get("SecurityProfileIds") or ()),
        routing_profile_id=raw.get("RoutingProfileId") or "",
        hierarchy_group_id=raw.get("HierarchyGroupId") or None,
        phone=_phone(raw.get("PhoneConfig"), acw_in_ms=False),
        tags=dict(raw.get("Tags") or {}),
        last_modified=modified if isinstance(modified, datetime) else None,
        complete=True,
    )


def _user_from_search(raw: Mapping[str, Any]) -> ConnectUser:
    identity = raw.get("IdentityInfo") or {}
    return ConnectUser(
        user_id=raw["Id"],
        arn=raw.get("Arn", ""),
        username=raw.get("Username", ""),
        first_name=identity.get("FirstName") or "",
        last_name=identity.get("LastName") or "",
        security_profile_ids=tuple(raw.get("SecurityProfileIds") or ()),
        routing_profile_id=raw.get("RoutingProfileId") or "",
        hierarchy_group_id=raw.get("HierarchyGroupId") or None,
        phone=_phone(raw.get("PhoneConfig"), acw_in_ms=True),
        tags=dict(raw.get("Tags") or {}),
        complete=False,
    )
