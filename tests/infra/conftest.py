"""Each realistic stack runs once per session; tests assert on what it registered."""

from __future__ import annotations

import pytest

from .harness import ProgramRun, run_program

INSTANCE_ID = "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

#: name -> (stack, config). One per IdP flavour, both deactivation modes, with and without the
#: optional keys, so every branch of the program is exercised.
SCENARIOS: dict[str, tuple[str, dict[str, str]]] = {
    # Only the required key: every default applies (Okta, disable, stage = stack name).
    "okta-disable": (
        "dev",
        {"aws:region": "eu-central-1", "connect-scim:instanceId": INSTANCE_ID},
    ),
    # Entra through its legacy alias, hard deletes, an allowlist of profiles and of source CIDRs.
    "entra-delete": (
        "prod",
        {
            "aws:region": "eu-central-1",
            "connect-scim:instanceId": INSTANCE_ID.upper(),
            "connect-scim:idpType": "azure",
            "connect-scim:deactivation": "delete",
            "connect-scim:defaultSecurityProfiles": '["Agent"]',
            "connect-scim:assignableSecurityProfiles": '["Agent", "CallCenterManager"]',
            "connect-scim:allowedSourceCidrs": '["20.190.128.0/18", "2603:1000::/25"]',
            "connect-scim:logRetentionDays": "90",
            "connect-scim:apiTokenLength": "64",
            "connect-scim:stageName": "v1",
        },
    ),
    # Generic RFC 7644 client, custom profile names, longest retention, shortest token.
    "generic-disable": (
        "staging",
        {
            "aws:region": "eu-central-1",
            "connect-scim:instanceId": INSTANCE_ID,
            "connect-scim:idpType": "generic",
            "connect-scim:defaultRoutingProfile": "Sales Routing Profile",
            "connect-scim:defaultSecurityProfiles": '["Agent", "QualityAnalyst"]',
            "connect-scim:deactivatedSecurityProfile": "Offboarded",
            "connect-scim:logRetentionDays": "3653",
            "connect-scim:apiTokenLength": "32",
        },
    ),
}


@pytest.fixture(scope="session")
def runs() -> dict[str, ProgramRun]:
    return {name: run_program(config, stack=stack) for name, (stack, config) in SCENARIOS.items()}


@pytest.fixture(scope="session", params=sorted(SCENARIOS))
def run(request: pytest.FixtureRequest, runs: dict[str, ProgramRun]) -> ProgramRun:
    return runs[request.param]
