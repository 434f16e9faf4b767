"""Connect's tag limits: 256 characters per value, 50 tags per user; values are never truncated."""

from __future__ import annotations

import pytest

from runtime.mapping import tags as t
from runtime.mapping.profiles import GENERIC
from runtime.scim.errors import InvalidValue

from .helpers import CORE, ENTERPRISE, create, render

UUIDS = [f"{i:08d}-1111-4222-8333-444444444444" for i in range(10)]


def test_a_text_attribute_of_256_characters_fits_and_257_is_refused_naming_it() -> None:
    body = {"schemas": [CORE], "userName": "tag.user", "title": "x" * 256}
    _, user = create(body, GENERIC)
    assert render(user, GENERIC)["title"] == "x" * 256
    with pytest.raises(InvalidValue, match=r"'title' is 257 characters long.*256"):
        create(body | {"title": "x" * 257}, GENERIC)


def test_enterprise_attribute_errors_name_the_urn_path() -> None:
    body = {"schemas": [CORE, ENTERPRISE], "userName": "tag.user", ENTERPRISE: {"costCenter": "c" * 300}}
    with pytest.raises(InvalidValue, match=r"enterprise:2.0:User:costCenter"):
        create(body, GENERIC)


def test_json_attributes_span_several_tags_and_join_back() -> None:
    emails = [{"value": f"person.number.{i}@example.com", "type": "other"} for i in range(12)]
    body = {"schemas": [CORE], "userName": "tag.user", "emails": emails}
    state, user = create(body, GENERIC)
    assert "scim:emails/2" in state.tags
    assert all(len(value) <= t.MAX_VALUE for value in state.tags.values())
    assert render(user, GENERIC)["emails"] == emails


def test_ten_remembered_profile_ids_are_split_across_tags_at_id_boundaries() -> None:
    tags: dict[str, str] = {}
    t.put_ids(tags, "scim:saved", UUIDS)
    assert list(tags) == ["scim:saved", "scim:saved/2"]
    assert all(len(value) <= t.MAX_VALUE for value in tags.values())
    assert t.get_ids(tags, "scim:saved") == tuple(UUIDS)


def test_the_fifty_tag_budget_counts_tags_set_outside_scim() -> None:
    current = {f"team:{i}": "x" for i in range(45)}
    desired = {f"scim:attr{i}": "v" for i in range(6)}
    with pytest.raises(InvalidValue, match=r"51 Amazon Connect tags.*45 set outside SCIM.*allows 50"):
        t.check_budget(current, desired)
    t.check_budget(current, dict(list(desired.items())[:5]))


def test_removed_values_are_cleared_and_foreign_tags_left_alone() -> None:
    current = {"scim:title": "Lead", "scim:nickName": "Al", "owner": "ops", "scim:old": ""}
    to_set, to_clear = t.tag_changes(current, {"scim:title": "Boss"})
    assert to_set == {"scim:title": "Boss"}
    assert to_clear == {"scim:nickName"}


def test_a_tag_edited_into_invalid_json_reads_as_absent() -> None:
    assert t.get_json({"scim:emails": "[{broken"}, "scim:emails") is None
