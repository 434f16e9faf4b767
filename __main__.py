"""The connect-scim Pulumi program: stack config -> ``ConnectScim`` -> the stack outputs the admin needs.

``pulumi stack output scimBaseUrl`` and ``pulumi stack output --show-secrets apiToken`` are what
go into Okta or Entra; the other outputs name what to look at in the AWS console.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import config as pulumi_config

from components.config import NAMESPACE, ScimSettings
from components.connect_scim import ConnectScim, ConnectScimArgs


def namespace_values() -> dict[str, Any]:
    """Every ``connect-scim:*`` value set for this stack (all of them, so typos can be reported)."""
    merged = {**pulumi_config.get_config_env(), **pulumi_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    return {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}


settings = ScimSettings.from_mapping(namespace_values(), stack=pulumi.get_stack())
scim = ConnectScim(NAMESPACE, ConnectScimArgs(settings=settings))

pulumi.export("scimBaseUrl", scim.scim_base_url)
pulumi.export("apiToken", scim.api_token)  # secret: `pulumi stack output --show-secrets apiToken`
pulumi.export("apiTokenParameterName", scim.api_token_parameter_name)
pulumi.export("restApiId", scim.rest_api_id)
pulumi.export("stageName", scim.stage_name)
pulumi.export("provisioningFunctionName", scim.provisioning_function_name)
pulumi.export("authorizerFunctionName", scim.authorizer_function_name)
