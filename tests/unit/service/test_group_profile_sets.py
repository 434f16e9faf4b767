"""The profile-set rule: a user's attributes own what they asked for, its groups own the rest.

Pure functions of ``runtime.mapping.profile_sets`` (ids stand for security profiles): the split
of what a user holds, and what a user write, a group join and a group leave make of it.
"""

from __future__ import annotations

import pytest

from runtime.mapping import profile_sets as ps

AGENT, CCM, QA, ADMIN = "sp-agent", "sp-ccm", "sp-qa", "sp-admin"
DEFAULTS = (AGENT,)


def split(*held: str, record: tuple[str, ...] | None = None, asked_nothing: bool = False) -> ps.Split:
    return ps.split(held, record=record, asked_nothing=asked_nothing, defaults=DEFAULTS)


def test_without_a_record_the_attributes_own_everything_held() -> None:
    # Every user no group has touched: the behaviour before groups existed.
    assert split(AGENT, QA).attribute == (AGENT, QA)
    assert split(AGENT, QA).group == ()


def test_a_user_created_without_profiles_holds_the_defaults_as_its_attribute_part() -> None:
    floor = split(AGENT, CCM, asked_nothing=True)
    assert (floor.attribute, floor.group, floor.floor) == ((AGENT,), (CCM,), True)


def test_stale_asked_nothing_without_the_defaults_held_means_the_attributes_own_all() -> None:
    # "null" remembered, then the IdP named QualityAnalyst only: the defaults are gone.
    assert split(QA, asked_nothing=True).attribute == (QA,)


def test_a_record_names_the_attribute_part_among_what_is_still_held() -> None:
    recorded = split(AGENT, CCM, record=(AGENT, QA))
    assert (recorded.attribute, recorded.group) == ((AGENT,), (CCM,))


def test_when_nothing_recorded_is_held_any_more_the_held_defaults_are_the_attribute_part() -> None:
    assert split(AGENT, CCM, record=(QA,)).attribute == (AGENT,)
    assert split(CCM, record=()).attribute == ()


def test_okta_group_push_to_a_user_whose_entitlements_say_agent_records_them_once() -> None:
    joined = ps.after_join(split(AGENT), CCM)
    assert joined == ps.Change(held=(AGENT, CCM), record=(AGENT,))
    # The next join finds the record: nothing more to write about the split.
    again = ps.after_join(split(*joined.held, record=joined.record), QA)
    assert again == ps.Change(held=(AGENT, CCM, QA), record=(AGENT,))


def test_joining_a_group_already_held_changes_nothing() -> None:
    assert ps.after_join(split(AGENT, CCM), CCM) == ps.Change(held=(AGENT, CCM), record=None)


def test_joining_keeps_the_defaults_and_needs_no_record_for_a_user_that_asked_for_nothing() -> None:
    assert ps.after_join(split(AGENT, asked_nothing=True), CCM) == ps.Change((AGENT, CCM), None)


def test_okta_resending_the_same_entitlements_keeps_what_a_group_gave() -> None:
    after_push = split(AGENT, CCM, record=(AGENT,))
    resent = ps.after_attributes(after_push, (AGENT,), asked_nothing=False, defaults=DEFAULTS)
    assert resent == ps.Change(held=(AGENT, CCM), record=(AGENT,))


def test_new_attributes_replace_only_the_attribute_part() -> None:
    after_push = split(AGENT, CCM, record=(AGENT,))
    changed = ps.after_attributes(after_push, (QA,), asked_nothing=False, defaults=DEFAULTS)
    assert changed == ps.Change(held=(QA, CCM), record=(QA,))


def test_attributes_naming_a_group_profile_take_it_over_and_drop_the_record() -> None:
    after_push = split(AGENT, CCM, record=(AGENT,))
    claimed = ps.after_attributes(after_push, (AGENT, CCM), asked_nothing=False, defaults=DEFAULTS)
    assert claimed == ps.Change(held=(AGENT, CCM), record=None)


def test_attributes_removed_fall_back_to_the_defaults_without_a_record() -> None:
    after_push = split(QA, CCM, record=(QA,))
    cleared = ps.after_attributes(after_push, DEFAULTS, asked_nothing=True, defaults=DEFAULTS)
    assert cleared == ps.Change(held=(AGENT, CCM), record=None)
    assert split(*cleared.held, asked_nothing=True).group == (CCM,)


def test_users_without_groups_keep_the_old_behaviour_and_no_record() -> None:
    assert ps.after_attributes(split(AGENT), (QA,), asked_nothing=False, defaults=DEFAULTS) == ps.Change(
        (QA,), None
    )


def test_leaving_removes_the_profile_whichever_part_held_it() -> None:
    assert ps.after_leave(split(AGENT, CCM, record=(AGENT,)), CCM, defaults=DEFAULTS) == ps.Change(
        (AGENT,), (AGENT,)
    )
    assert ps.after_leave(split(AGENT, CCM), AGENT, defaults=DEFAULTS) == ps.Change((CCM,), None)


def test_leaving_a_group_not_held_changes_nothing() -> None:
    assert ps.after_leave(split(AGENT), CCM, defaults=DEFAULTS) == ps.Change((AGENT,), None)


def test_leaving_the_last_group_falls_back_to_the_defaults() -> None:
    assert ps.after_leave(split(CCM, record=()), CCM, defaults=DEFAULTS) == ps.Change((AGENT,), ())
    assert ps.after_leave(split(CCM), CCM, defaults=(AGENT, QA)) == ps.Change((AGENT, QA), None)


def test_leaving_the_group_of_a_default_profile_records_that_the_attributes_ask_for_nothing() -> None:
    # Created without profiles (Agent by default), then pushed into CallCenterManager; Okta removes
    # the user from its "Agent" group: without the record, the rest would read as asked for.
    change = ps.after_leave(split(AGENT, CCM, asked_nothing=True), AGENT, defaults=DEFAULTS)
    assert change == ps.Change((CCM,), ())
    assert split(*change.held, record=change.record, asked_nothing=True).group == (CCM,)


@pytest.mark.parametrize(
    ("record", "tags"),
    [
        (None, {}),
        ((), {ps.ATTRIBUTE_PROFILES: "none"}),
        ((AGENT, QA), {ps.ATTRIBUTE_PROFILES: f"{AGENT} {QA}"}),
    ],
)
def test_the_record_round_trips_through_tags(record: tuple[str, ...] | None, tags: dict[str, str]) -> None:
    written: dict[str, str] = {}
    ps.put_record(written, record)
    assert written == tags
    assert ps.read_record(written) == record
    carried: dict[str, str] = {}
    ps.carry_record(written, carried)
    assert carried == written


def test_a_record_of_ten_uuids_spans_chunked_tags() -> None:
    ids = tuple(f"{n:08d}-0000-4000-8000-000000000000" for n in range(10))
    written: dict[str, str] = {}
    ps.put_record(written, ids)
    assert len(written) == 2 and all(len(value) <= 256 for value in written.values())
    assert ps.read_record(written) == ids
