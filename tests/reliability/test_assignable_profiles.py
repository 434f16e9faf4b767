"""``assignableSecurityProfiles``: a profile outside the allowlist cannot be granted by any path.

The allowlist here is Agent and QualityAnalyst; Admin and CallCenterManager exist in Connect but
are not assignable. Every way a SCIM client can name a security profile is tried with a
forbidden one — Okta's ``entitlements`` (SCIM objects and plain strings, in any case), Entra's
enterprise ``department``, our extension's ``securityProfiles``; on POST (active or not, and a
POST replayed onto an existing user), PUT, and every PATCH form (path, path-less, value filter,
add, replace; while the user is deactivated too); and through ``/Groups`` (PATCH members, PUT,
POST). Each must be refused, and Connect itself — read through boto3 — must show no user holding
a forbidden profile, live or remembered for reactivation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.wiring import build_app

from .connect_state import read_users
from .idp import CONNECT, CORE, CORE_GROUP, ENTERPRISE, PATCH_OP, AppTransport, Reply, Transport
from .stack import make_settings

ALLOWED = ("Agent", "QualityAnalyst")
FORBIDDEN = frozenset({"Admin", "CallCenterManager"})


def _app(emulator: EmulatorHandle, idp: str) -> Transport:
    settings = make_settings(emulator, idp=idp, assignable_security_profiles=ALLOWED)
    return AppTransport(build_app(settings))


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _create(scim: Transport, user_name: str, **attributes: Any) -> str:
    reply = scim.send(
        "POST", "/Users", {"schemas": [CORE, CONNECT, ENTERPRISE], "userName": user_name, **attributes}
    )
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def _refused(reply: Reply, *, not_a_group: bool = False) -> None:
    """400 naming the profile; for a forbidden profile's group id, 404 (it is no group) too."""
    assert reply.status in ((400, 404) if not_a_group else (400,)), reply.body
    if reply.status == 400:
        assert reply.body["scimType"] in ("invalidValue", "mutability"), reply.body
        names = {name.casefold() for name in FORBIDDEN}
        assert (
            any(name in reply.body["detail"].casefold() for name in names)
            or "not assignable" in reply.body["detail"]
        )


def _nobody_holds_a_forbidden_profile(emulator: EmulatorHandle) -> None:
    for user in read_users(emulator):
        assert not user.security_profiles & FORBIDDEN, (user.username, user.security_profiles)
        assert not user.remembered & FORBIDDEN, (user.username, user.remembered)


Attempt = Callable[[Transport, str], Reply]

USER_PATHS: dict[str, tuple[str, Attempt]] = {
    "okta POST entitlements": (
        "okta",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {"schemas": [CORE], "userName": "p1@x.net", "entitlements": [{"value": "Admin"}]},
        ),
    ),
    "okta POST entitlements in another case": (
        "okta",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {"schemas": [CORE], "userName": "p2@x.net", "entitlements": [{"value": "aDMIN"}]},
        ),
    ),
    "okta POST plain-string entitlements": (
        "okta",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {"schemas": [CORE], "userName": "p3@x.net", "entitlements": ["Agent", "CallCenterManager"]},
        ),
    ),
    "okta POST inactive (remembered profiles)": (
        "okta",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {
                "schemas": [CORE],
                "userName": "p4@x.net",
                "active": False,
                "entitlements": [{"value": "Admin"}],
            },
        ),
    ),
    "entra POST department": (
        "entra",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {
                "schemas": [CORE, ENTERPRISE],
                "userName": "p5@x.net",
                ENTERPRISE: {"department": "Agent, Admin"},
            },
        ),
    ),
    "generic POST extension": (
        "generic",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {"schemas": [CORE, CONNECT], "userName": "p6@x.net", CONNECT: {"securityProfiles": ["Admin"]}},
        ),
    ),
    "okta POST replayed onto the existing user": (
        "okta",
        lambda s, _: s.send(
            "POST",
            "/Users",
            {
                "schemas": [CORE],
                "userName": "target@x.net",
                "externalId": "ext-target",
                "entitlements": [{"value": "Admin"}],
            },
        ),
    ),
    "okta PUT entitlements": (
        "okta",
        lambda s, uid: s.send(
            "PUT",
            f"/Users/{uid}",
            {
                "schemas": [CORE],
                "userName": "target@x.net",
                "externalId": "ext-target",
                "entitlements": [{"value": "Agent"}, {"value": "Admin"}],
            },
        ),
    ),
    "generic PUT extension": (
        "generic",
        lambda s, uid: s.send(
            "PUT",
            f"/Users/{uid}",
            {
                "schemas": [CORE, CONNECT],
                "userName": "target@x.net",
                CONNECT: {"securityProfiles": ["CallCenterManager"]},
            },
        ),
    ),
    "okta PATCH replace path": (
        "okta",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "replace", "path": "entitlements", "value": [{"value": "Admin"}]}),
        ),
    ),
    "okta PATCH add": (
        "okta",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "add", "path": "entitlements", "value": [{"value": "Admin"}]}),
        ),
    ),
    "okta PATCH path-less": (
        "okta",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "replace", "value": {"entitlements": [{"value": "Admin"}]}}),
        ),
    ),
    "okta PATCH value filter": (
        "okta",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "replace", "path": 'entitlements[value eq "Agent"].value', "value": "Admin"}),
        ),
    ),
    "entra PATCH department": (
        "entra",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Admin"}),
        ),
    ),
    "entra PATCH path-less department": (
        "entra",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "Add", "value": {f"{ENTERPRISE}:department": "QualityAnalyst,Admin"}}),
        ),
    ),
    "generic PATCH extension add": (
        "generic",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch({"op": "add", "path": f"{CONNECT}:securityProfiles", "value": ["Admin"]}),
        ),
    ),
    "generic PATCH extension with reactivation": (
        "generic",
        lambda s, uid: s.send(
            "PATCH",
            f"/Users/{uid}",
            _patch(
                {"op": "replace", "path": "active", "value": True},
                {"op": "replace", "path": f"{CONNECT}:securityProfiles", "value": ["Admin"]},
            ),
        ),
    ),
}


