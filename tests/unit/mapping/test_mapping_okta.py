"""Okta profile: security profiles from ``entitlements``, routing profile from ``roles`` (Okta payloads)."""

from __future__ import annotations

import pytest

from runtime.mapping.profiles import OKTA
from runtime.scim.errors import InvalidValue

from .helpers import (
    CONNECT,
    NAMES,
    ROUTING,
    SECURITY,
    create,
    fixture,
    patch,
    render,
    sent_attributes_read_back,
)


def test_okta_create_maps_entitlements_to_security_profiles_and_roles_to_routing_profile() -> None:
    state, _ = create(fixture("okta_create_user.json"), OKTA)
    assert set(state.security_profile_ids) == {SECURITY["Agent"], SECURITY["QualityAnalyst"]}
    assert state.routing_profile_id == ROUTING["Sales Routing Profile"]
    assert (state.first_name, state.last_name, state.mobile) == ("Isabella", "López", "+14155550123")
    assert state.username == "isabella.lopez@example.com"
    assert state.active is True


def test_every_attribute_okta_sends_reads_back_unchanged() -> None:
    sent = fixture("okta_create_user.json")
    _, user = create(sent, OKTA)
    rendered = render(user, OKTA)
    assert sent_attributes_read_back(sent, rendered) == []
    assert rendered[CONNECT]["securityProfiles"] == ["Agent", "QualityAnalyst"]
    assert rendered[CONNECT]["routingProfile"] == "Sales Routing Profile"


def test_the_password_okta_may_sync_is_never_stored() -> None:
    _, user = create(fixture("okta_create_user.json"), OKTA)
    assert not any("1mz050nq" in value for value in user.tags.values())
    assert "password" not in render(user, OKTA)


def test_okta_conformance_user_without_entitlements_gets_defaults_but_reads_back_without_them() -> None:
    sent = fixture("okta_create_user_without_entitlements.json")
    state, user = create(sent, OKTA)
    assert state.security_profile_ids == (SECURITY["Agent"],)
    assert state.routing_profile_id == ROUTING["Basic Routing Profile"]
    rendered = render(user, OKTA)
    assert "entitlements" not in rendered and "roles" not in rendered
    assert sent_attributes_read_back(sent, rendered) == []


def test_plain_string_entitlements_are_accepted_as_names() -> None:
    body = fixture("okta_put_user.json")
    state, _ = create(body, OKTA)
    assert set(state.security_profile_ids) == {SECURITY["Agent"], SECURITY["CallCenterManager"]}


def test_okta_deactivation_patch_keeps_entitlements_and_remembers_them() -> None:
    _, user = create(fixture("okta_create_user.json"), OKTA)
    state, after = patch(user, fixture("okta_patch_deactivate.json"), OKTA)
    assert state.active is False
    assert after.security_profile_ids == (SECURITY["SCIM-Deactivated"],)
    rendered = render(after, OKTA)
    assert rendered["active"] is False
    assert rendered["entitlements"] == [{"value": "Agent"}, {"value": "QualityAnalyst"}]


def test_lower_case_entitlement_names_resolve_and_read_back_as_sent() -> None:
    body = fixture("okta_create_user.json") | {"entitlements": [{"value": "agent"}]}
    state, user = create(body, OKTA)
    assert state.security_profile_ids == (SECURITY["Agent"],)
    assert render(user, OKTA)["entitlements"] == [{"value": "agent"}]
    assert render(user, OKTA)[CONNECT]["securityProfiles"] == ["Agent"]


def test_two_roles_without_a_primary_one_are_refused() -> None:
    body = fixture("okta_create_user.json") | {
        "roles": [{"value": "Basic Routing Profile"}, {"value": "Sales Routing Profile"}]
    }
    with pytest.raises(InvalidValue, match="exactly one"):
        create(body, OKTA)


def test_of_two_roles_the_primary_one_is_the_routing_profile() -> None:
    body = fixture("okta_create_user.json") | {
        "roles": [{"value": "Basic Routing Profile"}, {"value": "Sales Routing Profile", "primary": True}]
    }
    state, user = create(body, OKTA)
    assert state.routing_profile_id == ROUTING["Sales Routing Profile"]
    assert render(user, OKTA)["roles"] == body["roles"]


def test_entitlements_and_extension_naming_different_profiles_are_refused() -> None:
    body = fixture("okta_create_user.json")
    body["schemas"] = [*body["schemas"], CONNECT]
    body[CONNECT] = {"securityProfiles": ["Admin"]}
    with pytest.raises(InvalidValue, match="name different security profiles"):
        create(body, OKTA)


def test_unknown_entitlement_is_refused_naming_it() -> None:
    body = fixture("okta_create_user.json") | {"entitlements": [{"value": "Astronaut"}]}
    with pytest.raises(InvalidValue, match="'Astronaut'"):
        create(body, OKTA)
    assert NAMES.security_profile_id("Astronaut") is None
