# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""Filters: RFC 7644 §3.4.2.2 grammar and matching rules, and what Okta/Entra send."""

from dataclasses import replace

import pytest

from runtime.scim.errors import InvalidFilter, InvalidPath, ScimError
from runtime.scim.filter import (
    MAX_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_TERMS,
    And,
    Comparison,
    Not,
    Or,
    Present,
    ValuePathFilter,
    evaluate,
    parse_filter,
    parse_value_path,
)
from runtime.scim.policy import ENTRA, STRICT, ScimPolicy
from runtime.scim.schema import (
    CONNECT_USER,
    CORE_USER,
    ENTERPRISE_USER,
    GROUP,
    USER,
    USER_SCHEMA,
    Attribute,
)

# The RFC examples use attributes connect-scim does not serve (userType, ims). The parser is
# schema-driven, so they run against the RFC's fuller User schema built from ours.
RFC_USER = replace(
    USER,
    schema=replace(
        USER_SCHEMA,
        attributes=(
            *USER_SCHEMA.attributes,
            Attribute("userType"),
            Attribute(
                "ims",
                type="complex",
                multi_valued=True,
                sub_attributes=(Attribute("value"), Attribute("type")),
            ),
        ),
    ),
)

BJENSEN = {
    "schemas": [CORE_USER, ENTERPRISE_USER],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "userName": "bjensen",
    "userType": "Employee",
    "title": "Tour Guide",
    "name": {"familyName": "O'Malley", "givenName": "Barbara"},
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "ims": [{"value": "babs@foo.com", "type": "xmpp"}],
    "active": True,
    "meta": {"lastModified": "2011-05-13T04:42:34Z", "created": "2010-01-23T04:56:22Z"},
    ENTERPRISE_USER: {"department": "Tour Operations", "manager": {"value": "26118915"}},
}


def matches(text, resource=BJENSEN, resource_type=RFC_USER, policy=STRICT):
    return evaluate(parse_filter(text, resource_type, policy), resource)


# RFC 7644 §3.4.2.2, Figure "Example filters": every one parses and matches as the RFC means.
RFC_EXAMPLES = [
    ('userName eq "bjensen"', True),
    ('name.familyName co "O\'Malley"', True),
    ('userName sw "J"', False),
    ('userName sw "b"', True),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', False),
    ("title pr", True),
    ('meta.lastModified gt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified ge "2011-05-13T04:42:34Z"', True),
    ('meta.lastModified lt "2011-05-13T04:42:34Z"', False),
    ('meta.lastModified le "2011-05-13T04:42:34Z"', True),
    ('title pr and userType eq "Employee"', True),
    ('title pr or userType eq "Intern"', True),
    ('schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', True),
    ('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', True),
    ('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', False),
    ('userType eq "Employee" and (emails.type eq "work")', True),
    ('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', True),
    (
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
        True,
    ),
]


@pytest.mark.parametrize(("text", "expected"), RFC_EXAMPLES)
def test_rfc7644_3_4_2_2_example_filters(text, expected):
    assert matches(text) is expected


def test_rfc7644_example_ast_for_value_path_with_and():
    node = parse_filter('emails[type eq "work" and value co "@example.com"]', USER)
    assert isinstance(node, ValuePathFilter)
    assert str(node.path) == "emails"
    assert isinstance(node.filter, And)
    left, right = node.filter.left, node.filter.right
    assert isinstance(left, Comparison) and isinstance(right, Comparison)
    assert (str(left.path), left.op, left.value) == ("emails.type", "eq", "work")
    assert (str(right.path), right.op, right.value) == ("emails.value", "co", "@example.com")


def test_complex_attribute_without_sub_attribute_compares_its_value():
    # RFC 7644 §3.4.2.2 example: ``emails co "example.com"`` means emails.value.
    node = parse_filter('emails co "example.com"', USER)
    assert isinstance(node, Comparison)
    assert str(node.path) == "emails.value"


