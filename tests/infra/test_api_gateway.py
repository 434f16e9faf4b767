"""The REST API: explicit SCIM routes, all behind the TOKEN authorizer, SCIM error bodies, no stale stages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import api, limits

from .conftest import SCENARIOS
from .harness import ACCOUNT, REGION, REST_API_ID, ProgramRun, run_program

METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
RESOURCE = "aws:apigateway/resource:Resource"
RESPONSE = "aws:apigateway/response:Response"
EXECUTION_ARN = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{REST_API_ID}"

EXPECTED_ROUTES = {
    ("/scim/v2/Users", "GET"),
    ("/scim/v2/Users", "POST"),
    ("/scim/v2/Users/{id}", "GET"),
    ("/scim/v2/Users/{id}", "PUT"),
    ("/scim/v2/Users/{id}", "PATCH"),
    ("/scim/v2/Users/{id}", "DELETE"),
    ("/scim/v2/Users/.search", "POST"),
    ("/scim/v2/Groups", "GET"),
    ("/scim/v2/Groups", "POST"),
    ("/scim/v2/Groups/{id}", "GET"),
    ("/scim/v2/Groups/{id}", "PUT"),
    ("/scim/v2/Groups/{id}", "PATCH"),
    ("/scim/v2/Groups/{id}", "DELETE"),
    ("/scim/v2/Groups/.search", "POST"),
    ("/scim/v2/ServiceProviderConfig", "GET"),
    ("/scim/v2/Schemas", "GET"),
    ("/scim/v2/Schemas/{id}", "GET"),
    ("/scim/v2/ResourceTypes", "GET"),
    ("/scim/v2/ResourceTypes/{id}", "GET"),
}


def resource_paths(run: ProgramRun) -> dict[str, str]:
    """API Gateway resource id -> full path, rebuilt from parent ids as API Gateway would."""
    by_id = {r.id: r for r in run.of_type(RESOURCE)}

    def path_of(rid: str) -> str:
        if rid == "r00tres0ur":  # the mock's rootResourceId
            return ""
        node = by_id[rid]
        return f"{path_of(node.inputs['parentId'])}/{node.inputs['pathPart']}"

    return {rid: path_of(rid) for rid in by_id}


def routes(run: ProgramRun) -> set[tuple[str, str]]:
    paths = resource_paths(run)
    return {(paths[m.inputs["resourceId"]], m.inputs["httpMethod"]) for m in run.of_type(METHOD)}


def test_exactly_the_scim_routes_and_the_methods_each_supports(run: ProgramRun) -> None:
    assert routes(run) == EXPECTED_ROUTES


def test_item_routes_declare_their_path_parameter(run: ProgramRun) -> None:
    paths = resource_paths(run)
    for method in run.of_type(METHOD):
        is_item = paths[method.inputs["resourceId"]].endswith("{id}")
        assert method.inputs.get("requestParameters") == (
            {"method.request.path.id": True} if is_item else None
        )


def test_api_is_regional_and_refuses_tls_below_1_2(run: ProgramRun) -> None:
    rest_api = run.one("aws:apigateway/restApi:RestApi")
    assert rest_api.inputs["endpointConfiguration"] == {"types": "REGIONAL"}
    assert rest_api.inputs["securityPolicy"] == "TLS_1_2"


def test_every_method_is_behind_the_token_authorizer(run: ProgramRun) -> None:
    authorizer = run.one("aws:apigateway/authorizer:Authorizer")
    authorizer_id = authorizer.id
    methods = run.of_type(METHOD)
    assert len(methods) == len(EXPECTED_ROUTES)
    for method in methods:
        assert method.inputs["authorization"] == "CUSTOM", method.urn
        assert method.inputs["authorizerId"] == authorizer_id, method.urn
        assert not method.inputs.get("apiKeyRequired"), method.urn
    assert authorizer.inputs["type"] == "TOKEN"
    assert authorizer.inputs["identitySource"] == "method.request.header.Authorization"
    assert authorizer.inputs["authorizerResultTtlInSeconds"] == limits.AUTHORIZER_RESULT_TTL_SECONDS
    assert 0 < limits.AUTHORIZER_RESULT_TTL_SECONDS <= 3600
    assert authorizer.inputs["identityValidationExpression"] == api.TOKEN_VALIDATION_EXPRESSION
    function_name = run.outputs["authorizerFunctionName"]
    assert authorizer.inputs["authorizerUri"].endswith(f":function:{function_name}/invocations")


def test_every_method_proxies_to_the_provisioning_function(run: ProgramRun) -> None:
    function_name = run.outputs["provisioningFunctionName"]
    integrations = run.of_type(INTEGRATION)
    assert len(integrations) == len(EXPECTED_ROUTES)
    methods = {(m.inputs["resourceId"], m.inputs["httpMethod"]) for m in run.of_type(METHOD)}
    assert {(i.inputs["resourceId"], i.inputs["httpMethod"]) for i in integrations} == methods
    for integration in integrations:
        assert integration.inputs["type"] == "AWS_PROXY"
        assert integration.inputs["integrationHttpMethod"] == "POST"
        assert integration.inputs["uri"].endswith(f":function:{function_name}/invocations")


def substituted(template: str) -> Any:
    # API Gateway replaces the variable with an already-quoted JSON string.
    return json.loads(template.replace("$context.error.messageString", '"Unauthorized"'))


EXPECTED_RESPONSES = {
    "UNAUTHORIZED": "401",
    "ACCESS_DENIED": "403",
    "THROTTLED": "429",
    "MISSING_AUTHENTICATION_TOKEN": "404",
    "RESOURCE_NOT_FOUND": "404",
    "REQUEST_TOO_LARGE": "413",
    "INTEGRATION_TIMEOUT": "504",
    "DEFAULT_4XX": "400",
    "DEFAULT_5XX": "503",
}


def test_gateway_errors_are_scim_errors_with_their_status(run: ProgramRun) -> None:
    responses = {r.inputs["responseType"]: r for r in run.of_type(RESPONSE)}
    assert {t: r.inputs["statusCode"] for t, r in responses.items()} == EXPECTED_RESPONSES
    for response_type, response in responses.items():
        templates = response.inputs["responseTemplates"]
        assert set(templates) == {"application/json", "application/scim+json"}
        for template in templates.values():
            body = substituted(template)
            assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], response_type
            assert body["status"] == EXPECTED_RESPONSES[response_type]
            assert isinstance(body["detail"], str)
            assert body["detail"]
        params = response.inputs["responseParameters"]
        assert params["gatewayresponse.header.Content-Type"] == "'application/scim+json'"


def test_unauthorized_carries_api_gateways_message(run: ProgramRun) -> None:
    response = next(r for r in run.of_type(RESPONSE) if r.inputs["responseType"] == "UNAUTHORIZED")
    assert substituted(response.inputs["responseTemplates"]["application/json"])["detail"] == "Unauthorized"


def test_unauthorized_names_the_bearer_scheme(run: ProgramRun) -> None:
    response = next(r for r in run.of_type(RESPONSE) if r.inputs["responseType"] == "UNAUTHORIZED")
    params = response.inputs["responseParameters"]
    assert params["gatewayresponse.header.WWW-Authenticate"] == """'Bearer realm="connect-scim"'"""


def test_throttled_and_unavailable_responses_say_when_to_retry(run: ProgramRun) -> None:
    retry_after = {
        r.inputs["responseType"]: r.inputs["responseParameters"].get("gatewayresponse.header.Retry-After")
        for r in run.of_type(RESPONSE)
    }
    assert retry_after["THROTTLED"] == f"'{limits.THROTTLED_RETRY_AFTER_SECONDS}'"
    assert retry_after["DEFAULT_5XX"] == f"'{limits.UNAVAILABLE_RETRY_AFTER_SECONDS}'"
    assert retry_after["INTEGRATION_TIMEOUT"] == f"'{limits.UNAVAILABLE_RETRY_AFTER_SECONDS}'"
    assert retry_after["UNAUTHORIZED"] is None


def test_stage_is_named_as_configured_and_serves_the_deployment(run: ProgramRun) -> None:
    stage = run.one("aws:apigateway/stage:Stage")
    deployment = run.one("aws:apigateway/deployment:Deployment")
    assert stage.inputs["stageName"] == run.outputs["stageName"]
    assert stage.inputs["deployment"] == deployment.id


def test_deployment_waits_for_every_route_and_gateway_response(run: ProgramRun) -> None:
    deployment = run.one("aws:apigateway/deployment:Deployment")
    must_precede = [r.urn for r in run.resources if r.typ in {METHOD, INTEGRATION, RESPONSE}]
    must_precede += [r.urn for r in run.of_type("aws:apigateway/restApiPolicy:RestApiPolicy")]
    assert set(must_precede) <= set(deployment.dependencies)


def trigger(run: ProgramRun) -> str:
    value = run.one("aws:apigateway/deployment:Deployment").inputs["triggers"]["definition"]
    assert isinstance(value, str)
    return value


def test_deployment_trigger_is_stable_for_an_unchanged_definition(runs: dict[str, ProgramRun]) -> None:
    stack, config = SCENARIOS["okta-disable"]
    assert trigger(run_program(config, stack=stack)) == trigger(runs["okta-disable"])


@pytest.mark.parametrize(
    "change",
    [
        "route",
        "method",
        "gateway-response",
        "authorizer-ttl",
        "source-cidrs",
        "integration-target",
        "tls-policy",
    ],
)
def test_deployment_is_replaced_when_any_part_of_the_definition_changes(
    change: str, runs: dict[str, ProgramRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack, config = SCENARIOS["okta-disable"]
    config = dict(config)
    if change == "route":
        monkeypatch.setattr(api, "ROUTES", api.ROUTES[:-1])
    elif change == "method":
        first = api.ROUTES[0]
        monkeypatch.setattr(api, "ROUTES", (api.Route(first.path, ("GET",)), *api.ROUTES[1:]))
    elif change == "gateway-response":
        changed = api.GatewayError("THROTTLED", "429", retry_after=7)
        monkeypatch.setattr(
            api,
            "GATEWAY_ERRORS",
            tuple(changed if e.response_type == "THROTTLED" else e for e in api.GATEWAY_ERRORS),
        )
    elif change == "authorizer-ttl":
        monkeypatch.setattr(api, "AUTHORIZER_RESULT_TTL_SECONDS", 60)
    elif change == "source-cidrs":
        config["connect-scim:allowedSourceCidrs"] = '["198.51.100.0/24"]'
    elif change == "tls-policy":
        monkeypatch.setattr(api, "SECURITY_POLICY", "TLS_1_0")
    elif change == "integration-target":
        stack = "other"  # other function names -> other invoke ARNs
        config["connect-scim:stageName"] = "dev"
    assert trigger(run_program(config, stack=stack)) != trigger(runs["okta-disable"])


def access_log_format(run: ProgramRun) -> str:
    stage = run.one("aws:apigateway/stage:Stage")
    value = stage.inputs["accessLogSettings"]["format"]
    assert isinstance(value, str)
    return value


def test_access_log_is_one_json_object_with_the_operational_fields(run: ProgramRun) -> None:
    fields = json.loads(access_log_format(run))
    assert set(fields) >= {
        "requestId",
        "ip",
        "requestTime",
        "httpMethod",
        "resourcePath",
        "status",
        "responseLength",
        "integrationLatency",
        "authorizerError",
    }
    assert all(isinstance(v, str) and v.startswith("$context.") for v in fields.values())


def test_access_log_never_records_headers_bodies_queries_or_concrete_paths(run: ProgramRun) -> None:
    log_format = access_log_format(run).lower()
    for forbidden in (
        "header",
        "authorization",
        "$input",
        "body",
        "querystring",
        "$method.request",
        "$context.path",
    ):
        assert forbidden not in log_format


def test_access_logs_go_to_their_own_log_group_with_the_configured_retention(run: ProgramRun) -> None:
    stage = run.one("aws:apigateway/stage:Stage")
    group = run.one("aws:cloudwatch/logGroup:LogGroup", "access-logs")
    assert stage.inputs["accessLogSettings"]["destinationArn"] == group.outputs["arn"]
    assert group.inputs["retentionInDays"] == int(run.config.get("connect-scim:logRetentionDays", "30"))


def test_execution_log_group_is_owned_so_it_expires(run: ProgramRun) -> None:
    group = run.one("aws:cloudwatch/logGroup:LogGroup", "execution-logs")
    assert group.inputs["name"] == f"API-Gateway-Execution-Logs_{REST_API_ID}/{run.outputs['stageName']}"
    assert group.inputs["retentionInDays"] == int(run.config.get("connect-scim:logRetentionDays", "30"))


def test_stage_logs_errors_only_without_data_trace_and_is_throttled_below_connect(run: ProgramRun) -> None:
    settings = run.one("aws:apigateway/methodSettings:MethodSettings")
    assert settings.inputs["methodPath"] == "*/*"
    assert settings.inputs["stageName"] == run.outputs["stageName"]
    values = settings.inputs["settings"]
    assert values["loggingLevel"] == "ERROR"
    assert values["dataTraceEnabled"] is False
    assert values["metricsEnabled"] is True
    rate, burst = values["throttlingRateLimit"], values["throttlingBurstLimit"]
    assert (rate, burst) == (limits.STAGE_RATE_LIMIT_RPS, limits.STAGE_BURST_LIMIT)
    # ~2 Connect calls per SCIM request must fit Connect's 2 rps / burst 5 account quota.
    assert rate * 2 <= 2
    assert burst * 2 <= 5


def test_resource_policy_only_with_allowed_cidrs_and_it_denies_everyone_else(
    runs: dict[str, ProgramRun],
) -> None:
    assert runs["okta-disable"].of_type("aws:apigateway/restApiPolicy:RestApiPolicy") == []
    assert runs["generic-disable"].of_type("aws:apigateway/restApiPolicy:RestApiPolicy") == []
    policy = json.loads(
        runs["entra-delete"].one("aws:apigateway/restApiPolicy:RestApiPolicy").inputs["policy"]
    )
    deny = next(s for s in policy["Statement"] if s["Effect"] == "Deny")
    assert deny["Action"] == "execute-api:Invoke"
    assert deny["Resource"] == f"{EXECUTION_ARN}/*"
    assert deny["Condition"] == {"NotIpAddress": {"aws:SourceIp": ["20.190.128.0/18", "2603:1000::/25"]}}


def test_lambda_permissions_are_scoped_to_this_api_stage_and_authorizer(run: ProgramRun) -> None:
    permissions = {p.name.rsplit("-", 1)[-1]: p for p in run.of_type("aws:lambda/permission:Permission")}
    assert set(permissions) == {"provisioning", "authorizer"}
    for permission in permissions.values():
        assert permission.inputs["principal"] == "apigateway.amazonaws.com"
        assert permission.inputs["action"] == "lambda:InvokeFunction"
    provisioning = permissions["provisioning"].inputs
    assert provisioning["function"] == run.outputs["provisioningFunctionName"]
    assert provisioning["sourceArn"] == f"{EXECUTION_ARN}/{run.outputs['stageName']}/*/scim/v2/*"
    authorizer = permissions["authorizer"].inputs
    assert authorizer["function"] == run.outputs["authorizerFunctionName"]
    authorizer_id = run.one("aws:apigateway/authorizer:Authorizer").id
    assert authorizer["sourceArn"] == f"{EXECUTION_ARN}/authorizers/{authorizer_id}"
