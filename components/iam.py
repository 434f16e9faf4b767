"""IAM policy documents as data: the exact Connect actions the runtime needs, scoped to one instance.

The provisioning role's Connect actions live in :data:`PROVISIONING_CONNECT_ACTIONS` and nowhere
else. ``tests/infra/test_iam_matches_runtime.py`` scans ``runtime/connect`` for the boto3 Connect
operations it calls and fails when this list misses one (AccessDenied in production) or grants one
nothing calls (the seed granted ``UpdateUserIdentityInfo``, an account-takeover-grade permission,
and never used it).

Documents are plain dicts; callers pass them through ``pulumi.Output.json_dumps`` so ARNs that are
outputs slot in without string templating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

POLICY_VERSION = "2012-10-17"

#: Connect API operation → IAM action, where the two differ (Service Authorization Reference).
OPERATION_ACTION: Mapping[str, str] = {"UpdateUserConfig": "UpdateUserPhoneConfig"}

#: Actions IAM also evaluates when an operation is called (connect-api reference §7). A grant
#: listed only because of this table is still "needed".
IMPLIED_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "SearchUsers": ("DescribeUser", "ListUserProficiencies"),
    "SearchSecurityProfiles": ("DescribeSecurityProfile",),
    "SearchRoutingProfiles": ("DescribeRoutingProfile",),
    # CreateUser with Tags is also authorized as TagResource on the new user.
    "CreateUser": ("TagResource",),
}

#: The provisioning role's Connect actions: exactly what runtime/connect calls, plus the implied ones.
PROVISIONING_CONNECT_ACTIONS: tuple[str, ...] = (
    # users
    "CreateUser",
    "DescribeUser",
    "SearchUsers",
    "ListUserProficiencies",  # implied by SearchUsers
    "UpdateUserIdentityInfo",  # names are synced from the IdP
    "UpdateUserSecurityProfiles",
    "UpdateUserRoutingProfile",
    "UpdateUserHierarchy",
    "UpdateUserPhoneConfig",
    "DeleteUser",
    # SCIM attributes Connect has no field for are kept in user tags
    "TagResource",
    "UntagResource",
    # name -> id caches of the things users point at
    "ListSecurityProfiles",
    "ListRoutingProfiles",
    "ListUserHierarchyGroups",
)


def connect_action(operation: str) -> str:
    """The IAM action (without ``connect:``) that authorizes a Connect API operation."""
    return OPERATION_ACTION.get(operation, operation)


def required_connect_actions(operations: Sequence[str]) -> set[str]:
    """Every IAM action calling ``operations`` needs, implied ones included."""
    needed: set[str] = set()
    for operation in operations:
        needed.add(connect_action(operation))
        needed.update(IMPLIED_ACTIONS.get(operation, ()))
    return needed


def connect_resource_arns(
    partition: pulumi.Input[str], region: pulumi.Input[str], account: pulumi.Input[str], instance_id: str
) -> list[pulumi.Output[str]]:
    """The instance and the four kinds of object a user references, in this instance only.

    The ``/*`` suffixes are the narrowest scope IAM offers: users, profiles and hierarchy groups
    are created and deleted at runtime, so their ids cannot be listed in the policy.
    """
    instance = pulumi.Output.concat(
        "arn:", partition, ":connect:", region, ":", account, ":instance/", instance_id
    )
    return [
        instance,
        instance.apply(lambda arn: f"{arn}/agent/*"),
        instance.apply(lambda arn: f"{arn}/security-profile/*"),
        instance.apply(lambda arn: f"{arn}/routing-profile/*"),
        instance.apply(lambda arn: f"{arn}/agent-group/*"),
    ]


def lambda_assume_role_policy() -> dict[str, Any]:
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def log_writing_statement(log_group_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Write to one log group. ``:*`` = its log streams, whose names Lambda generates per sandbox."""
    return {
        "Sid": "WriteOwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": pulumi.Output.concat(log_group_arn, ":*"),
    }


def provisioning_policy(
    connect_arns: Sequence[pulumi.Input[str]], log_group_arn: pulumi.Input[str]
) -> dict[str, Any]:
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ManageUsersOfOneConnectInstance",
                "Effect": "Allow",
                "Action": [f"connect:{action}" for action in PROVISIONING_CONNECT_ACTIONS],
                "Resource": list(connect_arns),
            },
            log_writing_statement(log_group_arn),
        ],
    }


def authorizer_policy(
    parameter_arn: pulumi.Input[str],
    log_group_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str] | None,
    region: pulumi.Input[str],
) -> dict[str, Any]:
    """Read one parameter (any version: ``name:N`` is the same resource) and write own logs.

    ``kms:Decrypt`` only with a customer managed key, and only when SSM asks on our behalf;
    the default ``aws/ssm`` key's policy already lets SSM decrypt for account principals.
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadTokenParameter",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": parameter_arn,
        },
        log_writing_statement(log_group_arn),
    ]
    if kms_key_arn is not None:
        statements.append(
            {
                "Sid": "DecryptTokenParameter",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": kms_key_arn,
                "Condition": {
                    "StringEquals": {"kms:ViaService": pulumi.Output.concat("ssm.", region, ".amazonaws.com")}
                },
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def source_ip_policy(execution_arn: pulumi.Input[str], cidrs: Sequence[str]) -> dict[str, Any]:
    """API resource policy: invoke from ``cidrs`` only.

    ``Principal: "*"`` is inherent to a public API (callers are authenticated by the bearer token,
    not by IAM); the explicit Deny on ``NotIpAddress`` is what narrows it. ``/*`` covers every
    stage, method and path of this one API.
    """
    resource = pulumi.Output.concat(execution_arn, "/*")
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowInvoke",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": resource,
            },
            {
                "Sid": "DenyOutsideAllowedCidrs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": resource,
                "Condition": {"NotIpAddress": {"aws:SourceIp": list(cidrs)}},
            },
        ],
    }
