"""From the current Connect user and the desired state to the fewest Connect writes, in a safe order.

Each facet (identity, security profiles, routing profile, hierarchy, phone, tags) is one
Connect call, made only when that facet differs: an unchanged PUT/PATCH (Entra's periodic
re-sync) costs the read and nothing else.

Every write sets absolute values (no deltas), so re-running the same SCIM request after a
failure half-way (a 429 or 503 on the third call) re-reads the user, finds the facets already
written equal, and writes only the rest: the IdP's own retry repairs a partial update. The one
piece of state that could be lost is the set of security profiles remembered while a user is
deactivated, so the order around it is fixed:

* when the desired state is **inactive**, tags go first (they carry ``scim:active=false`` and
  the remembered profile ids), then the profiles are swapped for the deactivated profile — if
  the swap fails, the retry still knows what to restore;
* otherwise the profiles are restored first and the tags (clearing the marker and the
  remembered ids) are written last — if the tag write fails, the user keeps reading
  ``active: false`` and the retry clears it.

Tag removals ride in the same TagResource call as ``""`` values (one call whatever changes);
an UntagResource is used alone when a change only removes, or additionally when the leftover
``""`` tags would push the user past Connect's 50 tags.

Proven, not assumed: ``tests/reliability/test_interrupted_operations.py`` fails each Connect call
of each multi-call operation in turn (create, PUT/PATCH of every facet, deactivation and
reactivation in both modes, a deactivation carrying other changes, DELETE, group pushes) — not
applied, throttled, or applied with its reply lost — and shows that the IdP's retry of the same
request ends in exactly the state an uninterrupted run leaves, and that in between the user never
has zero security profiles nor loses the remembered ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser
from runtime.mapping import tags as t
from runtime.mapping.codec import DesiredState


@dataclass(frozen=True)
class Write:
    facet: str
    run: Callable[[], None]


def live_security_profile_ids(state: DesiredState, deactivated_id: str) -> tuple[str, ...]:
    return state.security_profile_ids if state.active else (deactivated_id,)


def full_tags(
    state: DesiredState, *, username: str, created: str | None, mirror_mobile: bool = True
) -> dict[str, str]:
    """Every ``scim:`` tag the user should carry: the attribute tags plus the service's state."""
    tags = dict(state.tags)
    tags[t.USERNAME_KEY] = t.username_key(username)
    if created:
        tags[t.CREATED] = created
    if mirror_mobile:
        tags[t.MOBILE] = state.mobile or t.NO_MOBILE
    if not state.active:
        tags[t.ACTIVE] = "false"
        t.put_ids(tags, t.SAVED_SECURITY_PROFILES, state.security_profile_ids)
    return tags


def plan_writes(
    directory: ConnectDirectory, current: ConnectUser, state: DesiredState, deactivated_id: str
) -> list[Write]:
    """The writes that turn ``current`` into ``state`` (empty when nothing differs)."""
    user_id = current.user_id
    writes: list[Write] = []
    if (state.first_name, state.last_name, state.mobile) != (
        current.first_name,
        current.last_name,
        current.mobile,
    ):
        writes.append(
            Write(
                "identity",
                lambda: directory.update_identity_info(
                    user_id,
                    first_name=state.first_name,
                    last_name=state.last_name,
                    mobile=state.mobile,
                    email=current.email,
                    secondary_email=current.secondary_email,
                ),
            )
        )
    if state.routing_profile_id != current.routing_profile_id:
        writes.append(
            Write(
                "routingProfile", lambda: directory.update_routing_profile(user_id, state.routing_profile_id)
            )
        )
    if state.hierarchy_group_id != current.hierarchy_group_id:
        writes.append(
            Write("hierarchyGroup", lambda: directory.update_hierarchy(user_id, state.hierarchy_group_id))
        )
    if state.phone != current.phone:
        writes.append(Write("phone", lambda: directory.update_phone_config(user_id, state.phone)))
    live = live_security_profile_ids(state, deactivated_id)
    profile_write = (
        [Write("securityProfiles", lambda: directory.update_security_profiles(user_id, live))]
        if set(live) != set(current.security_profile_ids)
        else []
    )
    desired = _desired_tags(current, state)
    tag_writes = _tag_writes(directory, current, desired)
    if state.active:
        return writes + profile_write + tag_writes
    return tag_writes + profile_write + writes


def _desired_tags(current: ConnectUser, state: DesiredState) -> dict[str, str]:
    """``full_tags`` for an existing user. The mobile mirror is kept up to date where it exists
    and written when the mobile changes. A user without one (created outside SCIM or before the
    mirror) gets it in a TagResource that is made anyway, never in a call of its own: until then
    its filtered GETs keep their DescribeUser.
    """
    created = current.tags.get(t.CREATED)
    mirror = bool(current.tags.get(t.MOBILE)) or state.mobile != current.mobile
    desired = full_tags(state, username=current.username, created=created, mirror_mobile=mirror)
    if not mirror and t.tag_changes(current.tags, desired)[0]:
        desired = full_tags(state, username=current.username, created=created)
    return desired


def _tag_writes(directory: ConnectDirectory, current: ConnectUser, desired: dict[str, str]) -> list[Write]:
    to_set, to_clear = t.tag_changes(current.tags, desired)
    if not to_set and not to_clear:
        return []
    t.check_budget(current.tags, desired)
    arn = current.arn
    if not to_set:
        return [Write("tags", lambda: directory.untag_user(arn, to_clear))]
    blanks = {key for key, value in current.tags.items() if t.is_ours(key) and not value}
    after_tagging = set(current.tags) | set(to_set) | to_clear
    if len(after_tagging) <= t.MAX_TAGS:
        merged = {**to_set, **dict.fromkeys(to_clear, "")}
        return [Write("tags", lambda: directory.tag_user(arn, merged))]
    stale = (to_clear | blanks) - set(to_set)
    return [
        Write("tags", lambda: directory.untag_user(arn, stale)),
        Write("tags", lambda: directory.tag_user(arn, to_set)),
    ]


def user_after(current: ConnectUser, state: DesiredState, deactivated_id: str) -> ConnectUser:
    """The user as Connect holds it once the writes are done (rendered without another read)."""
    desired = _desired_tags(current, state)
    tags = {key: value for key, value in current.tags.items() if not t.is_ours(key)}
    tags.update(desired)
    return dataclasses.replace(
        current,
        first_name=state.first_name,
        last_name=state.last_name,
        mobile=state.mobile,
        security_profile_ids=live_security_profile_ids(state, deactivated_id),
        routing_profile_id=state.routing_profile_id,
        hierarchy_group_id=state.hierarchy_group_id,
        phone=state.phone,
        tags=tags,
    )
