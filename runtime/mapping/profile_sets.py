"""One set of security profiles per user, fed by two sources: its attributes and its groups.

Connect keeps one list of security profiles per user (``held``; while a user is deactivated in
``disable`` mode, the list remembered for its reactivation). SCIM writes it two ways: the
user's own attributes (Okta ``entitlements``, Entra ``department``, the extension's
``securityProfiles``) and ``/Groups`` membership (a Group is a security profile; its members are
the users holding it). Both views read the same list, so ``GET /Users/{id}`` ``groups`` and
``GET /Groups/{id}`` ``members`` always agree. What must not happen is one source undoing the
other on every sync: an Okta user whose ``entitlements`` say ``[Agent]`` and whom a group push
gave ``CallCenterManager`` must not lose it when Okta next pushes ``entitlements: [Agent]``, nor
read back ``[Agent, CallCenterManager]`` (Okta or Entra would then "correct" it every cycle).

The rule: **the attributes own what they asked for, groups own the rest.**

* ``held`` splits into the *attribute part* (what the attributes asked for, or the configured
  defaults when they asked for nothing) and the *group part* (everything else: profiles a group
  gave, or an administrator added in Connect's console).
* The attributes read back their part only; ``groups`` lists everything held.
* A user write replaces the attribute part and keeps the group part
  (``held' = attributes' + group part``), so an IdP re-sending the same attributes changes
  nothing, and new attributes never take away what a group gave.
* Joining a group adds that one profile (a profile the user already holds changes nothing);
  leaving removes it, whichever part held it: membership is holding, so after a removal
  ``GET /Groups/{id}`` no longer lists the user. If the IdP's attributes still name it, their
  next push gives it back — the two IdP settings contradict each other and the last one wins.
* Nobody is left with no profile (Connect requires one): leaving the last group falls back to
  the configured defaults. Joining a group keeps the defaults a user was created with; the
  defaults go only when something removes them (a group removal or attributes naming others).

Bookkeeping. The split needs no record while the attributes own everything held (every user no
group has touched), nor while the attributes asked for nothing and the defaults are still held
(``asked_nothing``: the mapping remembers that as ``null`` source tags) — then the defaults are
the attribute part. Otherwise the attribute part is recorded as ids in
``scim:attributeSecurityProfileIds`` (``none`` for no id); the part is the recorded ids still
held, or the held defaults when none is. The record is written only when a change makes it
necessary, so the first group a user with attribute-assigned profiles joins costs one tag write;
later joins and every removal cost none, and users that never meet a group never carry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from runtime.mapping import tags as t

ATTRIBUTE_PROFILES = "scim:attributeSecurityProfileIds"
_NONE = "none"


@dataclass(frozen=True)
class Split:
    """``held`` with its attribute part; ``record`` is what the tag says (None: no tag)."""

    held: tuple[str, ...]
    attribute: tuple[str, ...]
    record: tuple[str, ...] | None
    floor: bool = False

    @property
    def group(self) -> tuple[str, ...]:
        return tuple(item for item in self.held if item not in self.attribute)


@dataclass(frozen=True)
class Change:
    """The held profiles and the record after a change (``record`` None: no tag)."""

    held: tuple[str, ...]
    record: tuple[str, ...] | None


def split(
    held: Iterable[str],
    *,
    record: tuple[str, ...] | None,
    asked_nothing: bool,
    defaults: Iterable[str],
) -> Split:
    """Which of ``held`` the attributes own (see the module docstring)."""
    held_ids = tuple(dict.fromkeys(held))
    default_ids = set(defaults)
    if record is not None:
        owned = tuple(item for item in held_ids if item in record)
        if not owned:
            owned = tuple(item for item in held_ids if item in default_ids)
        return Split(held_ids, owned, record)
    if asked_nothing and default_ids and default_ids <= set(held_ids):
        return Split(held_ids, tuple(item for item in held_ids if item in default_ids), None, floor=True)
    return Split(held_ids, held_ids, None)


def after_attributes(
    current: Split, attribute_ids: Iterable[str], *, asked_nothing: bool, defaults: Iterable[str]
) -> Change:
    """The attributes now ask for ``attribute_ids`` (the defaults when ``asked_nothing``)."""
    wanted = tuple(dict.fromkeys(attribute_ids))
    kept = tuple(item for item in current.group if item not in wanted)
    held = wanted + kept
    if not kept:
        return Change(held, None)
    if asked_nothing and set(wanted) == set(defaults):
        return Change(held, None)  # the defaults read as the attribute part without a record
    return Change(held, wanted)


def after_join(current: Split, profile_id: str) -> Change:
    """A group adds ``profile_id``."""
    if profile_id in current.held:
        return Change(current.held, current.record)
    held = (*current.held, profile_id)
    if current.record is not None or current.floor:
        return Change(held, current.record)
    return Change(held, current.attribute)


def after_leave(current: Split, profile_id: str, *, defaults: Iterable[str]) -> Change:
    """A group removes ``profile_id``; an empty set falls back to ``defaults``."""
    if profile_id not in current.held:
        return Change(current.held, current.record)
    default_ids = tuple(dict.fromkeys(defaults))
    held = tuple(item for item in current.held if item != profile_id) or default_ids
    if current.record is not None:
        return Change(held, current.record)
    if current.floor and not set(default_ids) <= set(held):
        # The defaults were the attribute part and one of them left: say what remains of it.
        return Change(held, tuple(item for item in current.attribute if item in held))
    return Change(held, None)


def read_record(tags: Mapping[str, str]) -> tuple[str, ...] | None:
    """The recorded attribute part, ``()`` for "none", None when there is no record."""
    first = tags.get(ATTRIBUTE_PROFILES)
    if not first:
        return None
    if first == _NONE:
        return ()
    return t.get_ids(tags, ATTRIBUTE_PROFILES)


def put_record(tags: dict[str, str], record: tuple[str, ...] | None) -> None:
    """Write ``record`` into ``tags`` (a dict without any record keys; None writes nothing)."""
    if record is None:
        return
    if not record:
        tags[ATTRIBUTE_PROFILES] = _NONE
        return
    t.put_ids(tags, ATTRIBUTE_PROFILES, record)


def carry_record(current: Mapping[str, str], tags: dict[str, str]) -> None:
    """Copy the record's tags from ``current`` into ``tags`` unchanged."""
    for key in t.chunk_keys(ATTRIBUTE_PROFILES):
        value = current.get(key)
        if value:
            tags[key] = value
