# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""PATCH engine rules: mutability, types, primary, extensions, atomicity, and every error path."""

import copy

import pytest

from runtime.scim.errors import InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget
from runtime.scim.patch import MAX_OPERATIONS, PatchOperation, apply_patch, parse_patch, patch_resource
from runtime.scim.policy import ENTRA, GENERIC, OKTA, STRICT, ScimPolicy
from runtime.scim.schema import CONNECT_USER, CORE_GROUP, CORE_USER, ENTERPRISE_USER, GROUP, USER

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_ID = "7d6f0c1e-0000-4000-8000-000000000001"


def ops(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def user(**extra):
    base = {
        "schemas": [CORE_USER, CONNECT_USER],
        "id": USER_ID,
        "userName": "agent@example.com",
        "active": True,
        "emails": [
            {"value": "w@example.com", "type": "work", "primary": True},
            {"value": "h@example.com", "type": "home"},
        ],
        CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile"},
        "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z"},
    }
    base.update(extra)
    return base


def run(resource, *operations, policy=STRICT, resource_type=USER):
    return patch_resource(resource, ops(*operations), resource_type, policy)


# --- the PatchOp envelope (RFC 7644 §3.5.2) ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error", "expected"),
    [
        ([], InvalidSyntax, "JSON object"),
        (
            {"Operations": [{"op": "add", "path": "title", "value": "x"}]},
            InvalidSyntax,
            "'schemas' must list",
        ),
        ({"schemas": [CORE_USER], "Operations": []}, InvalidSyntax, "'schemas' must list"),
        ({"schemas": [PATCH_OP]}, InvalidSyntax, "'Operations' must be a non-empty array"),
        ({"schemas": [PATCH_OP], "Operations": []}, InvalidSyntax, "non-empty"),
        ({"schemas": [PATCH_OP], "Operations": {"op": "add"}}, InvalidSyntax, "non-empty array"),
        (
            {"schemas": [PATCH_OP], "Operations": ["add"]},
            InvalidSyntax,
            "Operations[0] must be a JSON object",
        ),
        ({"schemas": [PATCH_OP], "Operations": [{"path": "title"}]}, InvalidSyntax, "Operations[0].op"),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "move", "path": "title"}]},
            InvalidSyntax,
            "add, remove",
        ),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": 5, "value": 1}]},
            InvalidPath,
            "string",
        ),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title"}]},
            InvalidValue,
            "needs a 'value'",
        ),
        ({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title"}]}, InvalidValue, "needs"),
        (
            {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "title", "value": None}]},
            InvalidValue,
            "needs",
        ),
        ({"schemas": [PATCH_OP], "Operations": [{"op": "remove"}]}, NoTarget, "'remove' needs a 'path'"),
        ({"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": ""}]}, NoTarget, "needs a 'path'"),
    ],
)
def test_patch_envelope_errors(body, error, expected):
    with pytest.raises(error) as err:
        patch_resource(user(), body, USER, STRICT)
    assert err.value.status == 400
    assert expected in err.value.detail


def test_patch_envelope_keys_and_schema_urn_are_case_insensitive():
    body = {"SCHEMAS": [PATCH_OP.upper()], "operations": [{"OP": "add", "PATH": "title", "VALUE": "Lead"}]}
    assert patch_resource(user(), body, USER, STRICT)["title"] == "Lead"


def test_too_many_operations_are_refused():
    body = ops(*[{"op": "add", "path": "title", "value": "x"}] * (MAX_OPERATIONS + 1))
    with pytest.raises(InvalidValue) as err:
        patch_resource(user(), body, USER, STRICT)
    assert str(MAX_OPERATIONS) in err.value.detail


def test_parse_patch_returns_typed_operations():
    parsed = parse_patch(ops({"op": "Replace", "path": "name.givenName", "value": "A"}), USER, ENTRA)
    (operation,) = parsed
    assert isinstance(operation, PatchOperation)
    assert operation.op == "replace"
    assert operation.path is not None
    assert (operation.path.path.attribute, operation.path.path.sub_attribute) == ("name", "givenName")


# --- atomicity and purity --------------------------------------------------------------------------


def test_a_failing_operation_leaves_nothing_applied_and_the_input_untouched():
    start = user()
    snapshot = copy.deepcopy(start)
    with pytest.raises(Mutability):
        run(
            start,
            {"op": "replace", "path": "title", "value": "Lead"},
            {"op": "replace", "path": "id", "value": "x"},
        )
    assert start == snapshot


