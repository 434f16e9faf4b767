# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""POST/PUT bodies: canonical form, read-only attributes ignored (RFC 7644 §3.3), required
attributes, schemas, extension objects, limits, and PUT's immutability rule (RFC 7644 §3.5.1)."""

import json
from pathlib import Path

import pytest

from runtime.scim.errors import InvalidSyntax, InvalidValue, Mutability
from runtime.scim.policy import ENTRA, GENERIC, OKTA, STRICT, ScimPolicy
from runtime.scim.resource import check_immutable, normalize_resource
from runtime.scim.schema import CONNECT_USER, CORE_GROUP, CORE_USER, ENTERPRISE_USER, GROUP, USER
from runtime.scim.values import MAX_MULTI_VALUES, MAX_STRING_LENGTH

FIXTURES = Path(__file__).parent / "fixtures"


def body(name):
    return json.loads((FIXTURES / name).read_text())["body"]


def minimal(**extra):
    return {"schemas": [CORE_USER], "userName": "agent@example.com", **extra}


def test_okta_create_user_drops_read_only_groups_and_refuses_password_only_when_strict():
    result = normalize_resource(body("okta-create-user.json"), USER, OKTA)
    assert "groups" not in result and "password" not in result
    assert result["userName"] == "test.user@okta.local"
    assert result["emails"] == [{"primary": True, "value": "test.user@okta.local", "type": "work"}]
    with pytest.raises(InvalidValue) as err:
        normalize_resource(body("okta-create-user.json"), USER, STRICT)
    assert "unknown attribute 'password'" in err.value.detail


def test_entra_create_user_keeps_everything_except_read_only_meta():
    result = normalize_resource(body("entra-create-user.json"), USER, ENTRA)
    assert "meta" not in result
    assert result["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert result["name"]["formatted"] == "givenName familyName"
    assert "roles" not in result  # an empty list is unassigned (RFC 7643 §2.5)
    assert result["schemas"] == [CORE_USER]  # the enterprise schema is listed only when used


def test_entra_create_group_with_microsoft_schema_urn():
    result = normalize_resource(body("entra-create-group.json"), GROUP, ENTRA)
    assert result == {
        "schemas": [CORE_GROUP],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
    }
    with pytest.raises(InvalidValue) as err:
        normalize_resource(body("entra-create-group.json"), GROUP, STRICT)
    assert "ADSCIM" in err.value.detail


def test_okta_create_group():
    assert normalize_resource(body("okta-create-group.json"), GROUP, OKTA) == {
        "schemas": [CORE_GROUP],
        "displayName": "Test SCIMv2",
    }


def test_rfc7644_3_3_client_values_for_read_only_attributes_are_ignored():
    sent = minimal(id="mine", meta={"created": "2020-01-01T00:00:00Z"}, groups=[{"value": "g"}])
    assert normalize_resource(sent, USER, STRICT) == {"schemas": [CORE_USER], "userName": "agent@example.com"}


def test_keys_are_mapped_case_insensitively_to_canonical_names():
    sent = {
        "SCHEMAS": [CORE_USER.upper(), ENTERPRISE_USER.lower()],
        "USERNAME": "a",
        "Name": {"GIVENNAME": "B"},
        ENTERPRISE_USER.lower(): {"DEPARTMENT": "Ops", "Manager": {"VALUE": "m"}},
    }
    assert normalize_resource(sent, USER, STRICT) == {
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "userName": "a",
        "name": {"givenName": "B"},
        ENTERPRISE_USER: {"department": "Ops", "manager": {"value": "m"}},
    }


def test_connect_extension_is_validated_and_listed():
    sent = minimal(
        schemas=[CORE_USER, CONNECT_USER],
        **{
            CONNECT_USER: {
                "securityProfiles": ["Agent"],
                "routingProfile": "Basic Routing Profile",
                "phoneType": "desk_phone",
                "deskPhoneNumber": "+15555550100",
                "autoAccept": True,
                "afterContactWorkTimeLimit": 0,
            }
        },
    )
    result = normalize_resource(sent, USER, STRICT)
    assert result["schemas"] == [CORE_USER, CONNECT_USER]
    assert result[CONNECT_USER]["phoneType"] == "DESK_PHONE"


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ([], InvalidSyntax),
        ({"userName": "a"}, InvalidValue),
        ({"schemas": CORE_USER, "userName": "a"}, InvalidValue),
        ({"schemas": [], "userName": "a"}, InvalidValue),
        ({"schemas": [CORE_GROUP], "userName": "a"}, InvalidValue),
        ({"schemas": [ENTERPRISE_USER], "userName": "a"}, InvalidValue),
    ],
)
def test_schemas_must_list_the_core_schema(sent, expected):
    with pytest.raises(expected) as err:
        normalize_resource(sent, USER, GENERIC)
    assert err.value.status == 400


