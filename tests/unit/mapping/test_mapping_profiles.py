"""Mapping profiles are data: which attribute carries which Connect facet, and which policy applies."""

from __future__ import annotations

import pytest

from runtime.mapping.profiles import ENTRA, GENERIC, OKTA, profile_for
from runtime.scim import policy
from runtime.scim.errors import InvalidValue

from .helpers import CONNECT, CORE, ENTERPRISE, HIERARCHY, SECURITY, create, render, sent_attributes_read_back


def test_profiles_name_their_policy_preset_and_azure_is_entra() -> None:
    assert (OKTA.policy, ENTRA.policy, GENERIC.policy) == (policy.OKTA, policy.ENTRA, policy.GENERIC)
    assert profile_for("azure") is ENTRA and profile_for("OKTA") is OKTA
    with pytest.raises(ValueError, match="known: okta"):
        profile_for("onelogin")


def test_every_profile_accepts_the_connect_extension() -> None:
    for profile in (OKTA, ENTRA, GENERIC):
        body = {
            "schemas": [CORE, CONNECT],
            "userName": "ext.user",
            CONNECT: {
                "securityProfiles": ["CallCenterManager"],
                "routingProfile": "Sales Routing Profile",
                "hierarchyGroup": "Support",
                "phoneType": "DESK_PHONE",
                "deskPhoneNumber": "+14155550100",
                "autoAccept": True,
                "afterContactWorkTimeLimit": 45,
            },
        }
        state, user = create(body, profile)
        assert state.security_profile_ids == (SECURITY["CallCenterManager"],)
        assert state.hierarchy_group_id == HIERARCHY["Support"]
        assert state.phone.after_contact_work_time_limit == 45
        assert render(user, profile)[CONNECT] == body[CONNECT]


def test_generic_profile_stores_entitlements_roles_and_department_as_attributes() -> None:
    body = {
        "schemas": [CORE, ENTERPRISE],
        "userName": "generic.user",
        "entitlements": [{"value": "Admin"}],
        "roles": [{"value": "anything", "type": "x"}],
        ENTERPRISE: {"department": "Finance"},
    }
    state, user = create(body, GENERIC)
    assert state.security_profile_ids == (SECURITY["Agent"],)  # the default: nothing was mapped
    assert sent_attributes_read_back(body, render(user, GENERIC)) == []


def test_desk_phone_without_a_number_is_refused() -> None:
    body = {"schemas": [CORE, CONNECT], "userName": "desk.user", CONNECT: {"phoneType": "DESK_PHONE"}}
    with pytest.raises(InvalidValue, match="deskPhoneNumber' is required"):
        create(body, GENERIC)
