"""The provisioning handler answers API Gateway REST proxy events like the local server answers HTTP."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.handlers import provisioning
from runtime.scim.schema import LIST_RESPONSE

from .conftest import API_HOST, FakeLambdaContext, load_event

BASE_URL = f"https://{API_HOST}/dev/scim/v2"
REPO = Path(__file__).resolve().parents[2]


def invoke(event: dict[str, Any], context: FakeLambdaContext) -> tuple[int, dict[str, str], Any]:
    response = provisioning.handler(event, context)
    assert set(response) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert isinstance(response["statusCode"], int)
    assert response["isBase64Encoded"] is False
    body = json.loads(response["body"]) if response["body"] else None
    return response["statusCode"], response["headers"], body


def create_user(context: FakeLambdaContext) -> Any:
    status, _, body = invoke(load_event("create-user-base64"), context)
    assert status == 201, body
    return body


@pytest.mark.usefixtures("lambda_app")
def test_list_with_null_query_string_is_a_list_response(context: FakeLambdaContext) -> None:
    event = load_event("list-users")
    assert event["queryStringParameters"] is None
    status, headers, body = invoke(event, context)
    assert status == 200
    assert headers["Content-Type"] == "application/scim+json"
    assert body["schemas"] == [LIST_RESPONSE]
    assert isinstance(body["totalResults"], int)


@pytest.mark.usefixtures("lambda_app")
def test_base64_post_creates_with_location_behind_the_stage(context: FakeLambdaContext) -> None:
    event = load_event("create-user-base64")
    assert event["isBase64Encoded"] is True
    body = create_user(context)
    expected = f"{BASE_URL}/Users/{body['id']}"
    assert body["meta"]["location"] == expected
    assert body["userName"] == "jane.doe@example.com"
    status, _, again = invoke(load_event("get-user-null-headers", user_id=body["id"]), context)
    assert (status, again["id"]) == (200, body["id"])


@pytest.mark.usefixtures("lambda_app")
def test_created_user_location_header_matches_meta(context: FakeLambdaContext) -> None:
    status, headers, body = invoke(load_event("create-user-base64"), context)
    assert status == 201
    assert headers["Location"] == body["meta"]["location"]


@pytest.mark.usefixtures("lambda_app")
def test_filter_query_finds_the_user(context: FakeLambdaContext) -> None:
    created = create_user(context)
    status, _, body = invoke(load_event("filter-users"), context)
    assert status == 200
    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == created["id"]


@pytest.mark.usefixtures("lambda_app")
def test_patch_deactivates_and_answers_the_resource(context: FakeLambdaContext) -> None:
    created = create_user(context)
    status, headers, body = invoke(load_event("patch-user", user_id=created["id"]), context)
    assert status == 200, body
    assert body["active"] is False
    assert headers["Location"] == f"{BASE_URL}/Users/{created['id']}"


@pytest.mark.usefixtures("lambda_app")
def test_delete_is_204_with_empty_body_then_404(context: FakeLambdaContext) -> None:
    created = create_user(context)
    response = provisioning.handler(load_event("delete-user", user_id=created["id"]), context)
    assert response["statusCode"] == 204
    assert response["body"] == ""
    status, _, body = invoke(load_event("get-user-null-headers", user_id=created["id"]), context)
    assert status == 404
    assert body["status"] == "404"


@pytest.mark.usefixtures("lambda_app")
def test_null_headers_use_the_request_context_domain(context: FakeLambdaContext) -> None:
    event = load_event("get-user-null-headers")
    assert event["headers"] is None
    status, headers, body = invoke(event, context)
    assert status == 404  # the placeholder id does not exist
    assert headers["Content-Type"] == "application/scim+json"
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


@pytest.mark.usefixtures("lambda_app")
def test_correlation_id_is_the_api_gateway_request_id(context: FakeLambdaContext) -> None:
    event = load_event("list-users")
    _, headers, _ = invoke(event, context)
    assert headers["X-Correlation-Id"] == event["requestContext"]["requestId"]


@pytest.mark.usefixtures("lambda_app")
def test_invalid_base64_body_is_400(context: FakeLambdaContext) -> None:
    event = load_event("create-user-base64")
    event["body"] = "not base64 at all!"
    status, _, body = invoke(event, context)
    assert status == 400
    assert body["scimType"] == "invalidSyntax"
    assert "base64" in body["detail"]


@pytest.mark.usefixtures("lambda_app")
def test_path_outside_the_base_path_is_404(context: FakeLambdaContext) -> None:
    event = load_event("list-users")
    event["path"] = "/Users"
    status, _, body = invoke(event, context)
    assert status == 404
    assert "/scim/v2" in body["detail"]


@pytest.mark.usefixtures("lambda_app")
def test_neither_token_nor_body_reaches_the_log(
    context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(context)
    invoke(load_event("filter-users"), context)
    out = capsys.readouterr().out
    assert "fixture-token" not in out
    assert "jane.doe" not in out
    assert "Jane" not in out
    assert '"route":"/Users"' in out


def test_cold_start_builds_from_the_environment(
    emulator: EmulatorHandle, context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    if hasattr(emulator, "reset"):
        emulator.reset()
    monkeypatch.setenv("CONNECT_INSTANCE_ID", emulator.instance_id)
    monkeypatch.setenv("CONNECT_ENDPOINT_URL", emulator.url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    provisioning.install_app(None)
    try:
        status, _, body = invoke(load_event("list-users"), context)
        assert status == 200
        assert body["schemas"] == [LIST_RESPONSE]
        first = provisioning.current_app()
        invoke(load_event("list-users"), context)
        assert provisioning.current_app() is first  # built once per execution environment
    finally:
        provisioning.install_app(None)


def test_misconfiguration_is_a_generic_500_and_a_named_log_line(
    context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONNECT_INSTANCE_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("IDP_TYPE", "onelogin")
    provisioning.install_app(None)
    try:
        status, _, body = invoke(load_event("list-users"), context)
    finally:
        provisioning.install_app(None)
    assert status == 500
    assert "IDP_TYPE" not in body["detail"]
    assert body["status"] == "500"
    (record,) = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "startup_failed" in line
    ]
    assert "IDP_TYPE" in record["config_error"]


def test_multi_value_query_keeps_the_first_value_and_headers_fold_case() -> None:
    event = load_event("filter-users")
    event["multiValueQueryStringParameters"]["count"] = ["5", "50"]
    event["queryStringParameters"]["count"] = "50"
    request = provisioning.to_scim_request(event)
    assert request.query["count"] == "5"
    assert request.headers["host"] == API_HOST
    assert request.headers["user-agent"] == "Okta SCIM Client 1.0.0"
    assert request.path == "/Users"
    assert request.base_url == BASE_URL
    assert request.body == b""


def test_base64_body_is_decoded_to_the_bytes_sent() -> None:
    event = load_event("create-user-base64")
    request = provisioning.to_scim_request(event)
    assert request.body == base64.b64decode(event["body"])
    assert request.headers["content-type"] == "application/scim+json; charset=utf-8"


def test_custom_domain_base_path_mapping_drops_the_stage() -> None:
    event = load_event("list-users")
    event["headers"]["Host"] = "scim.example.com"
    event["requestContext"]["path"] = "/connect/scim/v2/Users"
    assert provisioning.to_scim_request(event).base_url == "https://scim.example.com/connect/scim/v2"


def test_hostile_host_header_does_not_reach_location() -> None:
    event = load_event("list-users")
    event["headers"]["Host"] = "evil.example/<script>"
    assert provisioning.to_scim_request(event).base_url == f"{BASE_URL}"


def test_importing_the_handler_does_not_import_boto3() -> None:
    code = (
        "import sys, runtime.handlers.provisioning; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    ours = [line for line in result.stderr.splitlines() if "runtime" in line]
    cumulative_us = max(int(line.split("|")[1]) for line in ours)
    assert cumulative_us < 200_000, ours  # our own import cost stays small (well under 0.2 s)


def test_headers_fall_back_to_multi_value_headers_first_value() -> None:
    event = load_event("create-user-base64")
    event["headers"] = None
    event["multiValueHeaders"]["Content-Type"] = ["application/scim+json", "text/plain"]
    request = provisioning.to_scim_request(event)
    assert request.headers["content-type"] == "application/scim+json"
    assert request.base_url == BASE_URL