def test_result_is_a_new_dict_sharing_nothing_with_the_input():
    start = user()
    result = run(start, {"op": "add", "path": "title", "value": "Lead"})
    result["emails"][0]["value"] = "changed"
    result[CONNECT_USER]["securityProfiles"].append("Admin")
    assert start == user()


def test_non_canonical_keys_in_the_stored_resource_come_back_canonical():
    start = {"schemas": [CORE_USER], "id": "1", "USERNAME": "a", "Emails": [{"VALUE": "x@y", "Type": "work"}]}
    result = run(start, {"op": "add", "path": "title", "value": "T"})
    assert result["userName"] == "a"
    assert result["emails"] == [{"value": "x@y", "type": "work"}]


# --- mutability (RFC 7643 §2.2) -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["id", "meta", "meta.created", "groups", "schemas"])
def test_read_only_attributes_are_mutability_errors(path):
    with pytest.raises(Mutability) as err:
        run(user(), {"op": "replace", "path": path, "value": "x"})
    assert err.value.scim_type == "mutability"
    assert "read-only" in err.value.detail


def test_read_only_attributes_are_dropped_when_the_policy_says_so():
    result = run(user(), {"op": "replace", "value": {"id": "other", "title": "Lead"}}, policy=OKTA)
    assert (result["id"], result["title"]) == (USER_ID, "Lead")


def test_manager_display_name_is_read_only_in_a_path():
    with pytest.raises(Mutability):
        run(user(), {"op": "add", "path": f"{ENTERPRISE_USER}:manager.displayName", "value": "Boss"})


def test_read_only_sub_attributes_inside_a_value_are_ignored():
    result = run(
        user(),
        {"op": "add", "path": f"{ENTERPRISE_USER}:manager", "value": {"value": "m", "displayName": "B"}},
    )
    assert result[ENTERPRISE_USER]["manager"] == {"value": "m"}


def test_username_rename_is_refused_with_the_connect_reason():
    with pytest.raises(Mutability) as err:
        run(user(), {"op": "replace", "path": "userName", "value": "new@example.com"})
    assert "Amazon Connect cannot rename a user" in err.value.detail


def test_username_add_with_the_same_value_is_accepted():
    result = run(user(), {"op": "add", "value": {"userName": "AGENT@example.com", "title": "T"}})
    assert result["userName"] == "agent@example.com"


@pytest.mark.parametrize(
    "operation", [{"op": "remove", "path": "userName"}, {"op": "replace", "path": "userName", "value": None}]
)
def test_required_attributes_cannot_be_removed(operation):
    with pytest.raises(Mutability) as err:
        run(user(), operation)
    assert "required" in err.value.detail


def test_group_display_name_is_required():
    with pytest.raises(Mutability):
        run(
            {"schemas": [CORE_GROUP], "id": "g", "displayName": "G"},
            {"op": "remove", "path": "displayName"},
            resource_type=GROUP,
        )


def test_member_value_is_immutable_but_members_can_be_added_and_removed():
    group = {"schemas": [CORE_GROUP], "id": "g", "displayName": "G", "members": [{"value": "a"}]}
    with pytest.raises(Mutability) as err:
        run(
            group, {"op": "replace", "path": 'members[value eq "a"].value', "value": "b"}, resource_type=GROUP
        )
    assert "immutable" in err.value.detail
    same = run(
        group, {"op": "replace", "path": 'members[value eq "a"].value', "value": "a"}, resource_type=GROUP
    )
    assert same["members"] == [{"value": "a"}]


# --- types (RFC 7643 §2.3) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("active", "yes", "'active' must be a JSON boolean"),
        ("active", 1, "JSON boolean"),
        ("title", 5, "'title' must be a string"),
        ("title", ["a"], "must be a string"),
        ("title", "x" * 1025, "longer than 1024"),
        ("title", "bell\x07", "control characters"),
        ("name", "Barbara", "complex attribute"),
        ("name.givenName", {"a": 1}, "must be a string"),
        ("emails", [None], "is null"),
        ("emails", [{"value": "a", "primary": "yes"}], "JSON boolean"),
        ("emails", [{"value": "a", "primary": True}, {"value": "b", "primary": True}], "more than one"),
        (f"{CONNECT_USER}:afterContactWorkTimeLimit", 2_000_001, "between 0 and 2000000"),
        (f"{CONNECT_USER}:afterContactWorkTimeLimit", -1, "between 0 and 2000000"),
        (f"{CONNECT_USER}:afterContactWorkTimeLimit", 1.5, "integer"),
        (f"{CONNECT_USER}:afterContactWorkTimeLimit", True, "integer"),
        (f"{CONNECT_USER}:phoneType", "VOIP", "SOFT_PHONE, DESK_PHONE"),
        (f"{CONNECT_USER}:deskPhoneNumber", "555-0100", "E.164"),
        (f"{CONNECT_USER}:autoAccept", "true", "JSON boolean"),
        (f"{CONNECT_USER}:securityProfiles", [1], "must be a string"),
    ],
)
def test_type_mismatches_are_invalid_value(path, value, expected):
    with pytest.raises(InvalidValue) as err:
        run(user(), {"op": "replace", "path": path, "value": value})
    assert err.value.scim_type == "invalidValue"
    assert expected in err.value.detail