def test_extension_objects_need_their_urn_in_schemas():
    with pytest.raises(InvalidValue) as err:
        normalize_resource(minimal(**{ENTERPRISE_USER: {"department": "Ops"}}), USER, GENERIC)
    assert f"'schemas' must list {ENTERPRISE_USER}" in err.value.detail


@pytest.mark.parametrize(
    ("resource_type", "sent", "name"),
    [
        (USER, {"schemas": [CORE_USER], "displayName": "x"}, "userName"),
        (USER, {"schemas": [CORE_USER], "userName": None}, "userName"),
        (USER, {"schemas": [CORE_USER], "userName": "x" * 0, "title": "t"}, None),
        (GROUP, {"schemas": [CORE_GROUP], "members": []}, "displayName"),
    ],
)
def test_required_attributes_are_named_in_the_error(resource_type, sent, name):
    if name is None:  # an empty string is a value, which Connect then judges
        assert normalize_resource(sent, resource_type, STRICT)["userName"] == ""
        return
    with pytest.raises(InvalidValue) as err:
        normalize_resource(sent, resource_type, STRICT)
    assert f"'{name}' is required" in err.value.detail


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (minimal(active="true"), "'active' must be a JSON boolean"),
        (minimal(emails={"value": "a"}), "'emails' is multi-valued"),
        (minimal(emails=[{"value": 1}]), "'emails[0].value' must be a string"),
        (minimal(title="x" * (MAX_STRING_LENGTH + 1)), f"longer than {MAX_STRING_LENGTH}"),
        (
            minimal(emails=[{"value": f"{i}@x"} for i in range(MAX_MULTI_VALUES + 1)]),
            f"more than {MAX_MULTI_VALUES}",
        ),
        (minimal(name={"givenName": "a", "GivenName": "b"}), "given twice"),
        (minimal(nosuch=1), "unknown attribute 'nosuch'"),
        (minimal(name={"nosuch": 1}), "unknown sub-attribute 'nosuch'"),
        (minimal(schemas=[CORE_USER, ENTERPRISE_USER], **{ENTERPRISE_USER: "Ops"}), "JSON object"),
        (
            minimal(schemas=[CORE_USER, ENTERPRISE_USER], **{ENTERPRISE_USER: {"nosuch": 1}}),
            "unknown attribute",
        ),
        (minimal(schemas=[CORE_USER, "urn:example:custom"]), "does not use"),
        (minimal(emails=[{"value": "a", "primary": True}, {"value": "b", "primary": True}]), "more than one"),
    ],
)
def test_bad_values_are_invalid_value_with_a_specific_detail(sent, expected):
    with pytest.raises(InvalidValue) as err:
        normalize_resource(sent, USER, STRICT)
    assert err.value.scim_type == "invalidValue"
    assert expected in err.value.detail


def test_entra_boolean_strings_in_a_post_follow_the_policy():
    assert normalize_resource(minimal(active="False"), USER, ENTRA)["active"] is False
    assert (
        normalize_resource(minimal(active="False"), USER, ScimPolicy(boolean_strings=True))["active"] is False
    )


def test_input_body_is_not_modified():
    sent = minimal(id="x", name={"givenName": "B"})
    snapshot = json.loads(json.dumps(sent))
    normalize_resource(sent, USER, STRICT)
    assert sent == snapshot


def test_rfc7644_3_5_1_put_may_not_change_an_immutable_username():
    old = {"schemas": [CORE_USER], "id": "1", "userName": "agent@example.com"}
    check_immutable(old, {"userName": "AGENT@example.com"}, USER)  # same value, other case: fine
    with pytest.raises(Mutability) as err:
        check_immutable(old, {"userName": "other@example.com"}, USER)
    assert "cannot rename" in err.value.detail


def test_put_check_ignores_member_identity_changes():
    old = {"displayName": "G", "members": [{"value": "a"}]}
    check_immutable(old, {"displayName": "G", "members": [{"value": "b"}]}, GROUP)
