"""The SCIM REST API: explicit routes under ``/scim/v2``, each behind the TOKEN authorizer.

Why explicit resources instead of the seed's greedy ``ANY {proxy+}``: unknown paths and methods are
refused by API Gateway (404 here) before any Lambda runs, the access log shows the route template
instead of user ids, and the method list documents what the service really answers.

Redeployment: a REST API change is invisible until a new Deployment is made. The Deployment's
``triggers`` hash every route, method, integration, authorizer setting, gateway response and the
resource policy, so any change replaces it and the stage moves to it (the seed's stages went stale).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.limits import (
    AUTHORIZER_RESULT_TTL_SECONDS,
    STAGE_BURST_LIMIT,
    STAGE_RATE_LIMIT_RPS,
    THROTTLED_RETRY_AFTER_SECONDS,
    UNAVAILABLE_RETRY_AFTER_SECONDS,
)

BASE_PATH = ("scim", "v2")
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_CONTENT_TYPE = "application/scim+json"
#: API Gateway only invokes the authorizer when the header matches this (Java regex), so scanners
#: sending junk cost nothing; the function applies the same rule (a test keeps them equal).
TOKEN_VALIDATION_EXPRESSION = r"^[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9._~+/-]+=*$"  # noqa: S105 - a regex
IDENTITY_SOURCE = "method.request.header.Authorization"
#: Minimum TLS 1.2 on the execute-api endpoint (the legacy default still accepts TLS 1.0); every
#: IdP we target speaks 1.2. The enhanced ``SecurityPolicy_*`` policies would also need an
#: endpoint access mode and are left as a per-organisation choice.
SECURITY_POLICY = "TLS_1_2"
#: The (already JSON-quoted) message API Gateway puts in its own error responses.
MESSAGE_VARIABLE = "$context.error.messageString"


@dataclass(frozen=True)
class Route:
    path: tuple[str, ...]  # below /scim/v2
    methods: tuple[str, ...]

    @property
    def slug(self) -> str:
        return "-".join(part.strip("{}").lstrip(".").lower() for part in self.path)


COLLECTION = ("GET", "POST")
ITEM = ("GET", "PUT", "PATCH", "DELETE")
READ = ("GET",)

ROUTES: tuple[Route, ...] = (
    Route(("Users",), COLLECTION),
    Route(("Users", "{id}"), ITEM),
    Route(("Users", ".search"), ("POST",)),
    Route(("Groups",), COLLECTION),
    Route(("Groups", "{id}"), ITEM),
    Route(("Groups", ".search"), ("POST",)),
    Route(("ServiceProviderConfig",), READ),
    Route(("Schemas",), READ),
    Route(("Schemas", "{id}"), READ),
    Route(("ResourceTypes",), READ),
    Route(("ResourceTypes", "{id}"), READ),
)


@dataclass(frozen=True)
class GatewayError:
    """An error API Gateway answers by itself, rewritten as a SCIM error."""

    response_type: str
    status: str
    #: ``None``: API Gateway's own message; otherwise a fixed, more useful one.
    detail: str | None = None
    retry_after: int | None = None
    #: RFC 6750 §3: a 401 names the scheme the client must use.
    www_authenticate: str | None = None


GATEWAY_ERRORS: tuple[GatewayError, ...] = (
    GatewayError("UNAUTHORIZED", "401", www_authenticate='Bearer realm="connect-scim"'),
    GatewayError("ACCESS_DENIED", "403"),
    GatewayError("THROTTLED", "429", retry_after=THROTTLED_RETRY_AFTER_SECONDS),
    # A REST API reports an unknown path or method as 403 "Missing Authentication Token";
    # SCIM clients expect 404 for a resource that does not exist.
    GatewayError(
        "MISSING_AUTHENTICATION_TOKEN",
        "404",
        detail="No SCIM endpoint answers this method at this path; see /scim/v2/ResourceTypes",
    ),
    GatewayError("RESOURCE_NOT_FOUND", "404"),
    GatewayError("REQUEST_TOO_LARGE", "413"),
    GatewayError("INTEGRATION_TIMEOUT", "504", retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS),
    GatewayError("DEFAULT_4XX", "400"),
    # Function throttled, crashed or timed out, authorizer unreachable: all transient for the IdP.
    GatewayError("DEFAULT_5XX", "503", retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS),
)


def gateway_response_template(error: GatewayError) -> str:
    """SCIM error body; the detail is either a JSON string or API Gateway's pre-quoted message."""
    placeholder = "__DETAIL__"
    body = json.dumps(
        {"schemas": [SCIM_ERROR_SCHEMA], "status": error.status, "detail": error.detail or placeholder},
        separators=(",", ":"),
    )
    if error.detail is None:
        body = body.replace(json.dumps(placeholder), MESSAGE_VARIABLE)
    return body


