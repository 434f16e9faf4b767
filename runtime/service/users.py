"""The SCIM Users service: SCIM user operations as the fewest Amazon Connect calls.

Call budget (warm name caches; N = users in the instance, which never matters):

=====================================  ===============================================
GET /Users/{id}                        1 DescribeUser
GET ?filter=userName eq "x"            1 SearchUsers (key tag; the summary is the whole
                                       user, see ``user_lookup``); no match: 2; users
                                       created outside SCIM: 2 SearchUsers + DescribeUser
GET ?filter=externalId eq "x"          1 SearchUsers (tag)
GET ?filter=id eq "x"                  1 DescribeUser
GET (no filter)                        1 SearchUsers per page (see ``user_paging``)
POST                                   SearchUsers (key tag) + CreateUser (tags inside) = 2
PUT / PATCH                            DescribeUser + one call per changed facet
                                       (identity, security profiles, routing profile,
                                       hierarchy, phone, tags); unchanged: 1; a new
                                       mobile number also rewrites its mirror tag
deactivate / reactivate (disable)      DescribeUser + TagResource + UpdateUserSecurityProfiles = 3
deactivate (delete mode)               DescribeUser + DeleteUser = 2
DELETE                                 1 DeleteUser
=====================================  ===============================================

Decisions:

* **Uniqueness on POST** is checked case-insensitively on the userName key tag (one call), then
  CreateUser's own DuplicateResourceException is mapped to 409 ``uniqueness``. A user created
  outside SCIM has no key tag: an exact-case clash with it is still refused by Connect; a clash
  differing only in case is refused too where Connect's uniqueness ignores case (its default in
  the emulator), otherwise Connect would accept both. Finding those would cost a second
  SearchUsers on every POST, so the filtered GET an IdP sends first (which does search
  Usernames) is where such users are found and linked instead.
* **POST replayed after a lost response.** If the first CreateUser succeeded, the retry finds
  the user by its userName key. When the existing user carries the same, non-empty
  ``externalId`` it is provably the IdP's own user: the POST converges to it (its body is
  applied like a PUT, usually with no writes) and the existing resource is returned. Any other
  clash is 409 ``uniqueness``. Connect's own DuplicateResourceException (a stale search) is
  409 too; the IdP's next sync then finds the user by filter. When botocore itself retried a
  CreateUser whose reply was lost, the duplicate it meets carries this request's own tags
  (creation time included) and is returned as created.
* **PUT** replaces SCIM attributes; the Connect settings a user must have (security and
  routing profiles, hierarchy, phone settings, ``active``) are kept when the body leaves them
  out — RFC 7644 §3.5.1 lets the service provider keep values it requires, and an IdP that
  does not map them would otherwise wipe what a Connect administrator set.
* **PATCH** is applied to the resource GET would show (protocol ``apply_patch``, all or
  nothing) and then takes the same path as PUT; see ``user_writes`` for the write order that
  lets a retried request repair a failure half-way.
* **A retried deactivation in ``delete`` mode** (its first answer lost after DeleteUser
  succeeded) answers 404: the user is gone, which is what was asked. Okta and Entra treat a 404
  on deactivation or DELETE as done; a reactivation answered 404 makes them provision the user
  again (lookup, then POST). How every other half-done request is repaired by the IdP's retry:
  ``user_writes``.
* **A user created with ``active: false``** gets the deactivated profile at creation (one
  CreateUser, in both modes: there is nothing to delete yet) and can be activated later.
* ``meta.location`` is ``{SCIM_BASE_PATH}/Users/{id}``; the app replaces it with the absolute
  URL of the request (it alone knows the host and stage).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser, DuplicateUser, NewUser
from runtime.mapping import tags as t
from runtime.mapping.codec import (
    EXTERNAL_ID,
    AssignmentRules,
    DesiredState,
    get_attr,
    is_active,
    to_connect,
    to_scim,
)
from runtime.mapping.plain import wrap_plain_patch, wrap_plain_values
from runtime.mapping.profiles import MappingProfile, profile_for
from runtime.observability import allow_fields, get_logger, log_event
from runtime.scim.errors import InvalidValue, Uniqueness
from runtime.scim.filter import evaluate, parse_filter
from runtime.scim.listing import MAX_COUNT
from runtime.scim.patch import apply_patch, parse_patch
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import CONNECT_USER, USER
from runtime.service.base import ListQuery, Page, Resource
from runtime.service.user_errors import translated
from runtime.service.user_lookup import plan_lookups, run_lookup, summary_as_described
from runtime.service.user_paging import TokenCursor, list_page
from runtime.service.user_writes import full_tags, live_security_profile_ids, plan_writes, user_after
from runtime.settings import Settings

log = get_logger("service.users")
allow_fields("user_id", "facets")

_PHONE_ATTRIBUTES = ("phoneType", "autoAccept", "afterContactWorkTimeLimit", "deskPhoneNumber")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DirectoryNames:
    """The mapping's ``NameResolver`` over the directory's cached name↔id indexes."""

    def __init__(self, directory: ConnectDirectory) -> None:
        self._directory = directory

    def security_profile_id(self, name: str) -> str | None:
        return self._directory.security_profiles.id_for(name)

    def security_profile_name(self, profile_id: str) -> str | None:
        return self._directory.security_profiles.name_for(profile_id)

    def routing_profile_id(self, name: str) -> str | None:
        return self._directory.routing_profiles.id_for(name)

    def routing_profile_name(self, profile_id: str) -> str | None:
        return self._directory.routing_profiles.name_for(profile_id)

    def hierarchy_group_id(self, name: str) -> str | None:
        return self._directory.hierarchy_groups.id_for(name)

    def hierarchy_group_name(self, group_id: str) -> str | None:
        return self._directory.hierarchy_groups.name_for(group_id)


class UserService:
    """SCIM Users over one Connect instance. Constructed once per container by the app."""

    def __init__(
        self,
        directory: ConnectDirectory,
        settings: Settings,
        *,
        profile: MappingProfile | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.profile = profile or profile_for(settings.idp)
        self.policy = self.profile.policy
        self.rules = AssignmentRules.from_settings(settings)
        self.names = DirectoryNames(directory)
        self.cursor = TokenCursor()
        self._clock = clock

    # ---- reads -----------------------------------------------------------------------------

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        with translated(resource_id):
            return self._render(self.directory.describe_user(resource_id))

    def list(self, query: ListQuery) -> Page:
        start, count = max(1, query.start_index), min(max(0, query.count), MAX_COUNT)
        if not query.filter:
            with translated():
                total, users = list_page(self.directory, self.cursor, start, count)
                return Page(
                    total=total,
                    resources=[self._render(summary_as_described(user) or user) for user in users],
                )
        node = parse_filter(query.filter, USER, self.policy)
        lookups = plan_lookups(node)
        with translated():
            found: dict[str, ConnectUser] = {}
            for lookup in lookups:
                for user in run_lookup(self.directory, lookup):
                    found.setdefault(user.user_id, user)
            candidates = sorted(found.values(), key=lambda u: (u.username.casefold(), u.user_id))
            if count == 0:
                matches = [
                    u for u in candidates if evaluate(node, self._render(summary_as_described(u) or u))
                ]
                return Page(total=len(matches), resources=[])
            rendered = [self._render(self._complete(user)) for user in candidates]
        matched = [resource for resource in rendered if evaluate(node, resource)]
        return Page(total=len(matched), resources=matched[start - 1 : start - 1 + count])

    # ---- writes ----------------------------------------------------------------------------

    def create(self, body: Resource) -> Resource:
        desired = normalize_resource(wrap_plain_values(body, self.profile), USER, self.policy)
        with translated():
            state = to_connect(desired, profile=self.profile, names=self.names, rules=self.rules)
            deactivated = "" if state.active else self._deactivated_id()
            existing = self.directory.find_by_tag(t.USERNAME_KEY, t.username_key(state.username))
            if existing:
                return self._converge(existing[0], desired)
            now = self._clock()
            tags = full_tags(state, username=state.username, created=_iso(now))
            t.check_budget({}, tags)
            live = live_security_profile_ids(state, deactivated)
            new_user = NewUser(
                username=state.username,
                security_profile_ids=live,
                routing_profile_id=state.routing_profile_id,
                first_name=state.first_name,
                last_name=state.last_name,
                mobile=state.mobile,
                hierarchy_group_id=state.hierarchy_group_id,
                phone=state.phone,
                tags=tags,
            )
            try:
                created = self.directory.create_user(new_user)
            except DuplicateUser:
                return self._created_before(state.username, tags)
        log_event(log, "user.created", operation="create", user_id=created.user_id)
        user = ConnectUser(
            user_id=created.user_id,
            arn=created.arn,
            username=new_user.username,
            first_name=new_user.first_name,
            last_name=new_user.last_name,
            mobile=new_user.mobile,
            security_profile_ids=live,
            routing_profile_id=new_user.routing_profile_id,
            hierarchy_group_id=new_user.hierarchy_group_id,
            phone=new_user.phone,
            tags=tags,
            last_modified=now,
        )
        # Rendering resolves profile names and may refresh the name cache (one Connect call): a
        # failure there is a 429/503 the IdP retries (its POST then finds the user), never a 500.
        with translated():
            return self._render(user)

    def replace(self, resource_id: str, body: Resource) -> Resource:
        desired = normalize_resource(wrap_plain_values(body, self.profile), USER, self.policy)
        with translated(resource_id):
            current = self.directory.describe_user(resource_id)
            previous = self._render(current)
            return self._update(current, previous, self._keep_connect_settings(desired, previous))

    def patch(self, resource_id: str, body: Resource) -> Resource:
        operations = parse_patch(wrap_plain_patch(body, self.profile), USER, self.policy)
        with translated(resource_id):
            current = self.directory.describe_user(resource_id)
            previous = self._render(current)
            desired = apply_patch(previous, operations, USER, self.policy)
            return self._update(current, previous, desired)

    def delete(self, resource_id: str) -> None:
        with translated(resource_id):
            self.directory.delete_user(resource_id)
        log_event(log, "user.deleted", operation="delete", user_id=resource_id)

    # ---- internals -------------------------------------------------------------------------

    def _update(self, current: ConnectUser, previous: Resource, desired: Resource) -> Resource:
        state = to_connect(
            desired,
            profile=self.profile,
            names=self.names,
            rules=self.rules,
            previous=previous,
            current=current,
        )
        if not state.active and is_active(current) and self.settings.deactivation == "delete":
            self.directory.delete_user(current.user_id)
            log_event(log, "user.deleted", operation="deactivate", user_id=current.user_id)
            return self._render(user_after(current, state, ""), modified=self._clock())
        deactivated = "" if state.active else self._deactivated_id()
        writes = plan_writes(self.directory, current, state, deactivated)
        for write in writes:
            write.run()
        if not writes:
            return previous
        facets = sorted({write.facet for write in writes})
        log_event(log, _event(current, state), operation="update", user_id=current.user_id, facets=facets)
        return self._render(user_after(current, state, deactivated), modified=self._clock())

    def _created_before(self, username: str, tags: dict[str, str]) -> Resource:
        """CreateUser said "duplicate": was it this very request, whose first reply was lost?

        botocore retries a CreateUser whose reply never arrived; the retry then meets the user the
        first attempt created. That user carries every tag this request wrote, creation time
        included, which no other request reproduces: return it. Anything else is a real clash.
        """
        for user in self.directory.find_by_tag(t.USERNAME_KEY, t.username_key(username)):
            if all(user.tags.get(key) == value for key, value in tags.items()):
                log_event(log, "user.created", operation="create", user_id=user.user_id)
                return self._render(self.directory.describe_user(user.user_id))
        raise Uniqueness(
            "a user with this userName already exists in Amazon Connect (userName is unique, "
            "case-insensitively)"
        )

    def _converge(self, existing: ConnectUser, desired: Resource) -> Resource:
        """POST for a userName that exists: the same user only if the externalId proves it."""
        sent = get_attr(desired, None, "externalId")
        if not sent or existing.tags.get(EXTERNAL_ID) != sent:
            raise Uniqueness(
                "a user with this userName already exists (userName is unique, case-insensitively); "
                'find it with filter=userName eq "..." and update it instead'
            )
        current = self.directory.describe_user(existing.user_id)
        previous = self._render(current)
        log_event(log, "user.create_replayed", operation="create", user_id=current.user_id)
        return self._update(current, previous, self._keep_connect_settings(desired, previous))

    def _keep_connect_settings(self, desired: Resource, previous: Resource) -> Resource:
        """PUT keeps the Connect settings the body leaves out (see the module docstring)."""
        merged = dict(desired)
        for source in self.profile.sources:
            if get_attr(merged, source.schema, source.attribute) is None:
                kept = get_attr(previous, source.schema, source.attribute)
                if kept is not None:
                    _put(merged, source.schema, source.attribute, kept)
        for attribute in _PHONE_ATTRIBUTES:
            if get_attr(merged, CONNECT_USER, attribute) is None:
                kept = get_attr(previous, CONNECT_USER, attribute)
                if kept is not None:
                    _put(merged, CONNECT_USER, attribute, kept)
        if "active" not in merged and "active" in previous:
            merged["active"] = previous["active"]
        return merged

    def _deactivated_id(self) -> str:
        name = self.settings.deactivated_security_profile
        found = self.names.security_profile_id(name)
        if found is None:
            raise InvalidValue(
                f"the security profile '{name}' (DEACTIVATED_SECURITY_PROFILE) does not exist in the Amazon "
                "Connect instance, so users cannot be deactivated; create it or fix the setting"
            )
        return found

    def _complete(self, user: ConnectUser) -> ConnectUser:
        return summary_as_described(user) or self.directory.describe_user(user.user_id)

    def _render(self, user: ConnectUser, *, modified: datetime | None = None) -> Resource:
        resource = to_scim(user, profile=self.profile, names=self.names, rules=self.rules)
        meta: dict[str, Any] = {"resourceType": "User"}
        created = user.tags.get(t.CREATED)
        if created:
            meta["created"] = created
        last_modified = modified or user.last_modified
        if last_modified is not None:
            meta["lastModified"] = _iso(last_modified)
        meta["location"] = f"{self.settings.scim_base_path.rstrip('/')}/Users/{user.user_id}"
        resource["meta"] = meta
        return resource


def _put(resource: dict[str, Any], schema: str | None, attribute: str, value: Any) -> None:
    if schema is None:
        resource[attribute] = value
        return
    box = dict(resource.get(schema) or {})
    box[attribute] = value
    resource[schema] = box
    schemas = list(resource.get("schemas") or [])
    if schema not in schemas:
        resource["schemas"] = [*schemas, schema]


def _event(current: ConnectUser, state: DesiredState) -> str:
    if is_active(current) and not state.active:
        return "user.deactivated"
    if not is_active(current) and state.active:
        return "user.reactivated"
    return "user.updated"
