"""The no-permission security profile that ``deactivation: disable`` gives to deactivated users.

Connect has no disabled state. ``disable`` swaps a user's security profiles for this one (and
remembers the old ones in a tag), so reactivation restores them and the Connect ``UserId`` (and
with it the user's history) survives. The program owns the profile so it exists before the first
deactivation, with exactly zero permissions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

DESCRIPTION = (
    "No permissions. connect-scim assigns it to users the identity provider deactivated; "
    "reactivation restores their previous profiles. Do not add permissions."
)


@dataclass(frozen=True)
class DeactivatedSecurityProfileArgs:
    instance_id: str
    #: The profile name (``deactivatedSecurityProfile``; the runtime looks it up by name).
    profile_name: str


class DeactivatedSecurityProfile(pulumi.ComponentResource):
    """An ``aws.connect.SecurityProfile`` with an empty permission list, protected from deletion."""

    profile: aws.connect.SecurityProfile
    profile_id: pulumi.Output[str]
    profile_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: DeactivatedSecurityProfileArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("connect-scim:index:DeactivatedSecurityProfile", name, None, opts)
        self.profile = aws.connect.SecurityProfile(
            f"{name}-profile",
            instance_id=args.instance_id,
            name=args.profile_name,
            description=DESCRIPTION,
            permissions=[],
            opts=pulumi.ResourceOptions(
                parent=self,
                # Deactivated users hold this profile *instead of* their real ones. Deleting it
                # (a stack destroy, a switch to deactivation=delete, a rename) would leave them
                # with a dangling profile id and make reactivation fail, so Pulumi must refuse
                # until an admin has reactivated or deleted those users and unprotects it
                # deliberately (pulumi state unprotect).
                protect=True,
            ),
        )
        self.profile_id = self.profile.security_profile_id
        self.profile_name = self.profile.name

        self.register_outputs({"profileId": self.profile_id, "profileName": self.profile_name})
