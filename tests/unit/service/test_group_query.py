"""Group filters answered without searching members: displayName/id in memory, members by user id.

RFC 7644 §3.4.2.2 filters as IdPs send them to /Groups: Okta and Entra look a group up with
``displayName eq``; Entra checks one user's membership with ``id eq ... and members[value eq ...]``.
"""

from __future__ import annotations

import pytest

from runtime.scim import policy
from runtime.scim.errors import InvalidFilter
from runtime.scim.filter import evaluate, parse_filter
from runtime.scim.schema import GROUP
from runtime.service.group_query import MAX_MEMBER_REFERENCES, member_references, stand_in

GROUPS = [("sp-agent", "Agent"), ("sp-ccm", "CallCenterManager"), ("sp-qa", "QualityAnalyst")]
HOLDERS = {"u-ann": {"sp-agent", "sp-ccm"}, "u-bob": {"sp-agent"}}


def matching(text: str) -> list[str]:
    node = parse_filter(text, GROUP, policy.ENTRA)
    holders = {user: held for user, held in HOLDERS.items() if user in member_references(node)}
    return [gid for gid, name in GROUPS if evaluate(node, stand_in(gid, name, holders))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('displayName eq "callcentermanager"', ["sp-ccm"]),
        ('id eq "sp-qa"', ["sp-qa"]),
        ('displayName eq "Agent" or displayName eq "QualityAnalyst"', ["sp-agent", "sp-qa"]),
        ('displayName sw "Call"', ["sp-ccm"]),
        ('members[value eq "u-ann"]', ["sp-agent", "sp-ccm"]),
        ('members.value eq "u-bob"', ["sp-agent"]),
        ('id eq "sp-ccm" and members[value eq "u-bob"]', []),
        ('id eq "sp-ccm" and members[value eq "u-ann"]', ["sp-ccm"]),
        ('not (members[value eq "u-bob"])', ["sp-ccm", "sp-qa"]),
        ('members[value eq "u-ann" or value eq "u-bob"] and displayName eq "Agent"', ["sp-agent"]),
        ('externalId eq "x"', []),
    ],
)
def test_supported_filters_select_exactly_the_matching_groups(text: str, expected: list[str]) -> None:
    assert matching(text) == expected


def test_member_references_are_the_user_ids_compared() -> None:
    node = parse_filter('members[value eq "u-1"] or members.value eq "u-2"', GROUP)
    assert member_references(node) == ("u-1", "u-2")
    assert member_references(parse_filter('displayName eq "Agent"', GROUP)) == ()


@pytest.mark.parametrize(
    "text",
    ["members pr", 'members[display eq "ann"]', 'members.display co "a"', 'members[value ne "u-1"]'],
)
def test_member_filters_that_would_need_every_groups_members_are_invalid(text: str) -> None:
    with pytest.raises(InvalidFilter, match="every group's members"):
        member_references(parse_filter(text, GROUP))


def test_too_many_member_references_are_refused() -> None:
    text = " or ".join(f'members[value eq "u-{n}"]' for n in range(MAX_MEMBER_REFERENCES + 1))
    with pytest.raises(InvalidFilter, match="at most"):
        member_references(parse_filter(text, GROUP))
