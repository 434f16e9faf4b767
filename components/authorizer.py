"""The TOKEN authorizer function: compares the bearer token with the SSM SecureString.

Its role can read that one parameter (and decrypt it, when a customer key is used) and write
its own logs; nothing else. Code: ``runtime/handlers/authorizer.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.lambda_base import (
    ARCHITECTURES,
    RUNTIME,
    archive_code,
    execution_role,
    function_log_group,
    json_logging,
)
from components.limits import (
    AUTHORIZER_MEMORY_MB,
    AUTHORIZER_TIMEOUT_SECONDS,
    TOKEN_CACHE_SECONDS,
    TOKEN_ROTATION_GRACE_SECONDS,
)
from components.packaging import LambdaArchive

HANDLER = "runtime.handlers.authorizer.handler"


@dataclass(frozen=True)
class AuthorizerFunctionArgs:
    function_name: str
    archive: LambdaArchive
    token_parameter_name: pulumi.Input[str]
    token_parameter_arn: pulumi.Input[str]
    log_retention_days: int
    #: Customer managed key of the parameter, if any (adds a narrowly conditioned kms:Decrypt).
    kms_key_arn: pulumi.Input[str] | None = None
    token_cache_seconds: int = TOKEN_CACHE_SECONDS
    rotation_grace_seconds: int = TOKEN_ROTATION_GRACE_SECONDS


class AuthorizerFunction(pulumi.ComponentResource):
    """Lambda + own role (ssm:GetParameter on one parameter, own logs) + own log group."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    function_name: pulumi.Output[str]
    function_arn: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AuthorizerFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("connect-scim:index:AuthorizerFunction", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        region: pulumi.Input[str] = ""
        if args.kms_key_arn is not None:
            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        self.log_group = function_log_group(name, args.function_name, args.log_retention_days, self)
        self.role = execution_role(name, "connect-scim authorizer: read the bearer token parameter", self)
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=pulumi.Output.json_dumps(
                iam.authorizer_policy(args.token_parameter_arn, self.log_group.arn, args.kms_key_arn, region)
            ),
            opts=child,
        )

        self.function = aws.lambda_.Function(
            f"{name}-function",
            name=args.function_name,
            description="connect-scim: API Gateway TOKEN authorizer (bearer token == SSM SecureString)",
            runtime=RUNTIME,
            architectures=ARCHITECTURES,
            handler=HANDLER,
            code=archive_code(args.archive),
            source_code_hash=args.archive.sha256_base64,
            role=self.role.arn,
            memory_size=AUTHORIZER_MEMORY_MB,
            timeout=AUTHORIZER_TIMEOUT_SECONDS,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={
                    # The parameter's *name*: the token itself never enters the function config.
                    "TOKEN_PARAMETER_NAME": args.token_parameter_name,
                    "TOKEN_CACHE_SECONDS": str(args.token_cache_seconds),
                    "TOKEN_ROTATION_GRACE_SECONDS": str(args.rotation_grace_seconds),
                }
            ),
            logging_config=json_logging(self.log_group, "WARN"),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.log_group, policy],
                delete_before_replace=True,  # fixed name: see ProvisioningFunction
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