def test_invalid_value_details_never_echo_the_value():
    with pytest.raises(InvalidValue) as err:
        run(user(), {"op": "replace", "path": "active", "value": "private-person-name"})
    assert "private-person-name" not in err.value.detail


def test_canonical_only_values_are_normalised_to_the_canonical_spelling():
    result = run(user(), {"op": "replace", "path": f"{CONNECT_USER}:phoneType", "value": "desk_phone"})
    assert result[CONNECT_USER]["phoneType"] == "DESK_PHONE"


# --- unknown attributes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "addresses", "value": [{"locality": "Seattle"}]},
        {"op": "replace", "path": "name.nosuch", "value": "x"},
        {"op": "replace", "path": "urn:example:custom:2.0:User:badge", "value": "x"},
        {"op": "replace", "value": {"addresses": [{"locality": "Seattle"}]}},
        {"op": "replace", "path": "emails", "value": [{"value": "a", "nosuch": 1}]},
    ],
)
def test_unknown_attributes_are_invalid_path_under_strict_and_ignored_when_tolerated(operation):
    with pytest.raises(InvalidPath) as err:
        run(user(), operation)
    assert err.value.scim_type == "invalidPath"
    assert "unknown" in err.value.detail
    result = run(user(), operation, policy=ScimPolicy(ignore_unknown_attributes=True))
    assert "addresses" not in result


def test_malformed_paths_are_invalid_path_even_when_unknowns_are_tolerated():
    with pytest.raises(InvalidPath):
        run(user(), {"op": "replace", "path": "emails[type eq", "value": "x"}, policy=GENERIC)


def test_pathless_dotted_keys_need_the_policy():
    with pytest.raises(InvalidPath) as err:
        run(user(), {"op": "add", "value": {"name.givenName": "B"}})
    assert "is a path" in err.value.detail


# --- multi-valued attributes and primary (RFC 7643 §2.4) ---------------------------------------


def test_setting_a_new_primary_clears_the_old_one():
    result = run(
        user(),
        {
            "op": "add",
            "path": "emails",
            "value": [{"value": "n@example.com", "type": "other", "primary": True}],
        },
    )
    primaries = [e["value"] for e in result["emails"] if e.get("primary") is True]
    assert primaries == ["n@example.com"]
    assert result["emails"][0]["primary"] is False


def test_setting_primary_through_a_filter_clears_the_old_one():
    result = run(user(), {"op": "replace", "path": 'emails[type eq "home"].primary', "value": True})
    assert [e.get("primary") for e in result["emails"]] == [False, True]


def test_two_values_made_primary_by_one_filter_are_refused():
    start = user(emails=[{"value": "a", "type": "home"}, {"value": "b", "type": "home"}])
    with pytest.raises(InvalidValue):
        run(start, {"op": "replace", "path": 'emails[type eq "home"].primary', "value": True})


def test_security_profiles_add_appends_without_case_insensitive_duplicates():
    result = run(
        user(), {"op": "add", "path": f"{CONNECT_USER}:securityProfiles", "value": ["agent", "Admin"]}
    )
    assert result[CONNECT_USER]["securityProfiles"] == ["Agent", "Admin"]


def test_single_value_for_a_multi_valued_attribute_is_one_element():
    result = run(user(), {"op": "add", "path": f"{CONNECT_USER}:securityProfiles", "value": "Admin"})
    assert result[CONNECT_USER]["securityProfiles"] == ["Agent", "Admin"]


def test_replace_multi_valued_with_empty_list_unassigns_it():
    result = run(user(), {"op": "replace", "path": "emails", "value": []})
    assert "emails" not in result


def test_sub_attribute_of_a_multi_valued_attribute_without_a_filter_addresses_every_value():
    result = run(user(), {"op": "replace", "path": "emails.display", "value": "Agent"})
    assert all(e["display"] == "Agent" for e in result["emails"])
    with pytest.raises(NoTarget):
        run(user(emails=[]), {"op": "replace", "path": "emails.display", "value": "Agent"})


