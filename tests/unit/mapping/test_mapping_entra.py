"""Entra profile: security profiles from enterprise ``department`` (real Entra payloads and PATCH forms)."""

from __future__ import annotations

import pytest

from runtime.mapping.profiles import ENTRA
from runtime.scim.errors import InvalidValue

from .helpers import CONNECT, ENTERPRISE, SECURITY, create, fixture, patch, render, sent_attributes_read_back


def test_entra_department_is_a_comma_separated_trimmed_list_of_security_profiles() -> None:
    state, _ = create(fixture("entra_create_user.json"), ENTRA)
    assert set(state.security_profile_ids) == {SECURITY["Agent"], SECURITY["QualityAnalyst"]}
    assert state.mobile == "+14255550199"


def test_every_attribute_entra_sends_reads_back_unchanged() -> None:
    sent = fixture("entra_create_user.json")
    _, user = create(sent, ENTRA)
    rendered = render(user, ENTRA)
    assert sent_attributes_read_back(sent, rendered) == []
    assert rendered[ENTERPRISE]["department"] == "Agent, QualityAnalyst"
    assert rendered["phoneNumbers"] == sent["phoneNumbers"]


def test_entra_patch_with_filtered_email_path_family_name_and_department() -> None:
    _, user = create(fixture("entra_create_user.json"), ENTRA)
    state, after = patch(user, fixture("entra_patch_update.json"), ENTRA)
    assert state.last_name == "updatedFamilyName"
    assert state.security_profile_ids == (SECURITY["CallCenterManager"],)
    rendered = render(after, ENTRA)
    assert rendered["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert rendered[ENTERPRISE]["department"] == "CallCenterManager"


def test_entra_pathless_add_with_dotted_and_urn_keys() -> None:
    _, user = create(fixture("entra_create_user.json"), ENTRA)
    state, after = patch(user, fixture("entra_patch_pathless.json"), ENTRA)
    assert state.first_name == "Barbara"
    assert set(state.security_profile_ids) == {SECURITY["Agent"], SECURITY["Admin"]}
    rendered = render(after, ENTRA)
    assert rendered["title"] == "Supervisor"
    assert rendered[ENTERPRISE]["department"] == "Agent,Admin"


def test_entra_disable_with_string_false_deactivates_and_keeps_department() -> None:
    _, user = create(fixture("entra_create_user.json"), ENTRA)
    state, after = patch(user, fixture("entra_patch_disable.json"), ENTRA)
    assert state.active is False
    rendered = render(after, ENTRA)
    assert rendered["active"] is False
    assert rendered[ENTERPRISE]["department"] == "Agent, QualityAnalyst"
    assert rendered[CONNECT]["securityProfiles"] == ["Agent", "QualityAnalyst"]


def test_entra_department_removal_reverts_to_defaults_and_reads_back_absent() -> None:
    _, user = create(fixture("entra_create_user.json"), ENTRA)
    removal = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": f"{ENTERPRISE}:department"}],
    }
    state, after = patch(user, removal, ENTRA)
    assert state.security_profile_ids == (SECURITY["Agent"],)
    assert "department" not in render(after, ENTRA).get(ENTERPRISE, {})


def test_a_department_that_is_not_a_security_profile_is_refused_naming_it() -> None:
    body = fixture("entra_create_user.json")
    body[ENTERPRISE] = {**body[ENTERPRISE], "department": "Sales"}
    with pytest.raises(InvalidValue, match=r"'Sales'.*department"):
        create(body, ENTRA)


def test_entra_roles_are_plain_stored_attributes_not_routing_profiles() -> None:
    body = fixture("entra_create_user.json") | {"roles": [{"value": "Astronaut", "primary": True}]}
    _, user = create(body, ENTRA)
    assert render(user, ENTRA)["roles"] == [{"value": "Astronaut", "primary": True}]