@pytest.mark.parametrize("path", list(USER_PATHS), ids=list(USER_PATHS))
@pytest.mark.parametrize("inactive", [False, True], ids=["active-user", "deactivated-user"])
def test_a_forbidden_profile_is_refused_on_every_user_path(
    emulator: EmulatorHandle, path: str, inactive: bool
) -> None:
    idp, attempt = USER_PATHS[path]
    scim = _app(emulator, idp)
    user_id = _create(
        scim, "target@x.net", externalId="ext-target", **{CONNECT: {"securityProfiles": ["Agent"]}}
    )
    if inactive:
        reply = scim.send(
            "PATCH", f"/Users/{user_id}", _patch({"op": "replace", "path": "active", "value": False})
        )
        assert reply.status == 200, reply.body
    _refused(attempt(scim, user_id))
    _nobody_holds_a_forbidden_profile(emulator)
    if inactive:  # reactivation restores only what was remembered: nothing forbidden
        reply = scim.send(
            "PATCH", f"/Users/{user_id}", _patch({"op": "replace", "path": "active", "value": True})
        )
        assert reply.status == 200, reply.body
        _nobody_holds_a_forbidden_profile(emulator)


def _groups_served(scim: Transport) -> bool:
    reply = scim.send("GET", "/Groups", params={"filter": 'displayName eq "Agent"'})
    return reply.status == 200 and bool(reply.body.get("Resources"))


def test_a_forbidden_profile_is_not_a_group_and_cannot_be_granted_through_groups(
    emulator: EmulatorHandle,
) -> None:
    scim = _app(emulator, "okta")
    assert _groups_served(scim), "/Groups must serve the assignable security profiles"
    user_id = _create(scim, "member@x.net")
    listed = scim.send("GET", "/Groups")
    assert {group["displayName"] for group in listed.body["Resources"]} == set(ALLOWED)
    for name in sorted(FORBIDDEN):
        profile_id = emulator.security_profile_id(name)
        found = scim.send("GET", "/Groups", params={"filter": f'displayName eq "{name}"'})
        assert found.status == 200 and found.body["totalResults"] == 0
        add = _patch({"op": "add", "path": "members", "value": [{"value": user_id}]})
        _refused(scim.send("PATCH", f"/Groups/{profile_id}", add), not_a_group=True)
        put = {"schemas": [CORE_GROUP], "displayName": name, "members": [{"value": user_id}]}
        _refused(scim.send("PUT", f"/Groups/{profile_id}", put), not_a_group=True)
        reply = scim.send("POST", "/Groups", put)
        assert reply.status in (400, 409) and reply.status != 201, reply.body
        _refused(
            scim.send(
                "PATCH",
                f"/Groups/{profile_id}",
                _patch({"op": "replace", "value": {"members": [{"value": user_id}]}}),
            ),
            not_a_group=True,
        )
    # Renaming an allowed group to a forbidden profile does not hand it out either.
    agent = emulator.security_profile_id("Agent")
    rename = _patch({"op": "replace", "path": "displayName", "value": "Admin"})
    reply = scim.send("PATCH", f"/Groups/{agent}", rename)
    assert reply.status == 400, reply.body
    _nobody_holds_a_forbidden_profile(emulator)