def test_precedence_not_binds_tighter_than_and_tighter_than_or():
    node = parse_filter('title pr or userName eq "a" and not (active eq true)', USER)
    assert isinstance(node, Or)
    assert isinstance(node.left, Present)
    assert isinstance(node.right, And)
    assert isinstance(node.right.right, Not)


def test_and_or_are_left_associative():
    node = parse_filter("title pr and nickName pr and locale pr", USER)
    assert isinstance(node, And) and isinstance(node.left, And)


def test_grouping_overrides_precedence():
    node = parse_filter("(title pr or nickName pr) and locale pr", USER)
    assert isinstance(node, And) and isinstance(node.left, Or)
    assert matches('(title pr or nickName pr) and userName eq "bjensen"')
    assert matches('title pr or (nickName pr and userName eq "nobody")') is True
    assert matches('(title pr or nickName pr) and userName eq "nobody"') is False


@pytest.mark.parametrize(
    "text",
    [
        'USERNAME EQ "bjensen"',
        'username Eq "bjensen"',
        'UserName eq "bjensen" AND Title PR',
        'NOT (userName eq "x")',
        'EMAILS[TYPE EQ "work"]',
        'urn:ietf:params:scim:schemas:core:2.0:user:USERNAME eq "bjensen"',
    ],
)
def test_operators_keywords_and_attribute_names_are_case_insensitive(text):
    assert matches(text)


def test_ast_carries_canonical_names_whatever_the_client_case():
    node = parse_filter('USERNAME eq "x"', USER)
    assert isinstance(node, Comparison)
    assert node.path.attribute == "userName"
    node = parse_filter(
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.VALUE eq "x"', USER
    )
    assert isinstance(node, Comparison)
    assert (node.path.schema, node.path.attribute, node.path.sub_attribute) == (
        ENTERPRISE_USER,
        "manager",
        "value",
    )


def test_okta_username_eq_matches_case_insensitively_as_userName_is_not_case_exact():
    # Okta's spec test looks users up with a different case; RFC 7643 §4.1.1 userName caseExact false.
    assert matches('userName eq "BJensen"')
    assert matches('userName sw "BJ"')


def test_case_exact_attributes_compare_exactly():
    resource = {**BJENSEN, "externalId": "AbC-1"}
    assert matches('externalId eq "AbC-1"', resource)
    assert not matches('externalId eq "abc-1"', resource)
    assert not matches('id eq "2819C223-7F76-453A-919D-413861904646"')


def test_entra_value_path_with_sub_attribute_in_a_filter():
    node = parse_filter('emails[type eq "work"].value eq "BJENSEN@example.com"', USER)
    assert isinstance(node, ValuePathFilter)
    assert matches('emails[type eq "work"].value eq "BJENSEN@example.com"')
    # the same address as home e-mail does not match the work filter
    assert not matches('emails[type eq "home"].value eq "bjensen@example.com"')


def test_value_path_requires_the_same_element_to_match_every_condition():
    assert not matches('emails[type eq "home" and value co "example.com"]')
    assert matches('emails.type eq "home" and emails.value co "example.com"')


def test_entra_unquoted_external_id_is_a_string_under_the_entra_policy():
    resource = {**BJENSEN, "externalId": "5a8c1f30-19cf-4a33-b6b6-4bba5c8ee7b2"}
    text = "externalId eq 5a8c1f30-19cf-4a33-b6b6-4bba5c8ee7b2"
    node = parse_filter(text, USER, ENTRA)
    assert isinstance(node, Comparison) and node.value == "5a8c1f30-19cf-4a33-b6b6-4bba5c8ee7b2"
    assert evaluate(node, resource)
    numeric = parse_filter("externalId eq 12345", USER, ENTRA)
    assert isinstance(numeric, Comparison) and numeric.value == "12345"


