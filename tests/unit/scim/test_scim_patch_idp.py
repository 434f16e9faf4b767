# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""PATCH bodies exactly as Okta and Entra send them (fixtures cite their source)."""

import json
from pathlib import Path

import pytest

from runtime.scim.errors import InvalidSyntax, InvalidValue, Mutability, NoTarget
from runtime.scim.patch import patch_resource
from runtime.scim.policy import ENTRA, GENERIC, OKTA, STRICT
from runtime.scim.schema import CORE_GROUP, CORE_USER, ENTERPRISE_USER, GROUP, USER

FIXTURES = Path(__file__).parent / "fixtures"


def body(name):
    return json.loads((FIXTURES / name).read_text())["body"]


def user(**extra):
    base = {
        "schemas": [CORE_USER],
        "id": "u-1",
        "userName": "bjensen@example.com",
        "active": True,
        "name": {"givenName": "Babs", "familyName": "Jensen"},
        "emails": [{"value": "babs@home.example", "type": "home", "primary": True}],
    }
    base.update(extra)
    return base


def group(members):
    return {"schemas": [CORE_GROUP], "id": "g-1", "displayName": "Agents", "members": members}


@pytest.mark.parametrize("policy", [STRICT, OKTA, ENTRA, GENERIC])
def test_okta_pathless_replace_active_deactivates_under_every_policy(policy):
    result = patch_resource(user(), body("okta-user-deactivate.json"), USER, policy)
    assert result["active"] is False
    back = patch_resource(result, body("okta-user-reactivate.json"), USER, policy)
    assert back["active"] is True


def test_okta_group_rename_carries_read_only_id_which_okta_policy_drops():
    # A group is a Connect security profile: displayName is immutable, so Okta's rename PATCH is
    # accepted when it carries the group's own name (any case) and refused otherwise.
    named = {**group([]), "displayName": "test scimv2"}
    result = patch_resource(named, body("okta-group-rename.json"), GROUP, OKTA)
    assert result["displayName"] == "test scimv2"
    assert result["id"] == "g-1"
    with pytest.raises(Mutability, match="immutable"):
        patch_resource(group([]), body("okta-group-rename.json"), GROUP, OKTA)


def test_okta_group_rename_with_id_is_a_mutability_error_under_strict():
    with pytest.raises(Mutability) as err:
        patch_resource(group([]), body("okta-group-rename.json"), GROUP, STRICT)
    assert err.value.status == 400
    assert err.value.scim_type == "mutability"
    assert "'id' is read-only" in err.value.detail


