"""The bearer token: a generated alphanumeric secret of the configured length, stored as a SecureString."""

from __future__ import annotations

from .harness import ProgramRun, is_secret


def test_token_is_generated_alphanumeric_with_the_configured_length(run: ProgramRun) -> None:
    password = run.one("random:index/randomPassword:RandomPassword")
    assert password.inputs["length"] == int(run.config.get("connect-scim:apiTokenLength", "48"))
    assert password.inputs["special"] is False
    assert password.inputs["upper"] and password.inputs["lower"] and password.inputs["numeric"]


def test_parameter_is_a_secure_string_holding_the_generated_value(run: ProgramRun) -> None:
    parameter = run.one("aws:ssm/parameter:Parameter")
    password = run.one("random:index/randomPassword:RandomPassword")
    assert parameter.inputs["type"] == "SecureString"
    assert parameter.inputs["name"] == run.outputs["apiTokenParameterName"]
    assert is_secret(parameter.inputs["value"])
    assert parameter.inputs["value"]["value"] == password.outputs["result"] == run.outputs["apiToken"]
    assert "keyId" not in parameter.inputs  # the account's aws/ssm key unless a customer key is given
