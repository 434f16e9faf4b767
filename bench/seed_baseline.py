"""The original system's published call counts (``/work/shared/reference/seed-baseline.md``).

Measured by the team on aws-samples/amazon-connect-scim-user-management at HEAD 9a982ff with its
handlers imported unmodified and an in-process fake behind a real boto3 client; ListUsers pages at
the service default of 100 users. These are that document's figures, copied, not re-measured: the
seed's code is not in this repository. ``result`` notes what the seed answered.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "seed-baseline.md (aws-samples/amazon-connect-scim-user-management @ 9a982ff)"


@dataclass(frozen=True)
class SeedRow:
    label: str
    calls: dict[int, int]
    """Connect calls at N = 10, 1,000 and 10,000 users."""
    result: str


SEED: dict[str, SeedRow] = {
    "okta_get_username": SeedRow(
        'Okta GET filter userName eq "x"',
        {10: 1, 1_000: 10, 10_000: 100},
        "user never found (compares to Id)",
    ),
    "okta_get_id": SeedRow(
        "Okta GET /Users/{id}", {10: 5, 1_000: 23, 10_000: 203}, "200 with a ListResponse"
    ),
    "azure_get_id": SeedRow(
        "Azure GET /Users/{id}", {10: 6, 1_000: 42, 10_000: 402}, "crashes for users beyond page 1"
    ),
    "okta_post": SeedRow("Okta POST /Users", {10: 3, 1_000: 3, 10_000: 3}, "200 instead of 201"),
    "azure_post": SeedRow("Azure POST /Users", {10: 3, 1_000: 3, 10_000: 3}, "200; id = <uuid>?<externalId>"),
    "okta_put": SeedRow(
        "Okta PUT /Users/{id}", {10: 4, 1_000: 13, 10_000: 103}, "only security profiles change"
    ),
    "okta_patch_active": SeedRow(
        "Okta PATCH active=false (hard delete)",
        {10: 1, 1_000: 1, 10_000: 1},
        "user hard-deleted (irreversible)",
    ),
    "azure_patch_active": SeedRow(
        'Azure PATCH active "False" (hard delete)',
        {10: 3, 1_000: 12, 10_000: 102},
        "user hard-deleted (irreversible)",
    ),
    "azure_patch_department": SeedRow(
        "Azure PATCH department", {10: 6, 1_000: 24, 10_000: 204}, "502 with Entra's real URN path"
    ),
}
