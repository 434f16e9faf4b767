"""Okta may send entitlement/role names as plain strings; they are wrapped before validation."""

from __future__ import annotations

from runtime.mapping.plain import wrap_plain_patch, wrap_plain_values
from runtime.mapping.profiles import ENTRA, OKTA


def test_plain_strings_in_okta_name_attributes_become_value_objects() -> None:
    body = {"userName": "u", "Entitlements": ["Agent", {"value": "Admin"}], "roles": "Basic Routing Profile"}
    assert wrap_plain_values(body, OKTA) == {
        "userName": "u",
        "Entitlements": [{"value": "Agent"}, {"value": "Admin"}],
        "roles": [{"value": "Basic Routing Profile"}],
    }


def test_profiles_without_such_sources_leave_bodies_alone() -> None:
    body = {"entitlements": ["Agent"]}
    assert wrap_plain_values(body, ENTRA) is body


def test_patch_operations_on_name_attributes_are_wrapped_with_and_without_path() -> None:
    body = {
        "Operations": [
            {"op": "add", "path": "entitlements", "value": "Agent"},
            {"op": "replace", "value": {"roles": ["Sales Routing Profile"], "title": "x"}},
            {"op": "replace", "path": "title", "value": "y"},
        ]
    }
    assert wrap_plain_patch(body, OKTA)["Operations"] == [
        {"op": "add", "path": "entitlements", "value": [{"value": "Agent"}]},
        {"op": "replace", "value": {"roles": [{"value": "Sales Routing Profile"}], "title": "x"}},
        {"op": "replace", "path": "title", "value": "y"},
    ]
