"""``ConnectScim``: the whole deployment of one stack, composed from the smaller components.

Order matters only where AWS needs it: the token exists before the authorizer that reads it,
both functions before the API that invokes them, and (in ``disable`` mode) the deactivation
profile before the function that assigns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from components.api import ScimApi, ScimApiArgs
from components.authorizer import AuthorizerFunction, AuthorizerFunctionArgs
from components.config import ScimSettings
from components.deactivated_profile import DeactivatedSecurityProfile, DeactivatedSecurityProfileArgs
from components.packaging import build_lambda_archive
from components.provisioning import ProvisioningFunction, ProvisioningFunctionArgs, provisioning_environment
from components.token import ApiToken, ApiTokenArgs

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ConnectScimArgs:
    settings: ScimSettings
    #: Directory holding ``runtime/`` (the archive source).
    project_dir: Path = PROJECT_DIR
    #: Where the Lambda zip is written (gitignored).
    build_dir: Path = field(default=PROJECT_DIR / "build" / "lambda")
    #: Customer managed KMS key ARN for the token parameter; ``None`` = ``aws/ssm``.
    token_kms_key_arn: pulumi.Input[str] | None = None


class ConnectScim(pulumi.ComponentResource):
    """API Gateway -> TOKEN authorizer -> provisioning Lambda -> Amazon Connect, for one stack."""

    token: ApiToken
    provisioning: ProvisioningFunction
    authorizer: AuthorizerFunction
    api: ScimApi
    deactivated_profile: DeactivatedSecurityProfile | None
    scim_base_url: pulumi.Output[str]
    api_token: pulumi.Output[str]
    api_token_parameter_name: pulumi.Output[str]
    rest_api_id: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    provisioning_function_name: pulumi.Output[str]
    authorizer_function_name: pulumi.Output[str]

    def __init__(self, name: str, args: ConnectScimArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("connect-scim:index:ConnectScim", name, None, opts)
        settings = args.settings
        child = pulumi.ResourceOptions(parent=self)
        prefix = settings.physical_prefix
        archive = build_lambda_archive(args.project_dir, args.build_dir)

        self.token = ApiToken(
            f"{name}-token",
            ApiTokenArgs(
                parameter_name=settings.token_parameter_name,
                length=settings.api_token_length,
                kms_key_arn=args.token_kms_key_arn,
            ),
            opts=child,
        )

        self.deactivated_profile = None
        if settings.deactivation == "disable":
            self.deactivated_profile = DeactivatedSecurityProfile(
                f"{name}-deactivated-profile",
                DeactivatedSecurityProfileArgs(
                    instance_id=settings.instance_id, profile_name=settings.deactivated_security_profile
                ),
                opts=child,
            )

        self.provisioning = ProvisioningFunction(
            f"{name}-provisioning",
            ProvisioningFunctionArgs(
                function_name=f"{prefix}-provisioning",
                archive=archive,
                instance_id=settings.instance_id,
                environment=provisioning_environment(settings),
                log_retention_days=settings.log_retention_days,
                depends_on=(self.deactivated_profile,) if self.deactivated_profile else (),
            ),
            opts=child,
        )
        self.authorizer = AuthorizerFunction(
            f"{name}-authorizer",
            AuthorizerFunctionArgs(
                function_name=f"{prefix}-authorizer",
                archive=archive,
                token_parameter_name=self.token.parameter_name,
                token_parameter_arn=self.token.parameter_arn,
                kms_key_arn=args.token_kms_key_arn,
                log_retention_days=settings.log_retention_days,
            ),
            opts=child,
        )
        self.api = ScimApi(
            f"{name}-api",
            ScimApiArgs(
                api_name=prefix,
                stage_name=settings.stage_name,
                provisioning_function_name=self.provisioning.function_name,
                provisioning_invoke_arn=self.provisioning.invoke_arn,
                authorizer_function_name=self.authorizer.function_name,
                authorizer_invoke_arn=self.authorizer.invoke_arn,
                log_retention_days=settings.log_retention_days,
                access_log_group_name=f"/aws/apigateway/{prefix}/{settings.stage_name}/access",
                allowed_source_cidrs=settings.allowed_source_cidrs,
            ),
            opts=child,
        )

        self.scim_base_url = self.api.scim_base_url
        self.api_token = self.token.value
        self.api_token_parameter_name = self.token.parameter_name
        self.rest_api_id = self.api.rest_api_id
        self.stage_name = self.api.stage_name
        self.provisioning_function_name = self.provisioning.function_name
        self.authorizer_function_name = self.authorizer.function_name

        self.register_outputs(
            {
                "scimBaseUrl": self.scim_base_url,
                "apiToken": self.api_token,
                "apiTokenParameterName": self.api_token_parameter_name,
                "restApiId": self.rest_api_id,
                "stageName": self.stage_name,
                "provisioningFunctionName": self.provisioning_function_name,
                "authorizerFunctionName": self.authorizer_function_name,
            }
        )
