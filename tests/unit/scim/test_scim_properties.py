# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""Property-based tests: whatever a client sends, the protocol layer answers a result or a
ScimError below 500 — no other exception, no 5xx, no mutation of its input."""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.scim.errors import ScimError
from runtime.scim.filter import (
    And,
    Comparison,
    Filter,
    Not,
    Or,
    Present,
    ValuePathFilter,
    evaluate,
    parse_filter,
)
from runtime.scim.jsonbody import MAX_DEPTH, parse_json_object
from runtime.scim.patch import patch_resource
from runtime.scim.policy import ENTRA, GENERIC, OKTA, STRICT
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import CONNECT_USER, CORE_USER, ENTERPRISE_USER, GROUP, USER

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICIES = st.sampled_from([STRICT, OKTA, ENTRA, GENERIC])

# Text with everything hostile in it: controls, NUL, surrogate-range escapes, non-NFC forms.
HOSTILE_TEXT = st.lists(
    st.characters(exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\x1b", "e\u0301", "\u212b", '"', "\\", "\u2028", "\ufeff"]),
    max_size=40,
).map("".join)

FILTER_TOKENS = st.sampled_from(
    [
        "userName",
        "USERNAME",
        "emails",
        "emails.value",
        "name.givenName",
        "meta.created",
        "active",
        "externalId",
        "members",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        f"{CONNECT_USER}:afterContactWorkTimeLimit",
        "eq",
        "ne",
        "co",
        "sw",
        "ew",
        "gt",
        "ge",
        "lt",
        "le",
        "pr",
        "and",
        "or",
        "not",
        "(",
        ")",
        "[",
        "]",
        ".",
        '"x"',
        '"2011-05-13T04:42:34Z"',
        "true",
        "false",
        "null",
        "12",
        "-1.5e3",
        "1e999",
        "5a8c",
        '"\\u0000"',
        '"\\ud800"',
        '"unterminated',
        '[type eq "work"]',
    ]
)

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=20,
)


def assert_client_error(exc):
    assert isinstance(exc, ScimError)
    assert 400 <= exc.status < 500
    assert exc.detail
    json.dumps(exc.to_body())


# --- filters ------------------------------------------------------------------------------------


@SETTINGS
@given(text=HOSTILE_TEXT, policy=POLICIES)
def test_filter_parser_on_arbitrary_text_answers_a_filter_or_a_client_error(text, policy):
    try:
        node = parse_filter(text, USER, policy)
    except ScimError as exc:
        assert_client_error(exc)
    else:
        evaluate(node, {"userName": "x"})


@SETTINGS
@given(
    tokens=st.lists(FILTER_TOKENS, min_size=1, max_size=12),
    glue=st.sampled_from([" ", "", "  "]),
    policy=POLICIES,
)
def test_filter_parser_on_token_soup_answers_a_filter_or_a_client_error(tokens, glue, policy):
    try:
        parse_filter(glue.join(tokens), USER, policy)
    except ScimError as exc:
        assert_client_error(exc)


@SETTINGS
@given(depth=st.integers(min_value=0, max_value=3000), opener=st.sampled_from(["(", "not (", "emails[", "["]))
def test_deep_nesting_never_exhausts_the_stack(depth, opener):
    text = opener * depth + "title pr" + ")" * depth
    try:
        parse_filter(text, USER)
    except ScimError as exc:
        assert_client_error(exc)


# Valid filters generated from the grammar, rendered to text, must parse back to the same AST.
ATTRS = st.sampled_from(["userName", "displayName", "title", "externalId", "name.givenName", "emails.value"])
STRINGS = st.text(max_size=12)  # json.dumps escapes controls; the parser must decode them
OPS = st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])


def leaf():
    comparison = st.builds(lambda a, o, v: f"{a} {o} {json.dumps(v)}", ATTRS, OPS, STRINGS)
    present = ATTRS.map(lambda a: f"{a} pr")
    value_path = st.builds(lambda v: f"emails[type eq {json.dumps(v)}]", STRINGS)
    return comparison | present | value_path


FILTER_TEXTS = st.recursive(
    leaf(),
    lambda inner: (
        st.builds(lambda a, b: f"{a} and {b}", inner, inner)
        | st.builds(lambda a, b: f"{a} or {b}", inner, inner)
        | inner.map(lambda a: f"not ({a})")
        | inner.map(lambda a: f"({a})")
    ),
    max_leaves=8,
)


def render(node: Filter) -> str:
    if isinstance(node, And):
        return f"({render(node.left)}) and ({render(node.right)})"
    if isinstance(node, Or):
        return f"({render(node.left)}) or ({render(node.right)})"
    if isinstance(node, Not):
        return f"not ({render(node.filter)})"
    if isinstance(node, Present):
        return f"{node.path} pr"
    if isinstance(node, ValuePathFilter):
        return f"{node.path}[{render(node.filter).replace(str(node.path) + '.', '')}]"
    assert isinstance(node, Comparison)
    return f"{node.path} {node.op} {json.dumps(node.value)}"


@SETTINGS
@given(text=FILTER_TEXTS)
def test_grammar_generated_filters_parse_and_render_back_to_the_same_ast(text):
    node = parse_filter(text, USER)
    assert parse_filter(render(node), USER) == node


@SETTINGS
@given(
    text=FILTER_TEXTS,
    resource=st.fixed_dictionaries(
        {},
        optional={
            "userName": JSON_VALUES,
            "title": JSON_VALUES,
            "name": JSON_VALUES,
            "emails": JSON_VALUES,
            "externalId": JSON_VALUES,
        },
    ),
)
def test_evaluation_on_arbitrary_resources_is_total(text, resource):
    assert evaluate(parse_filter(text, USER), resource) in (True, False)


# --- PATCH --------------------------------------------------------------------------------------

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BASE_USER = {
    "schemas": [CORE_USER, ENTERPRISE_USER, CONNECT_USER],
    "id": "u-1",
    "userName": "bjensen@example.com",
    "active": True,
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "emails": [
        {"value": "b@work.example", "type": "work", "primary": True},
        {"value": "b@home.example", "type": "home"},
    ],
    ENTERPRISE_USER: {"department": "Sales", "manager": {"value": "m-1"}},
    CONNECT_USER: {"securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile"},
    "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z"},
}
BASE_GROUP = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "id": "g-1",
    "displayName": "Agents",
    "members": [{"value": "u-1"}, {"value": "u-2"}],
}

PATHS = st.sampled_from(
    [
        None,
        "active",
        "ACTIVE",
        "userName",
        "displayName",
        "name",
        "name.givenName",
        "emails",
        "emails.value",
        'emails[type eq "work"]',
        'emails[type eq "work"].value',
        'emails[type eq "other"].primary',
        'emails[value co "@"].type',
        "phoneNumbers",
        "id",
        "meta",
        "groups",
        "schemas",
        "externalId",
        "nosuch",
        f"{ENTERPRISE_USER}:department",
        f"{ENTERPRISE_USER}:manager",
        f"{ENTERPRISE_USER}:manager.value",
        f"{ENTERPRISE_USER}:manager.displayName",
        ENTERPRISE_USER,
        CONNECT_USER,
        f"{CONNECT_USER}:securityProfiles",
        f"{CONNECT_USER}:afterContactWorkTimeLimit",
        f"{CONNECT_USER}:phoneType",
        f"{CONNECT_USER}:deskPhoneNumber",
        "urn:example:custom:2.0:User:thing",
        'members[value eq "u-1"]',
        "emails[",
        "",
        "name..x",
    ]
)
VALUES = (
    st.sampled_from(
        [
            True,
            "False",
            [{"value": "False"}],
            {"active": False},
            {"name.givenName": "B", "nickName": "Babs"},
            [{"value": "x@y.example", "type": "work", "primary": True}],
            {"value": "x@y.example", "primary": True},
            ["Agent", "Admin"],
            30,
            2_000_001,
            "+15555550100",
            "SOFT_PHONE",
            {"department": "Ops"},
            {f"{ENTERPRISE_USER}:department": "Ops", "id": "other"},
            "Jensen",
            "work",
            None,
            [],
            {},
            [{"value": "u-3"}],
            {"value": "u-9"},
            {"givenName": "Babs"},
        ]
    )
    | JSON_VALUES
)
OPERATIONS = st.fixed_dictionaries(
    {"op": st.sampled_from(["add"] * 4 + ["replace"] * 4 + ["remove"] * 3 + ["Add", "Replace", "move", 3])},
    optional={"path": PATHS, "value": VALUES},
)


@SETTINGS
@given(body=JSON_VALUES, policy=POLICIES)
def test_patch_of_arbitrary_json_is_a_result_or_a_client_error(body, policy):
    resource = copy.deepcopy(BASE_USER)
    try:
        patch_resource(resource, body, USER, policy)
    except ScimError as exc:
        assert_client_error(exc)
    assert resource == BASE_USER


@SETTINGS
@given(
    ops=st.lists(OPERATIONS, min_size=1, max_size=5),
    policy=POLICIES,
    target=st.sampled_from(["user", "group"]),
)
def test_patch_of_plausible_operations_keeps_the_resource_valid_or_refuses(ops, policy, target):
    base, resource_type = (BASE_USER, USER) if target == "user" else (BASE_GROUP, GROUP)
    resource = copy.deepcopy(base)
    body = {"schemas": [PATCH_OP], "Operations": ops}
    try:
        result = patch_resource(resource, body, resource_type, policy)
    except ScimError as exc:
        assert_client_error(exc)
    else:
        # A successful PATCH never produces a resource that a PUT of the same body would refuse.
        normalize_resource(result, resource_type, STRICT)
        assert result["id"] == base["id"]
        assert result["schemas"][0] == resource_type.schema.id
    assert resource == base


# --- JSON bodies --------------------------------------------------------------------------------


@SETTINGS
@given(raw=st.binary(max_size=512))
def test_json_body_of_arbitrary_bytes_is_an_object_or_a_client_error(raw):
    try:
        assert isinstance(parse_json_object(raw), dict)
    except ScimError as exc:
        assert_client_error(exc)


@SETTINGS
@given(text=HOSTILE_TEXT)
def test_json_body_of_arbitrary_text_is_an_object_or_a_client_error(text):
    try:
        parse_json_object(text.encode("utf-8", "surrogatepass"))
    except ScimError as exc:
        assert_client_error(exc)


@SETTINGS
@given(value=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6))
def test_json_body_round_trips_every_acceptable_object(value):
    raw = json.dumps(value).encode()
    try:
        parsed = parse_json_object(raw)
    except ScimError as exc:
        assert_client_error(exc)
        assert any(
            reason in exc.detail
            for reason in ("twice", "digits", "surrogate", "nests", "too large", "not a JSON number")
        )
    else:
        assert parsed == value


@SETTINGS
@given(depth=st.integers(min_value=1, max_value=50_000), bracket=st.sampled_from(["[", '{"a":']))
def test_json_body_nesting_is_bounded(depth, bracket):
    closer = "]" if bracket == "[" else "}"
    raw = ('{"x":' + bracket * depth + "1" + closer * depth + "}").encode()
    try:
        parse_json_object(raw, max_bytes=10**6)
        assert depth + 1 <= MAX_DEPTH
    except ScimError as exc:
        assert_client_error(exc)


@SETTINGS
@given(number=st.integers() | st.floats(allow_nan=True, allow_infinity=True), digits=st.integers(1, 6000))
def test_json_body_refuses_numbers_that_cannot_be_represented(number, digits):
    for raw in (json.dumps({"n": number}).encode(), b'{"n": ' + b"9" * digits + b"}"):
        try:
            parse_json_object(raw)
        except ScimError as exc:
            assert_client_error(exc)


@SETTINGS
@given(body=JSON_VALUES, policy=POLICIES)
def test_resource_validation_of_arbitrary_json_is_a_result_or_a_client_error(body, policy):
    for candidate in (body, {"schemas": [CORE_USER], "userName": "x", "emails": body, ENTERPRISE_USER: body}):
        try:
            normalize_resource(candidate, USER, policy)
        except ScimError as exc:
            assert_client_error(exc)


@SETTINGS
@given(
    depth=st.integers(min_value=1, max_value=5000),
    path=st.sampled_from([None, "name", "emails", f"{ENTERPRISE_USER}:manager", "title", ENTERPRISE_USER]),
    wrap=st.sampled_from(["dict", "list"]),
    policy=POLICIES,
)
def test_patch_values_nested_arbitrarily_deep_are_refused_without_recursion(depth, path, wrap, policy):
    value: object = "leaf"
    for _ in range(depth):
        value = {"value": value} if wrap == "dict" else [value]
    operation = (
        {"op": "replace", "value": value} if path is None else {"op": "replace", "path": path, "value": value}
    )
    try:
        patch_resource(
            copy.deepcopy(BASE_USER), {"schemas": [PATCH_OP], "Operations": [operation]}, USER, policy
        )
    except ScimError as exc:
        assert_client_error(exc)
