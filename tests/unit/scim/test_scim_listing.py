# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""List parameters (RFC 7644 §3.4.2.4), ListResponse (§3.4.2), projection (§3.9; RFC 7643 §2.2)."""

import pytest

from runtime.scim.errors import InvalidValue
from runtime.scim.listing import MAX_COUNT, list_response, parse_list_params, parse_projection, project
from runtime.scim.schema import CONNECT_USER, CORE_USER, ENTERPRISE_USER, GROUP, LIST_RESPONSE, USER

USER_RESOURCE = {
    "schemas": [CORE_USER, ENTERPRISE_USER, CONNECT_USER],
    "id": "u-1",
    "externalId": "ext-1",
    "userName": "agent@example.com",
    "displayName": "Agent",
    "title": "Lead",
    "name": {"givenName": "Ann", "familyName": "Agent"},
    "emails": [{"value": "a@work", "type": "work", "primary": True}, {"value": "a@home", "type": "home"}],
    "meta": {"resourceType": "User", "location": "https://x/scim/v2/Users/u-1"},
    ENTERPRISE_USER: {"department": "Ops", "manager": {"value": "m-1", "displayName": "Boss"}},
    CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile"},
}


def params(**query):
    return parse_list_params(query, USER)


def shown(**query):
    return project(USER_RESOURCE, USER, parse_projection(query, USER))


def test_okta_test_connection_query():
    parsed = params(startIndex="1", count="2")
    assert (parsed.start_index, parsed.count, parsed.filter) == (1, 2, None)


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 1), ("1", 1), ("7", 7), ("0", 1), ("-5", 1), (" 3 ", 3)]
)
def test_rfc7644_3_4_2_4_start_index_below_one_is_one(raw, expected):
    query = {} if raw is None else {"startIndex": raw}
    assert params(**query).start_index == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, MAX_COUNT), ("0", 0), ("-3", 0), ("10", 10), ("100000", MAX_COUNT)]
)
def test_count_negative_is_zero_and_large_is_capped(raw, expected):
    query = {} if raw is None else {"count": raw}
    assert params(**query).count == expected


@pytest.mark.parametrize("name", ["startIndex", "count"])
@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "0x10", "1 2", "9" * 30, "¹"])
def test_non_integer_paging_is_invalid_value(name, raw):
    with pytest.raises(InvalidValue) as err:
        params(**{name: raw})
    assert name in err.value.detail
    assert err.value.scim_type == "invalidValue"


def test_parameter_names_are_case_insensitive_and_filter_passes_through():
    parsed = parse_list_params({"STARTINDEX": "2", "Count": "5", "FILTER": 'userName eq "a"'}, USER)
    assert (parsed.start_index, parsed.count, parsed.filter) == (2, 5, 'userName eq "a"')
    assert parse_list_params({"filter": "  "}, USER).filter is None


def test_rfc7644_3_4_2_list_response_has_integer_paging_fields():
    page = list_response(7, [{"id": "a"}, {"id": "b"}], 3)
    assert page == {
        "schemas": [LIST_RESPONSE],
        "totalResults": 7,
        "startIndex": 3,
        "itemsPerPage": 2,
        "Resources": [{"id": "a"}, {"id": "b"}],
    }
    assert list_response(0, [], 1)["Resources"] == []


def test_no_projection_returns_every_default_attribute():
    assert shown() == USER_RESOURCE


def test_attributes_keeps_always_returned_id_schemas_and_username():
    assert shown(attributes="displayName") == {
        "schemas": USER_RESOURCE["schemas"],
        "id": "u-1",
        "userName": "agent@example.com",
        "displayName": "Agent",
    }


def test_attributes_sub_attribute_projection():
    result = shown(attributes="name.givenName,emails.value")
    assert result["name"] == {"givenName": "Ann"}
    assert result["emails"] == [{"value": "a@work"}, {"value": "a@home"}]


def test_attributes_with_urn_qualified_extension_attributes():
    result = shown(attributes=f"{ENTERPRISE_USER}:department,{CONNECT_USER.upper()}:SECURITYPROFILES")
    assert result[ENTERPRISE_USER] == {"department": "Ops"}
    assert result[CONNECT_USER] == {"securityProfiles": ["Agent"]}


def test_attributes_naming_a_whole_extension():
    result = shown(attributes=ENTERPRISE_USER)
    assert result[ENTERPRISE_USER] == USER_RESOURCE[ENTERPRISE_USER]
    assert CONNECT_USER not in result


def test_excluded_attributes_drop_attributes_sub_attributes_and_empty_extensions():
    result = shown(
        excludedAttributes=f"title,name.familyName,{ENTERPRISE_USER}:department,{ENTERPRISE_USER}:manager"
    )
    assert "title" not in result
    assert result["name"] == {"givenName": "Ann"}
    assert ENTERPRISE_USER not in result  # nothing left in it
    assert result[CONNECT_USER] == USER_RESOURCE[CONNECT_USER]


def test_always_returned_attributes_cannot_be_excluded():
    result = shown(excludedAttributes="id,userName,schemas")
    assert (result["id"], result["userName"], result["schemas"]) == (
        "u-1",
        "agent@example.com",
        USER_RESOURCE["schemas"],
    )


def test_unknown_names_select_nothing_and_are_not_errors():
    assert shown(excludedAttributes="members,nosuch") == USER_RESOURCE
    assert shown(attributes="nosuch") == {
        "schemas": USER_RESOURCE["schemas"],
        "id": "u-1",
        "userName": "agent@example.com",
    }


def test_entra_excluded_members_tells_the_service_to_skip_member_lookups():
    assert parse_projection({"excludedAttributes": "members"}, GROUP).wants_members is False
    assert parse_projection({}, GROUP).wants_members is True
    assert parse_projection({"attributes": "displayName"}, GROUP).wants_members is False
    assert parse_projection({"attributes": "members.value"}, GROUP).wants_members is True


@pytest.mark.parametrize(
    "query",
    [
        {"attributes": "displayName", "excludedAttributes": "title"},
        {"attributes": 'emails[type eq "work"]'},
        {"attributes": "display name"},
        {"excludedAttributes": "name..givenName"},
    ],
)
def test_malformed_projection_is_invalid_value(query):
    with pytest.raises(InvalidValue):
        parse_projection(query, USER)


def test_projection_of_group_members():
    group = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "g",
        "displayName": "G",
        "members": [{"value": "u-1", "display": "Ann", "type": "User"}],
    }
    result = project(group, GROUP, parse_projection({"attributes": "members.value"}, GROUP))
    assert result == {"schemas": group["schemas"], "id": "g", "members": [{"value": "u-1"}]}