def gateway_response_parameters(error: GatewayError) -> dict[str, str]:
    params = {"gatewayresponse.header.Content-Type": f"'{SCIM_CONTENT_TYPE}'"}
    if error.retry_after is not None:
        params["gatewayresponse.header.Retry-After"] = f"'{error.retry_after}'"
    if error.www_authenticate is not None:
        params["gatewayresponse.header.WWW-Authenticate"] = f"'{error.www_authenticate}'"
    return params


#: One JSON object per request. Deliberately absent: any header (Authorization!), the query
#: string (filters carry user names), request/response bodies and the concrete path (user ids):
#: ``resourcePath`` is the route template.
ACCESS_LOG_FIELDS: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status",
    "authorizerError": "$context.authorizer.error",
    "errorResponseType": "$context.error.responseType",
}
ACCESS_LOG_FORMAT = json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))

#: Stage-wide method settings. INFO logging and data tracing would log full requests (the seed
#: shipped both "until troubleshooting is over"); ERROR logs only API Gateway's own failures.
METHOD_SETTINGS: aws.apigateway.MethodSettingsSettingsArgsDict = {
    "logging_level": "ERROR",
    "data_trace_enabled": False,
    "metrics_enabled": True,
    "throttling_rate_limit": STAGE_RATE_LIMIT_RPS,
    "throttling_burst_limit": STAGE_BURST_LIMIT,
}


@dataclass(frozen=True)
class ScimApiArgs:
    #: Physical API name (shown in the console).
    api_name: str
    stage_name: str
    provisioning_function_name: pulumi.Input[str]
    provisioning_invoke_arn: pulumi.Input[str]
    authorizer_function_name: pulumi.Input[str]
    authorizer_invoke_arn: pulumi.Input[str]
    log_retention_days: int
    #: Access log group name (``/aws/apigateway/<api>/<stage>/access`` style).
    access_log_group_name: str
    #: Empty: open to any source address (the token is the gate).
    allowed_source_cidrs: Sequence[str] = ()


