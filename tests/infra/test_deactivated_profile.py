"""``disable`` mode owns a protected, permission-less security profile; ``delete`` mode has none."""

from __future__ import annotations

from .harness import ProgramRun

PROFILE = "aws:connect/securityProfile:SecurityProfile"


def test_disable_mode_creates_the_no_permission_profile_in_the_instance(runs: dict[str, ProgramRun]) -> None:
    for name, expected in (("okta-disable", "SCIM-Deactivated"), ("generic-disable", "Offboarded")):
        profile = runs[name].one(PROFILE)
        assert profile.inputs["name"] == expected
        assert profile.inputs["instanceId"] == "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        assert profile.inputs.get("permissions", []) == []
        assert "No permissions" in profile.inputs["description"]


def test_the_profile_is_protected_against_deletion(runs: dict[str, ProgramRun]) -> None:
    for name in ("okta-disable", "generic-disable"):
        assert runs[name].one(PROFILE).protect


def test_nothing_else_is_protected(run: ProgramRun) -> None:
    assert [r.typ for r in run.resources if r.protect] in ([], [PROFILE])


def test_delete_mode_has_no_deactivation_profile(runs: dict[str, ProgramRun]) -> None:
    assert runs["entra-delete"].of_type(PROFILE) == []
    assert runs["entra-delete"].of_type("connect-scim:index:DeactivatedSecurityProfile") == []