def test_unquoted_values_are_invalid_filter_under_strict():
    with pytest.raises(InvalidFilter) as err:
        parse_filter("externalId eq 5a8c1f30-19cf", USER, STRICT)
    assert err.value.scim_type == "invalidFilter"
    assert "position 15" in err.value.detail
    assert "quoted string" in err.value.detail


def test_json_literals_and_escapes_in_comp_values():
    node = parse_filter(r'displayName eq "Tab\there \"q\" \u00e9"', USER)
    assert isinstance(node, Comparison) and node.value == 'Tab\there "q" é'
    assert parse_filter("active eq TRUE", USER) == parse_filter("active eq true", USER)
    node = parse_filter(
        "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User:afterContactWorkTimeLimit ge 1.5e2",
        USER,
    )
    assert isinstance(node, Comparison) and node.value == 150.0


def test_null_comparison_means_absent():
    assert matches("nickName eq null")
    assert not matches("title eq null")
    assert matches("title ne null")


def test_ne_is_true_for_an_absent_attribute():
    assert matches('nickName ne "x"')
    assert not matches('userName ne "BJENSEN"')


def test_multi_valued_simple_attribute_matches_any_value():
    resource = {"id": "1", CONNECT_USER: {"securityProfiles": ["Agent", "CallCenterManager"]}}
    assert matches(f'{CONNECT_USER}:securityProfiles eq "agent"', resource, USER)
    assert not matches(f'{CONNECT_USER}:securityProfiles eq "Admin"', resource, USER)


def test_numbers_and_booleans_compare_by_type():
    resource = {CONNECT_USER: {"afterContactWorkTimeLimit": 30, "autoAccept": False}}
    assert matches(f"{CONNECT_USER}:afterContactWorkTimeLimit gt 20", resource, USER)
    assert not matches(f"{CONNECT_USER}:afterContactWorkTimeLimit lt 30", resource, USER)
    assert matches(f"{CONNECT_USER}:autoAccept eq false", resource, USER)


def test_date_times_compare_as_instants_across_offsets():
    assert matches('meta.created lt "2010-01-23T05:00:00+00:00"')
    assert matches('meta.created gt "2010-01-23T05:56:00+02:00"')


def test_boolean_strings_in_filters_follow_the_policy():
    assert evaluate(parse_filter('active eq "True"', USER, ENTRA), BJENSEN)
    with pytest.raises(InvalidFilter):
        parse_filter('active eq "True"', USER, STRICT)


def test_group_filters_resolve_against_the_group_schema():
    node = parse_filter('displayName eq "Agents" and members[value eq "u1"]', GROUP)
    group = {"displayName": "agents", "members": [{"value": "u1"}]}
    assert evaluate(node, group)
    with pytest.raises(InvalidFilter):
        parse_filter('userName eq "x"', GROUP)


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("", 1, "expected an attribute name"),
        ("userName", 9, "operator"),
        ("userName eq", 12, "value"),
        ('userName equals "x"', 10, "expected an operator"),
        ('userName eq "x', 13, "closing the string"),
        ('(userName eq "x"', 17, "')'"),
        ('userName eq "x")', 16, "'and', 'or' or the end"),
        ('userName eq "x" and', 20, "attribute name"),
        ('not userName eq "x"', 5, "'(' after 'not'"),
        ('emails[type eq "work"', 22, "']'"),
        ('emails[type eq "work"]]', 23, "end of the filter"),
        ('userName eq "\\x"', 13, "JSON string"),
        ("userName eq 'x'", 13, "quoted string"),
        ('emails[type eq "w" and emails[type eq "x"]]', 30, "cannot be nested"),
    ],
)
def test_syntax_errors_name_the_position_and_what_was_expected(text, position, expected):
    with pytest.raises(InvalidFilter) as err:
        parse_filter(text, USER)
    assert err.value.status == 400
    assert err.value.scim_type == "invalidFilter"
    assert f"position {position}" in err.value.detail
    assert expected in err.value.detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('nosuch eq "x"', "unknown attribute 'nosuch'"),
        ('name.nosuch eq "x"', "unknown sub-attribute 'nosuch' of 'name'"),
        ('userName.x eq "x"', "has no sub-attributes"),
        ('urn:example:custom:2.0:User:x eq "x"', "unknown schema URN"),
        (f'{ENTERPRISE_USER} eq "x"', "names a schema"),
        ("active gt true", "'gt' cannot compare the boolean"),
        ('active eq "yes"', "boolean"),
        ("userName eq 5", "quoted string"),
        ("userName co 5", "quoted string value"),
        (f'{CONNECT_USER}:afterContactWorkTimeLimit eq "5"', "number"),
        ('meta.created gt "yesterday"', "xsd:dateTime"),
        ('name eq "x"', "complex"),
        ("title gt null", "null can only be compared with eq or ne"),
        ('userName[value eq "x"]', "not a complex attribute"),
        ("userName eq 1e999", "finite"),
        ("userName eq " + "1" * 50, "at most"),
    ],
)
def test_meaningless_comparisons_are_invalid_filter(text, expected):
    with pytest.raises(InvalidFilter) as err:
        parse_filter(text, USER)
    assert expected in err.value.detail