def test_okta_group_add_members_appends_without_duplicates():
    existing = group([{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173"}, {"value": "other"}])
    result = patch_resource(existing, body("okta-group-add-members.json"), GROUP, OKTA)
    assert [m["value"] for m in result["members"]] == ["23a35c27-23d3-4c03-b4c5-6443c09e7173", "other"]


def test_okta_group_add_members_drops_the_read_only_display_okta_sends():
    # members.display is computed by the server (RFC 7644 §3.3: read-only values are ignored).
    result = patch_resource(group([]), body("okta-group-add-members.json"), GROUP, OKTA)
    assert result["members"] == [{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173"}]


def test_okta_group_remove_member_by_value_filter():
    existing = group([{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173"}, {"value": "other"}])
    result = patch_resource(existing, body("okta-group-remove-member.json"), GROUP, OKTA)
    assert result["members"] == [{"value": "other"}]


def test_okta_group_remove_last_member_unassigns_members():
    existing = group([{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173"}])
    result = patch_resource(existing, body("okta-group-remove-member.json"), GROUP, OKTA)
    assert "members" not in result


def test_okta_group_remove_absent_member_is_idempotent():
    existing = group([{"value": "other"}])
    result = patch_resource(existing, body("okta-group-remove-member.json"), GROUP, STRICT)
    assert result["members"] == [{"value": "other"}]


def test_okta_group_replace_members_swaps_the_whole_list():
    existing = group([{"value": "a"}, {"value": "b"}])
    result = patch_resource(existing, body("okta-group-replace-members.json"), GROUP, OKTA)
    assert [m["value"] for m in result["members"]] == ["89bb1940-b905-4575-9e7f-6f887cfb368e"]


def test_entra_capitalised_replace_of_work_email_and_family_name():
    start = user(emails=[{"value": "old@work.example", "type": "work", "primary": True}])
    result = patch_resource(start, body("entra-user-replace-work-email-and-family-name.json"), USER, ENTRA)
    assert result["emails"] == [{"value": "updatedEmail@microsoft.com", "type": "work", "primary": True}]
    assert result["name"] == {"givenName": "Babs", "familyName": "updatedFamilyName"}


def test_entra_capitalised_op_is_invalid_syntax_under_strict():
    with pytest.raises(InvalidSyntax) as err:
        patch_resource(user(), body("entra-user-disable.json"), USER, STRICT)
    assert "lower case" in err.value.detail


def test_entra_rename_is_refused_because_connect_cannot_rename_users():
    with pytest.raises(Mutability) as err:
        patch_resource(user(), body("entra-user-rename.json"), USER, ENTRA)
    assert err.value.scim_type == "mutability"
    assert "cannot rename" in err.value.detail


def test_entra_replace_username_with_same_name_in_other_case_keeps_stored_spelling():
    ops = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "userName", "value": "BJensen@Example.com"}],
    }
    result = patch_resource(user(), ops, USER, ENTRA)
    assert result["userName"] == "bjensen@example.com"


@pytest.mark.parametrize(
    "fixture", ["entra-user-disable-string-false.json", "entra-user-disable-list-wrapped.json"]
)
def test_entra_boolean_strings_disable_the_user(fixture):
    result = patch_resource(user(), body(fixture), USER, ENTRA)
    assert result["active"] is False


@pytest.mark.parametrize(
    "fixture", ["entra-user-disable-string-false.json", "entra-user-disable-list-wrapped.json"]
)
def test_entra_boolean_strings_are_invalid_values_when_only_case_is_tolerated(fixture):
    from runtime.scim.policy import ScimPolicy

    with pytest.raises(InvalidValue) as err:
        patch_resource(user(), body(fixture), USER, ScimPolicy(case_insensitive_patch_op=True))
    assert "'active' must be a JSON boolean" in err.value.detail


def test_entra_pathless_dotted_and_urn_keys_land_on_canonical_attributes():
    result = patch_resource(user(), body("entra-user-pathless-dotted-keys.json"), USER, ENTRA)
    assert result["displayName"] == "Barbara Jensen"
    assert result["name"] == {"givenName": "Barbara", "familyName": "Jensen"}
    assert result[ENTERPRISE_USER] == {
        "department": "Sales",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
    }
    assert result["schemas"] == [CORE_USER, ENTERPRISE_USER]


def test_entra_add_work_email_creates_the_element_the_filter_describes():
    result = patch_resource(user(), body("entra-user-add-work-email.json"), USER, ENTRA)
    assert {"type": "work", "value": "bjensen@example.com"} in result["emails"]
    assert len(result["emails"]) == 2


def test_entra_add_work_email_without_create_policy_is_no_target():
    from runtime.scim.policy import ScimPolicy

    with pytest.raises(NoTarget) as err:
        patch_resource(
            user(), body("entra-user-add-work-email.json"), USER, ScimPolicy(case_insensitive_patch_op=True)
        )
    assert err.value.scim_type == "noTarget"


def test_entra_enterprise_department_by_urn_path():
    result = patch_resource(user(), body("entra-user-enterprise-department.json"), USER, ENTRA)
    assert result[ENTERPRISE_USER] == {"department": "Customer Care"}


def test_entra_manager_as_bare_string_is_read_as_manager_value():
    result = patch_resource(user(), body("entra-user-manager-string.json"), USER, ENTRA)
    assert result[ENTERPRISE_USER]["manager"] == {"value": "2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}


def test_entra_manager_as_bare_string_is_invalid_value_under_strict():
    with pytest.raises(InvalidValue) as err:
        patch_resource(user(), body("entra-user-manager-string.json"), USER, STRICT)
    assert "complex attribute" in err.value.detail


def test_entra_group_add_member_with_null_ref():
    result = patch_resource(group([]), body("entra-group-add-member.json"), GROUP, ENTRA)
    assert result["members"] == [{"value": "f648f8d5ea4e4cd38e9c"}]


def test_entra_group_remove_member_with_value_list():
    existing = group([{"value": "f648f8d5ea4e4cd38e9c"}, {"value": "keep"}])
    result = patch_resource(existing, body("entra-group-remove-member.json"), GROUP, ENTRA)
    assert result["members"] == [{"value": "keep"}]


def test_entra_group_remove_with_value_is_refused_under_strict_rather_than_removing_everyone():
    from runtime.scim.policy import ScimPolicy

    existing = group([{"value": "f648f8d5ea4e4cd38e9c"}, {"value": "keep"}])
    with pytest.raises(InvalidValue) as err:
        patch_resource(
            existing,
            body("entra-group-remove-member.json"),
            GROUP,
            ScimPolicy(case_insensitive_patch_op=True),
        )
    assert "RFC 7644 §3.5.2.2" in err.value.detail


def test_entra_group_rename_is_refused_because_display_name_is_immutable():
    with pytest.raises(Mutability, match="never renames"):
        patch_resource(group([]), body("entra-group-rename.json"), GROUP, ENTRA)


def test_input_resource_is_never_modified():
    start = user()
    snapshot = json.loads(json.dumps(start))
    patch_resource(start, body("entra-user-pathless-dotted-keys.json"), USER, ENTRA)
    assert start == snapshot