def test_remove_a_sub_attribute_through_a_filter():
    result = run(user(), {"op": "remove", "path": 'emails[type eq "work"].primary'})
    assert result["emails"][0] == {"value": "w@example.com", "type": "work"}


def test_add_through_a_filter_merges_into_the_matching_value():
    result = run(user(), {"op": "add", "path": 'emails[type eq "home"]', "value": {"display": "Home"}})
    assert result["emails"][1] == {"value": "h@example.com", "type": "home", "display": "Home"}


# --- noTarget (RFC 7644 §3.5.2, Table 9) --------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "replace"])
def test_a_filter_that_matches_nothing_is_no_target(op):
    with pytest.raises(NoTarget) as err:
        run(user(), {"op": op, "path": 'emails[type eq "other"].value', "value": "x@example.com"})
    assert err.value.scim_type == "noTarget"


def test_unmatched_filter_create_only_for_eq_and_filters():
    policy = ScimPolicy(unmatched_filter_create=True)
    created = run(
        user(),
        {"op": "replace", "path": 'emails[type eq "other" and primary eq false].value', "value": "o@x"},
        policy=policy,
    )
    assert {"type": "other", "primary": False, "value": "o@x"} in created["emails"]
    with pytest.raises(NoTarget):
        run(user(), {"op": "replace", "path": 'emails[type co "oth"].value', "value": "o@x"}, policy=policy)
    with pytest.raises(NoTarget):
        run(
            user(),
            {"op": "replace", "path": 'emails[type eq "a" or type eq "b"].value', "value": "o@x"},
            policy=policy,
        )


def test_remove_with_a_filter_that_matches_nothing_is_a_no_op():
    assert run(user(), {"op": "remove", "path": 'emails[type eq "other"]'})["emails"] == user()["emails"]


def test_remove_of_an_absent_attribute_is_a_no_op():
    assert "title" not in run(user(), {"op": "remove", "path": "title"})


# --- extensions ----------------------------------------------------------------------------------


def test_extension_attribute_paths_create_the_extension_object_and_list_its_schema():
    result = run(user(), {"op": "add", "path": f"{ENTERPRISE_USER}:department", "value": "Support"})
    assert result[ENTERPRISE_USER] == {"department": "Support"}
    assert result["schemas"] == [CORE_USER, ENTERPRISE_USER, CONNECT_USER]


def test_removing_the_last_extension_attribute_drops_the_object_and_its_schema():
    start = user(**{ENTERPRISE_USER: {"department": "Support"}})
    result = run(start, {"op": "remove", "path": f"{ENTERPRISE_USER}:department"})
    assert ENTERPRISE_USER not in result
    assert ENTERPRISE_USER not in result["schemas"]


def test_urn_keyed_object_in_a_pathless_value_is_rfc_and_needs_no_policy():
    value = {ENTERPRISE_USER: {"department": "Support", "manager": {"value": "m-1"}}, "title": "Agent"}
    result = run(user(), {"op": "replace", "value": value})
    assert result[ENTERPRISE_USER] == {"department": "Support", "manager": {"value": "m-1"}}
    assert result["title"] == "Agent"


def test_extension_urn_as_the_whole_path():
    result = run(user(), {"op": "add", "path": ENTERPRISE_USER, "value": {"costCenter": "42"}})
    assert result[ENTERPRISE_USER] == {"costCenter": "42"}
    removed = run(result, {"op": "remove", "path": ENTERPRISE_USER})
    assert ENTERPRISE_USER not in removed


def test_connect_extension_by_urn_path_replaces_security_profiles():
    result = run(
        user(),
        {"op": "replace", "path": f"{CONNECT_USER}:securityProfiles", "value": ["Admin", "QualityAnalyst"]},
    )
    assert result[CONNECT_USER]["securityProfiles"] == ["Admin", "QualityAnalyst"]


def test_remove_one_security_profile_by_value_under_the_entra_policy():
    start = user(**{CONNECT_USER: {"securityProfiles": ["Agent", "Admin"]}})
    result = run(
        start, {"op": "Remove", "path": f"{CONNECT_USER}:securityProfiles", "value": ["admin"]}, policy=ENTRA
    )
    assert result[CONNECT_USER]["securityProfiles"] == ["Agent"]


def test_the_core_schema_cannot_be_removed():
    with pytest.raises(Mutability):
        run(user(), {"op": "remove", "path": CORE_USER})


def test_apply_patch_with_no_operations_normalises_only():
    result = apply_patch(user(), (), USER, STRICT)
    assert result == user()