def test_numbers_in_string_comparisons_are_refused_even_when_unquoted_strings_are_allowed():
    with pytest.raises(InvalidFilter):
        parse_filter("active eq maybe", USER, ScimPolicy(unquoted_filter_values=True))


def test_filter_length_limit():
    long_value = "x" * MAX_FILTER_LENGTH
    with pytest.raises(InvalidFilter) as err:
        parse_filter(f'userName eq "{long_value}"', USER)
    assert str(MAX_FILTER_LENGTH) in err.value.detail


def test_nesting_depth_limit():
    ok = "(" * MAX_DEPTH + "title pr" + ")" * MAX_DEPTH
    assert isinstance(parse_filter(ok, USER), Present)
    too_deep = "(" * (MAX_DEPTH + 1) + "title pr" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(InvalidFilter) as err:
        parse_filter(too_deep, USER)
    assert "nesting deeper than" in err.value.detail
    nots = "not (" * (MAX_DEPTH + 1) + "title pr" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(InvalidFilter):
        parse_filter(nots, USER)


def test_term_count_limit():
    ok = " or ".join(["title pr"] * MAX_TERMS)
    parse_filter(ok, USER)
    with pytest.raises(InvalidFilter) as err:
        parse_filter(ok + " or title pr", USER)
    assert f"more than {MAX_TERMS}" in err.value.detail


def test_error_details_do_not_echo_values():
    with pytest.raises(InvalidFilter) as err:
        parse_filter("userName eq secret-person@example.com", USER)
    assert "secret-person" not in err.value.detail


def test_patch_paths_parse_with_filters_and_sub_attributes():
    vpath = parse_value_path('emails[type eq "work"].value', USER)
    assert (vpath.path.attribute, vpath.path.sub_attribute) == ("emails", "value")
    assert vpath.filter is not None
    plain = parse_value_path("NAME.GIVENNAME", USER)
    assert (plain.path.attribute, plain.path.sub_attribute, plain.filter) == ("name", "givenName", None)


@pytest.mark.parametrize(
    "text",
    [
        'emails[type eq "work"',
        'name[givenName eq "x"]',
        "emails[type eq]",
        "",
        "emails.value ",
        'emails[type eq "x"].',
    ],
)
def test_malformed_patch_paths_are_invalid_path(text):
    with pytest.raises(InvalidPath) as err:
        parse_value_path(text, USER)
    assert err.value.scim_type == "invalidPath"


def test_non_string_filter_is_a_scim_error():
    with pytest.raises(ScimError):
        parse_filter(None, USER)  # type: ignore[arg-type]
