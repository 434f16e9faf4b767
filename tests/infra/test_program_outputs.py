"""The program exports exactly the contract outputs, keeps the token secret, and refuses bad config."""

from __future__ import annotations

import pytest

from components.config import ConfigError

from .conftest import INSTANCE_ID, SCENARIOS
from .harness import PROJECT, REGION, REST_API_ID, ProgramRun, is_secret, plain_strings, run_program

OUTPUTS = {
    "scimBaseUrl",
    "apiToken",
    "apiTokenParameterName",
    "restApiId",
    "stageName",
    "provisioningFunctionName",
    "authorizerFunctionName",
}


def token_of(run: ProgramRun) -> str:
    token = run.outputs["apiToken"]
    assert isinstance(token, str)
    return token


def test_exports_exactly_the_contract_outputs(run: ProgramRun) -> None:
    assert set(run.outputs) == OUTPUTS


def test_only_the_token_output_is_secret(run: ProgramRun) -> None:
    assert run.secret_outputs == {"apiToken"}


def test_scim_base_url_is_the_stage_url_plus_scim_v2(run: ProgramRun) -> None:
    stage = run.outputs["stageName"]
    assert (
        run.outputs["scimBaseUrl"]
        == f"https://{REST_API_ID}.execute-api.{REGION}.amazonaws.com/{stage}/scim/v2"
    )
    assert run.outputs["restApiId"] == REST_API_ID


def test_stage_name_defaults_to_the_stack_and_follows_config(runs: dict[str, ProgramRun]) -> None:
    assert runs["okta-disable"].outputs["stageName"] == "dev"
    assert runs["entra-delete"].outputs["stageName"] == "v1"
    assert runs["generic-disable"].outputs["stageName"] == "staging"


def test_names_are_per_stack(run: ProgramRun) -> None:
    assert run.outputs["apiTokenParameterName"] == f"/{PROJECT}/{run.stack}/api-token"
    assert run.outputs["provisioningFunctionName"] == f"{PROJECT}-{run.stack}-provisioning"
    assert run.outputs["authorizerFunctionName"] == f"{PROJECT}-{run.stack}-authorizer"


def test_token_has_the_configured_length(run: ProgramRun) -> None:
    expected = int(run.config.get("connect-scim:apiTokenLength", "48"))
    assert len(token_of(run)) == expected


def test_token_never_appears_in_plain_outputs_env_vars_or_other_inputs(run: ProgramRun) -> None:
    token = token_of(run)
    for name, value in run.outputs.items():
        if name != "apiToken":
            assert token not in str(value), name
    for resource in run.resources:
        for text in plain_strings(resource.inputs):
            assert token not in text, f"token in plain inputs of {resource.urn}"
        if resource.typ != "random:index/randomPassword:RandomPassword":
            for text in plain_strings(resource.outputs):
                assert token not in text, f"token in plain state of {resource.urn}"


def test_the_token_reaches_ssm_only_and_only_as_a_secret(run: ProgramRun) -> None:
    token = token_of(run)
    holders = [
        r.urn
        for r in run.resources
        if r.typ != "random:index/randomPassword:RandomPassword" and token in repr(r.inputs)
    ]
    parameter = run.one("aws:ssm/parameter:Parameter")
    assert holders == [parameter.urn]
    assert is_secret(parameter.inputs["value"])
    assert parameter.inputs["value"]["value"] == token


def test_the_random_provider_also_keeps_the_result_secret(run: ProgramRun) -> None:
    password = run.one("random:index/randomPassword:RandomPassword")
    assert "result" in password.additional_secret_outputs


def test_program_reads_the_connect_scim_namespace_only(runs: dict[str, ProgramRun]) -> None:
    # aws:region is in every scenario's config; had the program validated it, it would have failed.
    assert all("aws:region" in run.config for run in runs.values())


INVALID_PROGRAM_CONFIG: list[tuple[str, str]] = [
    ("instanceId", "i-123"),
    ("idpType", "pingfederate"),
    ("defaultRoutingProfile", " "),
    ("defaultSecurityProfiles", '"Agent"'),
    ("assignableSecurityProfiles", "[1, 2]"),
    ("deactivation", "archive"),
    ("deactivatedSecurityProfile", " "),
    ("stageName", "dev/prod"),
    ("apiTokenLength", "16"),
    ("allowedSourceCidrs", '["0.0.0.0"]'),
    ("logRetentionDays", "31"),
    ("idptype", "okta"),
]


@pytest.mark.parametrize(("key", "value"), INVALID_PROGRAM_CONFIG)
def test_program_fails_before_creating_anything_when_a_key_is_invalid(key: str, value: str) -> None:
    config = dict(SCENARIOS["okta-disable"][1])
    config[f"connect-scim:{key}"] = value
    with pytest.raises(ConfigError) as raised:
        run_program(config, stack="dev")
    assert raised.value.keys == (key,)
    assert f"connect-scim:{key}" in str(raised.value)


def test_program_fails_without_an_instance_id() -> None:
    with pytest.raises(ConfigError, match="instanceId: is required"):
        run_program({"aws:region": REGION}, stack="dev")


def test_program_accepts_config_from_the_pulumi_config_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Older language hosts pass config as PULUMI_CONFIG instead of set_all_config.
    monkeypatch.setenv(
        "PULUMI_CONFIG", f'{{"connect-scim:instanceId": "{INSTANCE_ID}", "connect-scim:idpType": "generic"}}'
    )
    run = run_program({}, stack="dev")
    function = run.one("aws:lambda/function:Function", "provisioning-function")
    assert function.inputs["environment"]["variables"]["IDP_TYPE"] == "generic"
