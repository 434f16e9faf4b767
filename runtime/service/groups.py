"""SCIM Groups as Amazon Connect security profiles: a group's members are the users holding it.

Administrators manage access in their IdP with groups ("everyone in Connect-Supervisors gets
CallCenterManager"). Here a SCIM Group *is* a security profile: ``id`` is the profile id,
``displayName`` its name, and ``members`` the users that hold it. Membership changes are
security profile changes of those users, made with the same rule as the users' own attributes
(``runtime.mapping.profile_sets``), so ``GET /Users/{id}`` ``groups`` and ``GET /Groups/{id}``
``members`` always agree.

Which profiles are groups: the assignable ones (``ASSIGNABLE_SECURITY_PROFILES`` when set), never
the deactivated-user profile. Groups are listed from the cached profile list, sorted by name.

Decisions:

* **The IdP never creates or deletes permissions.** ``POST /Groups`` naming an existing profile
  answers 409 ``uniqueness`` — Okta and Entra then look the group up by ``displayName`` and link
  to it; a name no profile has answers 400 ``invalidValue`` telling the administrator to create
  the security profile in Connect first. ``DELETE`` removes the profile from every member and
  answers 204; the profile stays, so the group still reads back, without members (RFC 7644 §3.6
  would have it answer 404; a Connect administrator deletes profiles).
* **Names are Connect's.** ``displayName`` is immutable: a PUT or PATCH carrying the same name
  (any case; Okta's path-less rename sends it with the read-only ``id``) is fine, another name
  is 400 ``mutability``.
* **Members are users.** An added id that is not a Connect user is 400 ``invalidValue`` naming
  it, and nothing is written; removing one is a no-op (it is no member), so an IdP cleaning up
  after a deleted user does not fail. ``type`` other than ``User`` is refused.
* **Deactivated users** (``disable`` mode) stay members of what they will get back on
  reactivation: their remembered profiles count, and a change rewrites those, not live access.
* **PATCH answers 204** (RFC 7644 §3.5.2): reading the members back would cost a search per 500
  members; with ``attributes`` it answers 200 with them. PUT answers 200 with the members it
  set, at no extra cost. ``externalId`` is accepted and not kept: a security profile has nowhere
  to keep it, and IdPs match groups by ``displayName``.

Call budget (warm profile cache; k = users a request changes, M = members of the group):

=====================================  ===============================================
GET /Groups/{id}, members excluded     0 (a cold cache or unknown id: 1 ListSecurityProfiles)
GET /Groups/{id}                       SearchUsers per 500 holders + 1 SearchUsers
                                       (deactivated users) = 2 below 500 members
GET ?filter=displayName eq / id eq     0, plus the members of each group returned
GET ?filter=members[value eq "u"]      + 1 DescribeUser per user named
POST                                   0 (409 or 400)
PATCH add / remove of k users          k DescribeUser + ≤ k UpdateUserSecurityProfiles
                                       (deactivated users: TagResource instead); a user whose
                                       attributes name profiles joining its first group: +1
                                       TagResource (the ``profile_sets`` record)
PATCH replace members / PUT            the members search + the reads and writes of the
                                       changed users only
DELETE                                 the members search + a read and a write per member
=====================================  ===============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser, UserNotFound
from runtime.mapping import tags as t
from runtime.mapping.codec import AssignmentRules, effective_security_profile_ids, group_visible
from runtime.mapping.profiles import MappingProfile, profile_for
from runtime.observability import allow_fields, get_logger, log_event
from runtime.scim.errors import InvalidValue, Mutability, NotFound, Uniqueness
from runtime.scim.filter import evaluate, parse_filter
from runtime.scim.listing import MAX_COUNT
from runtime.scim.patch import apply_patch, parse_patch
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import CORE_GROUP, GROUP
from runtime.service.base import ListQuery, Page, Resource
from runtime.service.group_members import MemberDiff, diff, member_ids, named_ids, needs_every_member
from runtime.service.group_query import member_references, stand_in
from runtime.service.group_writes import plan_membership
from runtime.service.user_errors import translated
from runtime.service.users import DirectoryNames
from runtime.settings import Settings

log = get_logger("service.groups")
_Named = list[tuple[str, str]]  # (security profile id, name); a class-level `list` is the method
allow_fields("group_id", "members_added", "members_removed")


class GroupService:
    """SCIM Groups over one Connect instance's security profiles."""

    def __init__(
        self, directory: ConnectDirectory, settings: Settings, *, profile: MappingProfile | None = None
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.profile = profile or profile_for(settings.idp)
        self.policy = self.profile.policy
        self.rules = AssignmentRules.from_settings(settings)
        self.names = DirectoryNames(directory)

    # ---- reads -----------------------------------------------------------------------------

    def get(self, resource_id: str, *, wants_members: bool = True) -> Resource:
        with translated():
            name = self._name(resource_id)
            members = _Members(self.directory).of(resource_id) if wants_members else None
        return self._render(resource_id, name, None if members is None else members.values())

    def list(self, query: ListQuery) -> Page:
        start, count = max(1, query.start_index), min(max(0, query.count), MAX_COUNT)
        with translated():
            groups = self._groups()
            if query.filter:
                node = parse_filter(query.filter, GROUP, self.policy)
                holders = self._holdings(member_references(node))
                groups = [(gid, name) for gid, name in groups if evaluate(node, stand_in(gid, name, holders))]
            page = groups[start - 1 : start - 1 + count] if count else []
            members = _Members(self.directory)
            resources = [
                self._render(gid, name, members.of(gid).values() if query.wants_members else None)
                for gid, name in page
            ]
        return Page(total=len(groups), resources=resources)

    # ---- writes ----------------------------------------------------------------------------

    def create(self, body: Resource) -> Resource:
        desired = normalize_resource(body, GROUP, self.policy)
        name = desired["displayName"]
        with translated():
            same = [
                (gid, found)
                for gid, found in self.directory.security_profiles.entries()
                if _same(found, name)
            ]
        visible = [(gid, found) for gid, found in same if group_visible(found, self.rules)]
        if visible:
            gid, found = visible[0]
            raise Uniqueness(
                f"the group '{found}' already exists: it is the Amazon Connect security profile {gid}. "
                f'Link to it (GET /Groups?filter=displayName eq "{found}") instead of creating it'
            )
        if same:
            raise InvalidValue(
                f"the security profile '{same[0][1]}' exists in Amazon Connect but is not assignable "
                "through SCIM (ASSIGNABLE_SECURITY_PROFILES, or the deactivated-user profile), so it is "
                "not a group"
            )
        raise InvalidValue(
            f"there is no Amazon Connect security profile named '{name}'. A group is a security "
            "profile, and connect-scim never creates or deletes permissions: create the security "
            "profile in Amazon Connect first, then push the group again to link it"
        )

    def replace(self, resource_id: str, body: Resource) -> Resource:
        desired = normalize_resource(body, GROUP, self.policy)
        wanted = member_ids(desired.get("members"))
        with translated():
            name = self._name(resource_id)
            self._check_name(name, desired.get("displayName"))
            current = _Members(self.directory).of(resource_id)
            known = dict(current)
            change = diff(current, wanted)
            self._apply(resource_id, change, known)
            members = [known[user_id] for user_id in wanted if user_id in known]
        return self._render(resource_id, name, members)

    def patch(self, resource_id: str, body: Resource) -> Resource | None:
        operations = parse_patch(body, GROUP, self.policy)
        with translated():
            name = self._name(resource_id)
            known: dict[str, ConnectUser] = {}
            if needs_every_member(operations):
                known.update(_Members(self.directory).of(resource_id))
                before = list(known)
                fresh: set[str] = set()
            else:
                ids = named_ids(operations)
                named = self._read_users(ids)
                known.update(named)
                before = [uid for uid, user in named.items() if _holds(user, resource_id)]
                fresh = set(ids)
            group = self._render(resource_id, name, [known[uid] for uid in before])
            patched = apply_patch(group, operations, GROUP, self.policy)
            self._check_name(name, patched.get("displayName"))
            change = diff(before, member_ids(patched.get("members")))
            self._apply(resource_id, change, known, fresh=fresh)
        return None

    def delete(self, resource_id: str) -> None:
        with translated():
            self._name(resource_id)
            current = _Members(self.directory).of(resource_id)
            self._apply(resource_id, MemberDiff(added=(), removed=tuple(current)), dict(current))

    # ---- internals -------------------------------------------------------------------------

    def _groups(self) -> _Named:
        entries = self.directory.security_profiles.entries()
        visible = [(gid, name) for gid, name in entries if group_visible(name, self.rules)]
        return sorted(visible, key=lambda item: (item[1].casefold(), item[0]))

    def _name(self, group_id: str) -> str:
        name = self.directory.security_profiles.name_for(group_id)
        if name is None or not group_visible(name, self.rules):
            raise NotFound(
                f"Group {group_id} not found: no assignable Amazon Connect security profile has this id"
            )
        return name

    @staticmethod
    def _check_name(name: str, sent: Any) -> None:
        if isinstance(sent, str) and not _same(sent, name):
            raise Mutability(
                "'displayName' cannot change: a group is the Amazon Connect security profile "
                f"'{name}', and connect-scim never renames profiles; rename it in Amazon Connect"
            )

    def _holdings(self, user_ids: Iterable[str]) -> dict[str, set[str]]:
        return {
            user_id: set(effective_security_profile_ids(user))
            for user_id, user in self._read_users(user_ids).items()
        }

    def _read_users(self, user_ids: Iterable[str]) -> dict[str, ConnectUser]:
        """DescribeUser each id (strongly consistent, unlike SearchUsers); unknown ids are left out."""
        found: dict[str, ConnectUser] = {}
        for user_id in user_ids:
            try:
                found[user_id] = self.directory.describe_user(user_id)
            except UserNotFound:
                continue
        return found

    def _apply(
        self,
        group_id: str,
        change: MemberDiff,
        known: dict[str, ConnectUser],
        *,
        fresh: set[str] | None = None,
    ) -> None:
        """Check every changed user, then write: a bad member id writes nothing.

        Users known only from the members search are read again first (DescribeUser): a search
        summary may lag a recent write, and the write sets the user's whole profile list.
        """
        fresh = set() if fresh is None else fresh
        changed = (*change.added, *change.removed)
        reread = self._read_users([uid for uid in changed if uid not in fresh])
        known.update(reread)
        users = {uid: known[uid] for uid in changed if uid in known and (uid in fresh or uid in reread)}
        missing = [uid for uid in change.added if uid not in users]
        if missing:
            raise InvalidValue(
                f"member {missing[0]} is not an Amazon Connect user: add users by the id SCIM gave "
                "them (GET /Users); no membership was changed"
            )
        plans = [
            plan_membership(
                self.directory,
                users[uid],
                group_id,
                join=join,
                profile=self.profile,
                names=self.names,
                rules=self.rules,
            )
            for uid, join in [(uid, True) for uid in change.added] + [(uid, False) for uid in change.removed]
            if uid in users  # a removed member that no longer exists needs no write
        ]
        for plan in plans:
            for write in plan.writes:
                write.run()
        if change:
            log_event(
                log,
                "group.members_changed",
                operation="members",
                group_id=group_id,
                members_added=len(change.added),
                members_removed=len(change.removed),
            )

    def _render(self, group_id: str, name: str, members: Iterable[ConnectUser] | None) -> Resource:
        resource: dict[str, Any] = {"schemas": [CORE_GROUP], "id": group_id, "displayName": name}
        rendered = sorted(
            (
                {
                    "value": user.user_id,
                    "$ref": f"Users/{user.user_id}",
                    "display": user.username,
                    "type": "User",
                }
                for user in members or ()
            ),
            key=lambda member: (member["display"].casefold(), member["value"]),
        )
        if rendered:
            resource["members"] = rendered
        resource["meta"] = {
            "resourceType": "Group",
            "location": f"{self.settings.scim_base_path.rstrip('/')}/Groups/{group_id}",
        }
        return resource


class _Members:
    """The members of groups within one request; the deactivated users are searched once."""

    def __init__(self, directory: ConnectDirectory) -> None:
        self._directory = directory
        self._deactivated: list[ConnectUser] | None = None

    def of(self, group_id: str) -> dict[str, ConnectUser]:
        """Users holding ``group_id``, by id: live holders, and deactivated users remembering it."""
        found: dict[str, ConnectUser] = {}
        token: str | None = None
        while True:
            page = self._directory.search_by_security_profile(group_id, next_token=token)
            for user in page.users:
                if _holds(user, group_id):
                    found.setdefault(user.user_id, user)
            token = page.next_token
            if not token or not page.users:
                break
        for user in self._deactivated_users():
            if _holds(user, group_id):
                found.setdefault(user.user_id, user)
        return found

    def _deactivated_users(self) -> list[ConnectUser]:
        if self._deactivated is None:
            users: list[ConnectUser] = []
            token: str | None = None
            while True:
                page = self._directory.search_by_tag(t.ACTIVE, "false", next_token=token)
                users.extend(page.users)
                token = page.next_token
                if not token or not page.users:
                    break
            self._deactivated = users
        return self._deactivated


def _holds(user: ConnectUser, group_id: str) -> bool:
    """Membership is holding the profile: the remembered set while deactivated, else the live one."""
    return group_id in effective_security_profile_ids(user)


def _same(left: str, right: str) -> bool:
    return left.casefold() == right.casefold()
