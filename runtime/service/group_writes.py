"""One user joining or leaving a group: the fewest Connect writes, in a retry-safe order.

The profile arithmetic is the mapping's (``runtime.mapping.profile_sets``); this module turns its
answer into calls:

* an **active** user gets one UpdateUserSecurityProfiles with its whole new set (Connect has no
  add/remove-one call), and no call at all when the set does not change;
* a **deactivated** user (``disable`` mode) keeps the deactivated profile and no access: the set
  remembered for its reactivation is rewritten in its tags (one TagResource);
* the record of which profiles the user's attributes asked for is written only when the change
  makes it necessary (``profile_sets``), in the same TagResource.

Tags go before the profile update: if the update then fails, the record describes the user as
it still is, and the IdP's retry finds the profile missing and repeats just the update.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser
from runtime.mapping import profile_sets as ps
from runtime.mapping import tags as t
from runtime.mapping.codec import (
    MAX_SECURITY_PROFILES,
    AssignmentRules,
    NameResolver,
    default_security_profile_ids,
    is_active,
    security_split,
)
from runtime.mapping.profiles import MappingProfile
from runtime.scim.errors import InvalidValue
from runtime.service.user_writes import Write


@dataclass(frozen=True)
class Membership:
    """What a user's profiles become when it joins or leaves one group, and the calls to get there."""

    user: ConnectUser
    held: tuple[str, ...]
    writes: tuple[Write, ...]


def plan_membership(
    directory: ConnectDirectory,
    user: ConnectUser,
    profile_id: str,
    *,
    join: bool,
    profile: MappingProfile,
    names: NameResolver,
    rules: AssignmentRules,
) -> Membership:
    """Plan ``user`` joining (``join``) or leaving the group ``profile_id``; raises before any write."""
    before = security_split(user, profile=profile, names=names, rules=rules)
    if join:
        change = ps.after_join(before, profile_id)
        if len(change.held) > MAX_SECURITY_PROFILES:
            raise InvalidValue(
                f"user {user.user_id} already holds {len(before.held)} security profiles; Amazon "
                f"Connect allows at most {MAX_SECURITY_PROFILES}, so it cannot join another group"
            )
    else:
        # Leaving the only group needs the defaults: a missing one is then refused, naming the
        # setting; otherwise they only tell the floor apart, and a missing one just is not there.
        strict = before.held == (profile_id,)
        defaults = default_security_profile_ids(names, rules, strict=strict)
        change = ps.after_leave(before, profile_id, defaults=defaults)
    active = is_active(user)
    desired = _desired_tags(user, change, active=active)
    writes = _tag_writes(directory, user, desired)
    if active and set(change.held) != set(user.security_profile_ids):
        held = change.held
        writes.append(
            Write("securityProfiles", lambda: directory.update_security_profiles(user.user_id, held))
        )
    return Membership(user=user, held=change.held, writes=tuple(writes))


def _desired_tags(user: ConnectUser, change: ps.Change, *, active: bool) -> dict[str, str]:
    """Our tags with the record (and, while deactivated, the remembered set) rewritten."""
    rewritten = set(t.chunk_keys(ps.ATTRIBUTE_PROFILES))
    if not active:
        rewritten |= set(t.chunk_keys(t.SAVED_SECURITY_PROFILES))
    desired = {key: value for key, value in user.tags.items() if t.is_ours(key) and key not in rewritten}
    ps.put_record(desired, change.record)
    if not active:
        t.put_ids(desired, t.SAVED_SECURITY_PROFILES, change.held)
    return desired


def _tag_writes(directory: ConnectDirectory, user: ConnectUser, desired: dict[str, str]) -> list[Write]:
    """One TagResource (removed keys ride along as ``""``), or UntagResource when only removing."""
    to_set, to_clear = t.tag_changes(user.tags, desired)
    if not to_set and not to_clear:
        return []
    t.check_budget(user.tags, desired)
    arn = user.arn
    if not to_set:
        return [Write("tags", lambda: directory.untag_user(arn, to_clear))]
    if len(set(user.tags) | set(to_set) | to_clear) <= t.MAX_TAGS:
        merged = {**to_set, **dict.fromkeys(to_clear, "")}
        return [Write("tags", lambda: directory.tag_user(arn, merged))]
    return [
        Write("tags", lambda: directory.untag_user(arn, to_clear)),
        Write("tags", lambda: directory.tag_user(arn, to_set)),
    ]
