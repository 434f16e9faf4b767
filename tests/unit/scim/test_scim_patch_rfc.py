# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""RFC 7644 §3.5.2 PATCH examples (fixtures cite the section), applied under the strict policy."""

import json
from pathlib import Path

from runtime.scim.patch import patch_resource
from runtime.scim.policy import STRICT
from runtime.scim.schema import CORE_GROUP, CORE_USER, GROUP, USER

FIXTURES = Path(__file__).parent / "fixtures"
BABS = "2819c223-7f76-453a-919d-413861904646"
JAMES = "08e1d05d-121c-4561-8b96-473d93df9210"


def body(name):
    return json.loads((FIXTURES / name).read_text())["body"]


def group(*member_ids):
    members = [{"value": m, "type": "User"} for m in member_ids]
    return {"schemas": [CORE_GROUP], "id": "e9e30dba", "displayName": "Tour Guides", "members": members}


def user(**extra):
    return {"schemas": [CORE_USER], "id": BABS, "userName": "bjensen", **extra}


def test_rfc7644_3_5_2_1_add_member_keeps_value_and_ref_drops_read_only_display():
    result = patch_resource(group("other"), body("rfc7644-3.5.2.1-add-member.json"), GROUP, STRICT)
    assert result["members"] == [
        {"value": "other", "type": "User"},
        {"value": BABS, "$ref": f"https://example.com/v2/Users/{BABS}"},
    ]


def test_rfc7644_3_5_2_1_pathless_add_appends_emails_and_canonicalises_nickname():
    start = user(emails=[{"value": "bjensen@example.com", "type": "work"}])
    result = patch_resource(start, body("rfc7644-3.5.2.1-add-pathless.json"), USER, STRICT)
    assert result["nickName"] == "Babs"
    assert "nickname" not in result
    assert result["emails"] == [
        {"value": "bjensen@example.com", "type": "work"},
        {"value": "babs@jensen.org", "type": "home"},
    ]


def test_rfc7644_3_5_2_1_adding_an_existing_value_does_not_duplicate_it():
    start = user(emails=[{"value": "BABS@jensen.org", "type": "home"}])
    result = patch_resource(start, body("rfc7644-3.5.2.1-add-pathless.json"), USER, STRICT)
    assert len(result["emails"]) == 1


def test_rfc7644_3_5_2_2_remove_a_single_member():
    literal_id = "2819c223-7f76-...413861904646"  # the RFC example abbreviates the id
    result = patch_resource(
        group(literal_id, JAMES), body("rfc7644-3.5.2.2-remove-one-member.json"), GROUP, STRICT
    )
    assert [m["value"] for m in result["members"]] == [JAMES]


def test_rfc7644_3_5_2_2_remove_all_members():
    result = patch_resource(
        group(BABS, JAMES), body("rfc7644-3.5.2.2-remove-all-members.json"), GROUP, STRICT
    )
    assert "members" not in result


def test_rfc7644_3_5_2_2_remove_values_selected_by_a_complex_filter():
    start = user(
        emails=[
            {"value": "b@example.com", "type": "work"},
            {"value": "b@example.org", "type": "work"},
            {"value": "b@example.com", "type": "home"},
        ]
    )
    result = patch_resource(start, body("rfc7644-3.5.2.2-remove-emails-by-filter.json"), USER, STRICT)
    assert result["emails"] == [
        {"value": "b@example.org", "type": "work"},
        {"value": "b@example.com", "type": "home"},
    ]


def test_rfc7644_3_5_2_2_remove_all_then_add_in_one_request():
    result = patch_resource(
        group("old-1", "old-2"), body("rfc7644-3.5.2.2-remove-all-then-add.json"), GROUP, STRICT
    )
    assert [m["value"] for m in result["members"]] == [BABS, JAMES]


def test_rfc7644_3_5_2_3_replace_all_members():
    result = patch_resource(group("old-1"), body("rfc7644-3.5.2.3-replace-members.json"), GROUP, STRICT)
    assert [m["value"] for m in result["members"]] == ["2819c223...413861904646", "08e1d05d...473d93df9210"]


def test_rfc7644_3_5_2_3_replace_the_value_a_filter_selects():
    start = user(
        emails=[{"value": "old@example.com", "type": "work"}, {"value": "h@example.com", "type": "home"}]
    )
    result = patch_resource(start, body("rfc7644-3.5.2.3-replace-by-filter.json"), USER, STRICT)
    assert result["emails"] == [
        {"type": "work", "value": "bjensen@example.com", "display": "Babs at work", "primary": True},
        {"value": "h@example.com", "type": "home"},
    ]


def test_rfc7644_3_5_2_3_replace_a_sub_attribute_of_the_filtered_value():
    start = user(
        emails=[{"value": "w@example.com", "type": "work"}, {"value": "h@example.com", "type": "home"}]
    )
    result = patch_resource(start, body("rfc7644-3.5.2.3-replace-sub-attribute-by-filter.json"), USER, STRICT)
    assert result["emails"][0] == {"value": "w@example.com", "type": "work", "display": "1010 Broadway Ave"}
    assert result["emails"][1] == {"value": "h@example.com", "type": "home"}


def test_rfc7644_3_5_2_3_pathless_replace_swaps_multi_valued_and_sets_simple_attributes():
    start = user(emails=[{"value": "gone@example.com", "type": "other"}], nickName="B")
    result = patch_resource(start, body("rfc7644-3.5.2.3-replace-pathless.json"), USER, STRICT)
    assert result["nickName"] == "Babs"
    assert result["emails"] == [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ]


def test_rfc7644_3_5_2_3_replace_of_a_complex_attribute_keeps_unspecified_sub_attributes():
    start = user(name={"givenName": "Barbara", "familyName": "Jensen"})
    ops = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}],
    }
    result = patch_resource(start, ops, USER, STRICT)
    assert result["name"] == {"givenName": "Babs", "familyName": "Jensen"}
