"""The provisioning function: SCIM requests from API Gateway in, Amazon Connect calls out.

Sizing (timeout, memory, reserved concurrency) is explained in :mod:`components.limits`; the
Connect permissions are the single list in :mod:`components.iam`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.config import ScimSettings
from components.lambda_base import (
    ARCHITECTURES,
    RUNTIME,
    archive_code,
    execution_role,
    function_log_group,
    json_logging,
)
from components.limits import (
    CONNECT_BURST,
    CONNECT_RATE_LIMIT_RPS,
    PROVISIONING_MEMORY_MB,
    PROVISIONING_RESERVED_CONCURRENCY,
    PROVISIONING_TIMEOUT_SECONDS,
)
from components.packaging import LambdaArchive

HANDLER = "runtime.handlers.provisioning.handler"
SCIM_BASE_PATH = "/scim/v2"
LOG_LEVEL = "INFO"


def provisioning_environment(settings: ScimSettings) -> dict[str, str]:
    """The variables ``runtime.settings`` reads (names are a contract with the runtime).

    ``ASSIGNABLE_SECURITY_PROFILES`` is left out when every profile is assignable: absence is
    how the runtime spells "all".
    """
    env = {
        "CONNECT_INSTANCE_ID": settings.instance_id,
        "IDP_TYPE": settings.idp_type,
        "DEFAULT_ROUTING_PROFILE": settings.default_routing_profile,
        "DEFAULT_SECURITY_PROFILES": json.dumps(list(settings.default_security_profiles)),
        "DEACTIVATION": settings.deactivation,
        "DEACTIVATED_SECURITY_PROFILE": settings.deactivated_security_profile,
        "SCIM_BASE_PATH": SCIM_BASE_PATH,
        "LOG_LEVEL": LOG_LEVEL,
        "CONNECT_RATE_LIMIT": f"{CONNECT_RATE_LIMIT_RPS:g}",
        "CONNECT_BURST": str(CONNECT_BURST),
    }
    if settings.assignable_security_profiles is not None:
        env["ASSIGNABLE_SECURITY_PROFILES"] = json.dumps(list(settings.assignable_security_profiles))
    return env


@dataclass(frozen=True)
class ProvisioningFunctionArgs:
    #: Physical function name (deterministic, so its log group can exist first).
    function_name: str
    archive: LambdaArchive
    #: Connect instance whose users it manages; scopes the IAM policy.
    instance_id: str
    environment: Mapping[str, str]
    log_retention_days: int
    #: Resources that must exist before the first request (e.g. the deactivation profile).
    depends_on: tuple[pulumi.Resource, ...] = ()


class ProvisioningFunction(pulumi.ComponentResource):
    """Lambda + own role (Connect actions on one instance, own logs) + own log group."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ProvisioningFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("connect-scim:index:ProvisioningFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        self.log_group = function_log_group(name, args.function_name, args.log_retention_days, self)
        self.role = execution_role(
            name, "connect-scim provisioning: manage users of one Connect instance", self
        )
        connect_arns = iam.connect_resource_arns(partition, region, account, args.instance_id)
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=pulumi.Output.json_dumps(iam.provisioning_policy(connect_arns, self.log_group.arn)),
            opts=child,
        )

        self.function = aws.lambda_.Function(
            f"{name}-function",
            name=args.function_name,
            description="connect-scim: SCIM 2.0 requests -> Amazon Connect users",
            runtime=RUNTIME,
            architectures=ARCHITECTURES,
            handler=HANDLER,
            code=archive_code(args.archive),
            source_code_hash=args.archive.sha256_base64,
            role=self.role.arn,
            memory_size=PROVISIONING_MEMORY_MB,
            timeout=PROVISIONING_TIMEOUT_SECONDS,
            reserved_concurrent_executions=PROVISIONING_RESERVED_CONCURRENCY,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment)),
            logging_config=json_logging(self.log_group, LOG_LEVEL),
            opts=pulumi.ResourceOptions(
                parent=self,
                # The log group and permissions must exist before the first invocation, or Lambda
                # would create a never-expiring group (and fail to write to it).
                depends_on=[self.log_group, policy, *args.depends_on],
                # The name is fixed, so a replacement must delete the old function first.
                delete_before_replace=True,
            ),
        )
        self.function_name = self.function.name
        self.function_arn = self.function.arn
        self.invoke_arn = self.function.invoke_arn

        self.register_outputs(
            {
                "functionName": self.function_name,
                "functionArn": self.function_arn,
                "invokeArn": self.invoke_arn,
            }
        )
