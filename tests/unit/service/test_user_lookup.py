"""Which filters are answered by O(1) lookups, and what the 400 says about the others."""

from __future__ import annotations

import pytest

from runtime.scim.errors import InvalidFilter
from runtime.scim.filter import parse_filter
from runtime.scim.policy import ENTRA
from runtime.scim.schema import USER
from runtime.service.user_lookup import MAX_LOOKUPS, Lookup, plan_lookups


def plan(text: str) -> list[Lookup]:
    return plan_lookups(parse_filter(text, USER, ENTRA))


def test_eq_on_username_external_id_and_id_are_lookups() -> None:
    assert plan('userName eq "a@x.com"') == [Lookup("userName", "a@x.com")]
    assert plan('USERNAME EQ "a@x.com"') == [Lookup("userName", "a@x.com")]
    assert plan('externalId eq "00u1"') == [Lookup("externalId", "00u1")]
    assert plan('id eq "u-1"') == [Lookup("id", "u-1")]


def test_entra_unquoted_external_id_is_a_lookup() -> None:
    assert plan("externalId eq 5a8c-77") == [Lookup("externalId", "5a8c-77")]


def test_or_needs_both_sides_and_and_needs_one() -> None:
    assert plan('userName eq "a" or externalId eq "b"') == [
        Lookup("userName", "a"),
        Lookup("externalId", "b"),
    ]
    assert plan('userName eq "a" and active eq true') == [Lookup("userName", "a")]
    assert plan('title eq "x" and (id eq "1" or id eq "2")') == [Lookup("id", "1"), Lookup("id", "2")]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('title eq "Boss"', "filtering on 'title'"),
        ('userName co "ali"', "operator 'co' on 'userName'"),
        ('userName sw "a" or id eq "1"', "operator 'sw' on 'userName'"),
        ('id eq "1" or displayName eq "x"', "filtering on 'displayName'"),
        ('emails[type eq "work"].value eq "a@x.com"', "filtering on 'emails[...]'"),
        ("title pr", "'title pr'"),
        ('not (userName eq "a")', "'not (...)'"),
    ],
)
def test_filters_that_would_need_a_scan_are_refused_naming_the_part(text: str, named: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        plan(text)
    assert named in caught.value.detail
    assert "supported: userName eq, externalId eq, id eq" in caught.value.detail


def test_more_lookups_than_the_limit_are_refused() -> None:
    text = " or ".join(f'id eq "{i}"' for i in range(MAX_LOOKUPS + 1))
    with pytest.raises(InvalidFilter, match="at most"):
        plan(text)


def test_repeated_lookups_are_made_once() -> None:
    assert plan('id eq "1" or id eq "1"') == [Lookup("id", "1")]