class ScimApi(pulumi.ComponentResource):
    """REST API + authorizer + routes + gateway responses + deployment + logged, throttled stage."""

    rest_api: aws.apigateway.RestApi
    stage: aws.apigateway.Stage
    rest_api_id: pulumi.Output[str]
    stage_name: pulumi.Output[str]
    invoke_url: pulumi.Output[str]
    scim_base_url: pulumi.Output[str]

    def __init__(self, name: str, args: ScimApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("connect-scim:index:ScimApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.rest_api = aws.apigateway.RestApi(
            f"{name}-api",
            name=args.api_name,
            description="connect-scim: SCIM 2.0 for Amazon Connect users",
            # REGIONAL: the IdPs call from a few known regions; EDGE (the seed's) adds a
            # CloudFront hop and hides the caller's address from the resource policy.
            endpoint_configuration={"types": "REGIONAL"},
            security_policy=SECURITY_POLICY,
            opts=child,
        )
        api_id = self.rest_api.id
        # Everything that changes what a deployment serves; hashed into the Deployment triggers.
        definition: dict[str, Any] = {
            "securityPolicy": SECURITY_POLICY,
            "routes": [],
            "gatewayResponses": [],
            "policy": None,
        }
        deploy_after: list[pulumi.Resource] = []

        authorizer = aws.apigateway.Authorizer(
            f"{name}-authorizer",
            name=f"{args.api_name}-token",
            rest_api=api_id,
            type="TOKEN",
            authorizer_uri=args.authorizer_invoke_arn,
            identity_source=IDENTITY_SOURCE,
            identity_validation_expression=TOKEN_VALIDATION_EXPRESSION,
            authorizer_result_ttl_in_seconds=AUTHORIZER_RESULT_TTL_SECONDS,
            opts=child,
        )
        definition["authorizer"] = {
            "uri": args.authorizer_invoke_arn,
            "identitySource": IDENTITY_SOURCE,
            "validation": TOKEN_VALIDATION_EXPRESSION,
            "ttl": AUTHORIZER_RESULT_TTL_SECONDS,
        }

        resource_ids: dict[tuple[str, ...], pulumi.Input[str]] = {(): self.rest_api.root_resource_id}
        for route in ROUTES:
            full = (*BASE_PATH, *route.path)
            for depth in range(1, len(full) + 1):
                path = full[:depth]
                if path in resource_ids:
                    continue
                slug = "-".join(p.strip("{}").lstrip(".").lower() for p in path)
                resource_ids[path] = aws.apigateway.Resource(
                    f"{name}-res-{slug}",
                    rest_api=api_id,
                    parent_id=resource_ids[path[:-1]],
                    path_part=path[-1],
                    opts=child,
                ).id
            for method in route.methods:
                is_item = any(part.startswith("{") for part in route.path)
                request_parameters = {"method.request.path.id": True} if is_item else None
                method_resource = aws.apigateway.Method(
                    f"{name}-{method.lower()}-{route.slug}",
                    rest_api=api_id,
                    resource_id=resource_ids[full],
                    http_method=method,
                    authorization="CUSTOM",
                    authorizer_id=authorizer.id,
                    request_parameters=request_parameters,
                    opts=child,
                )
                integration = aws.apigateway.Integration(
                    f"{name}-{method.lower()}-{route.slug}-integration",
                    rest_api=api_id,
                    resource_id=resource_ids[full],
                    http_method=method_resource.http_method,
                    type="AWS_PROXY",
                    integration_http_method="POST",  # Lambda is always invoked with POST
                    uri=args.provisioning_invoke_arn,
                    opts=child,
                )
                deploy_after += [method_resource, integration]
                definition["routes"].append(
                    {
                        "path": "/" + "/".join(full),
                        "method": method,
                        "authorization": "CUSTOM",
                        "requestParameters": request_parameters,
                        "integration": {"type": "AWS_PROXY", "uri": args.provisioning_invoke_arn},
                    }
                )

        for error in GATEWAY_ERRORS:
            templates = {
                "application/json": gateway_response_template(error),
                SCIM_CONTENT_TYPE: gateway_response_template(error),
            }
            parameters = gateway_response_parameters(error)
            deploy_after.append(
                aws.apigateway.Response(
                    f"{name}-response-{error.response_type.lower().replace('_', '-')}",
                    rest_api_id=api_id,
                    response_type=error.response_type,
                    status_code=error.status,
                    response_templates=templates,
                    response_parameters=parameters,
                    opts=child,
                )
            )
            definition["gatewayResponses"].append(
                {
                    "type": error.response_type,
                    "status": error.status,
                    "templates": templates,
                    "parameters": parameters,
                }
            )

        if args.allowed_source_cidrs:
            policy_document = iam.source_ip_policy(self.rest_api.execution_arn, args.allowed_source_cidrs)
            deploy_after.append(
                aws.apigateway.RestApiPolicy(
                    f"{name}-policy",
                    rest_api_id=api_id,
                    policy=pulumi.Output.json_dumps(policy_document),
                    opts=child,
                )
            )
            definition["policy"] = policy_document

        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=api_id,
            description="connect-scim routes; replaced whenever the API definition changes",
            triggers={"definition": pulumi.Output.json_dumps(definition).apply(_sha256)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=deploy_after),
        )

        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=args.access_log_group_name,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        # API Gateway creates this group itself (never expiring) on the first ERROR it logs;
        # owning it applies the retention.
        execution_logs = aws.cloudwatch.LogGroup(
            f"{name}-execution-logs",
            name=pulumi.Output.concat("API-Gateway-Execution-Logs_", api_id, "/", args.stage_name),
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=api_id,
            deployment=deployment.id,
            stage_name=args.stage_name,
            description="connect-scim stage",
            access_log_settings={"destination_arn": access_logs.arn, "format": ACCESS_LOG_FORMAT},
            xray_tracing_enabled=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_logs, execution_logs]),
        )
        aws.apigateway.MethodSettings(
            f"{name}-method-settings",
            rest_api=api_id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=METHOD_SETTINGS,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[execution_logs]),
        )

        # Lambda permissions: this API only; the provisioning function only from this stage's
        # SCIM routes, the authorizer only as this API's authorizer.
        aws.lambda_.Permission(
            f"{name}-invoke-provisioning",
            action="lambda:InvokeFunction",
            function=args.provisioning_function_name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(
                self.rest_api.execution_arn, "/", args.stage_name, "/*/", "/".join(BASE_PATH), "/*"
            ),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-invoke-authorizer",
            action="lambda:InvokeFunction",
            function=args.authorizer_function_name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.rest_api.execution_arn, "/authorizers/", authorizer.id),
            opts=child,
        )

        self.rest_api_id = self.rest_api.id
        self.stage_name = self.stage.stage_name
        self.invoke_url = self.stage.invoke_url
        self.scim_base_url = pulumi.Output.concat(self.stage.invoke_url, "/", "/".join(BASE_PATH))

        self.register_outputs(
            {
                "restApiId": self.rest_api_id,
                "stageName": self.stage_name,
                "invokeUrl": self.invoke_url,
                "scimBaseUrl": self.scim_base_url,
            }
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
