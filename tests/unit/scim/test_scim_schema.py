# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""Schema definitions connect-scim serves, and attribute path resolution (RFC 7643 §2.1, RFC 7644 §3.10)."""

import ast
from dataclasses import fields
from pathlib import Path

import pytest

from runtime.scim import policy as policy_module
from runtime.scim.errors import InvalidFilter, InvalidPath
from runtime.scim.policy import ENTRA, GENERIC, OKTA, PRESETS, STRICT, ScimPolicy
from runtime.scim.schema import (
    CONNECT_USER,
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE_USER,
    GROUP,
    USER,
    UnknownAttribute,
    resolve_path,
    resource_type_for,
)


@pytest.mark.parametrize(
    ("text", "schema", "attribute", "sub"),
    [
        ("userName", CORE_USER, "userName", None),
        ("USERNAME", CORE_USER, "userName", None),
        ("name.givenname", CORE_USER, "name", "givenName"),
        (f"{CORE_USER}:userName", CORE_USER, "userName", None),
        (f"{CORE_USER.upper()}:EMAILS.VALUE", CORE_USER, "emails", "value"),
        ("id", CORE_USER, "id", None),
        ("externalId", CORE_USER, "externalId", None),
        ("meta.lastModified", CORE_USER, "meta", "lastModified"),
        (f"{ENTERPRISE_USER}:department", ENTERPRISE_USER, "department", None),
        (f"{ENTERPRISE_USER}:manager.value", ENTERPRISE_USER, "manager", "value"),
        (f"{ENTERPRISE_USER.lower()}:Manager.$REF", ENTERPRISE_USER, "manager", "$ref"),
        (f"{CONNECT_USER}:securityProfiles", CONNECT_USER, "securityProfiles", None),
    ],
)
def test_paths_resolve_case_insensitively_to_canonical_names(text, schema, attribute, sub):
    path = resolve_path(USER, text)
    assert (path.schema, path.attribute, path.sub_attribute) == (schema, attribute, sub)
    assert path.is_extension is (schema != CORE_USER)
    assert path.definition.name == (sub or attribute)


def test_resolved_path_renders_canonically():
    assert str(resolve_path(USER, "NAME.GIVENNAME")) == "name.givenName"
    assert str(resolve_path(USER, f"{ENTERPRISE_USER}:MANAGER.value")) == f"{ENTERPRISE_USER}:manager.value"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nosuch", "unknown attribute 'nosuch'"),
        ("name.nosuch", "unknown sub-attribute 'nosuch' of 'name'"),
        ("userName.first", "'userName' has no sub-attributes"),
        (f"{ENTERPRISE_USER}:userName", f"unknown attribute 'userName' in schema {ENTERPRISE_USER}"),
        ("urn:example:custom:2.0:User:badge", "unknown schema URN"),
    ],
)
def test_unknown_names_raise_unknown_attribute_naming_them(text, expected):
    with pytest.raises(UnknownAttribute) as err:
        resolve_path(USER, text)
    assert isinstance(err.value, InvalidPath)
    assert expected in err.value.detail


@pytest.mark.parametrize("text", ["", "1abc", "name..givenName", "name.given.name", "na me", ENTERPRISE_USER])
def test_malformed_paths_raise_the_requested_error(text):
    with pytest.raises(InvalidPath) as err:
        resolve_path(USER, text)
    assert not isinstance(err.value, UnknownAttribute)
    with pytest.raises(InvalidFilter):
        resolve_path(USER, text, error=InvalidFilter)


def test_group_attributes_do_not_resolve_on_users():
    with pytest.raises(InvalidPath):
        resolve_path(USER, "members")
    assert resolve_path(GROUP, "members.value").definition.mutability == "immutable"


def test_user_definitions_encode_connect_rules():
    user_name = USER.core_attribute("username")
    assert user_name is not None
    assert (user_name.required, user_name.case_exact, user_name.uniqueness, user_name.mutability) == (
        True,
        False,
        "server",
        "immutable",
    )
    identifier = USER.core_attribute("id")
    assert identifier is not None
    assert (identifier.mutability, identifier.returned, identifier.case_exact) == ("readOnly", "always", True)
    groups = USER.core_attribute("groups")
    assert groups is not None and groups.mutability == "readOnly"
    connect = USER.extension(CONNECT_USER)
    assert connect is not None
    limit = connect.attribute("afterContactWorkTimeLimit")
    assert limit is not None and (limit.minimum, limit.maximum) == (0, 2_000_000)


def test_resource_types_and_their_extensions():
    assert resource_type_for("user") is USER and resource_type_for("GROUP") is GROUP
    assert resource_type_for("Printer") is None
    assert [ext.schema.id for ext in USER.extensions] == [ENTERPRISE_USER, CONNECT_USER]
    assert not any(ext.required for ext in USER.extensions)
    assert GROUP.schema.id == CORE_GROUP and GROUP.extensions == ()


# --- policy presets ------------------------------------------------------------------------------


def test_strict_is_the_rfc_only_and_generic_tolerates_everything():
    assert ScimPolicy() == STRICT
    assert STRICT.enabled() == ()
    assert set(GENERIC.enabled()) == {f.name for f in fields(ScimPolicy)}


@pytest.mark.parametrize("preset", [OKTA, ENTRA])
def test_generic_accepts_everything_the_idp_presets_accept(preset):
    assert set(preset.enabled()) <= set(GENERIC.enabled())


def test_idp_presets_switch_on_what_those_idps_need():
    assert set(OKTA.enabled()) == {"ignore_unknown_attributes", "ignore_read_only_in_patch"}
    for switch in (
        "case_insensitive_patch_op",
        "boolean_strings",
        "pathless_dotted_keys",
        "remove_with_value",
        "unmatched_filter_create",
        "unquoted_filter_values",
        "string_for_complex_value",
    ):
        assert switch in ENTRA.enabled()
    assert PRESETS == {"strict": STRICT, "okta": OKTA, "entra": ENTRA, "generic": GENERIC}


def test_every_policy_switch_has_a_docstring_citing_its_source():
    # The switches are documented as attribute docstrings; each names the IdP behaviour and a source.
    tree = ast.parse(Path(policy_module.__file__).read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ScimPolicy")
    docs = {}
    for prev, node in zip(cls.body, cls.body[1:], strict=False):
        if (
            isinstance(prev, ast.AnnAssign)
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
        ):
            assert isinstance(prev.target, ast.Name)
            docs[prev.target.id] = str(node.value.value)
    assert set(docs) == {f.name for f in fields(ScimPolicy)}
    for name, doc in docs.items():
        assert "RFC" in doc or "[" in doc, name
        assert any(idp in doc for idp in ("Entra", "Okta")), name
