"""Both Lambda functions: runtime, architecture, sizing, environment, code and their own log groups."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from components import limits
from components.config import ScimSettings

from .conftest import INSTANCE_ID
from .harness import ProgramRun, Registered

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def provisioning(run: ProgramRun) -> Registered:
    return run.one(FUNCTION, "provisioning-function")


def authorizer(run: ProgramRun) -> Registered:
    return run.one(FUNCTION, "authorizer-function")


def retention(run: ProgramRun) -> int:
    return int(run.config.get("connect-scim:logRetentionDays", "30"))


@pytest.mark.parametrize("which", ["provisioning", "authorizer"])
def test_functions_run_python_3_13_on_arm64(run: ProgramRun, which: str) -> None:
    function = provisioning(run) if which == "provisioning" else authorizer(run)
    assert function.inputs["runtime"] == "python3.13"
    assert function.inputs["architectures"] == ["arm64"]
    assert function.inputs["handler"] == f"runtime.handlers.{which}.handler"


def test_provisioning_gives_up_before_api_gateway_does(run: ProgramRun) -> None:
    function = provisioning(run)
    assert function.inputs["timeout"] == limits.PROVISIONING_TIMEOUT_SECONDS
    assert function.inputs["timeout"] < limits.API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS
    assert function.inputs["memorySize"] == limits.PROVISIONING_MEMORY_MB


def test_provisioning_concurrency_is_reserved_within_connects_burst(run: ProgramRun) -> None:
    reserved = provisioning(run).inputs["reservedConcurrentExecutions"]
    assert reserved == limits.PROVISIONING_RESERVED_CONCURRENCY
    assert 1 <= reserved <= 5  # Connect's burst of 5 calls, account-wide


def test_authorizer_is_small_and_short(run: ProgramRun) -> None:
    function = authorizer(run)
    assert function.inputs["memorySize"] == 128
    assert function.inputs["timeout"] == limits.AUTHORIZER_TIMEOUT_SECONDS <= 10
    assert "reservedConcurrentExecutions" not in function.inputs


def expected_settings(run: ProgramRun) -> ScimSettings:
    values = {k.split(":", 1)[1]: v for k, v in run.config.items() if k.startswith("connect-scim:")}
    return ScimSettings.from_mapping(values, stack=run.stack)


def test_provisioning_environment_is_the_runtime_contract(run: ProgramRun) -> None:
    settings = expected_settings(run)
    env = provisioning(run).inputs["environment"]["variables"]
    expected = {
        "CONNECT_INSTANCE_ID": INSTANCE_ID,
        "IDP_TYPE": settings.idp_type,
        "DEFAULT_ROUTING_PROFILE": settings.default_routing_profile,
        "DEFAULT_SECURITY_PROFILES": json.dumps(list(settings.default_security_profiles)),
        "DEACTIVATION": settings.deactivation,
        "DEACTIVATED_SECURITY_PROFILE": settings.deactivated_security_profile,
        "SCIM_BASE_PATH": "/scim/v2",
        "LOG_LEVEL": "INFO",
        "CONNECT_RATE_LIMIT": "2",
        "CONNECT_BURST": "5",
    }
    if settings.assignable_security_profiles is not None:
        expected["ASSIGNABLE_SECURITY_PROFILES"] = json.dumps(list(settings.assignable_security_profiles))
    assert env == expected


def test_environment_per_idp_and_deactivation_mode(runs: dict[str, ProgramRun]) -> None:
    env = {name: provisioning(run).inputs["environment"]["variables"] for name, run in runs.items()}
    assert (env["okta-disable"]["IDP_TYPE"], env["okta-disable"]["DEACTIVATION"]) == ("okta", "disable")
    assert (env["entra-delete"]["IDP_TYPE"], env["entra-delete"]["DEACTIVATION"]) == ("entra", "delete")
    assert env["generic-disable"]["IDP_TYPE"] == "generic"
    assert env["generic-disable"]["DEACTIVATED_SECURITY_PROFILE"] == "Offboarded"
    assert json.loads(env["generic-disable"]["DEFAULT_SECURITY_PROFILES"]) == ["Agent", "QualityAnalyst"]
    assert json.loads(env["entra-delete"]["ASSIGNABLE_SECURITY_PROFILES"]) == ["Agent", "CallCenterManager"]
    assert "ASSIGNABLE_SECURITY_PROFILES" not in env["okta-disable"]


def test_authorizer_environment_names_the_parameter_not_the_token(run: ProgramRun) -> None:
    env = authorizer(run).inputs["environment"]["variables"]
    assert env == {
        "TOKEN_PARAMETER_NAME": run.outputs["apiTokenParameterName"],
        "TOKEN_CACHE_SECONDS": str(limits.TOKEN_CACHE_SECONDS),
        "TOKEN_ROTATION_GRACE_SECONDS": str(limits.TOKEN_ROTATION_GRACE_SECONDS),
    }


@pytest.mark.parametrize("which", ["provisioning", "authorizer"])
def test_each_function_logs_json_to_its_own_log_group_with_retention(run: ProgramRun, which: str) -> None:
    function = provisioning(run) if which == "provisioning" else authorizer(run)
    group = run.one(LOG_GROUP, f"{which}-logs")
    assert group.inputs["name"] == f"/aws/lambda/{function.inputs['name']}"
    assert group.inputs["retentionInDays"] == retention(run)
    logging = function.inputs["loggingConfig"]
    assert logging["logFormat"] == "JSON"
    assert logging["logGroup"] == group.inputs["name"]
    # The group exists (with its retention) before the function can write its first line.
    assert group.urn in function.dependencies


def test_every_log_group_has_the_configured_retention(run: ProgramRun) -> None:
    groups = run.of_type(LOG_GROUP)
    assert len(groups) == 4  # two functions, access logs, execution logs
    assert {g.inputs["retentionInDays"] for g in groups} == {retention(run)}


def test_fixed_function_names_are_replaced_delete_first(run: ProgramRun) -> None:
    assert provisioning(run).delete_before_replace
    assert authorizer(run).delete_before_replace


@pytest.mark.parametrize("which", ["provisioning", "authorizer"])
def test_code_is_the_reproducible_archive_with_its_hash(run: ProgramRun, which: str) -> None:
    function = provisioning(run) if which == "provisioning" else authorizer(run)
    archive = function.inputs["code"]
    path = Path(archive.path)
    assert path.parts[-3:] == ("build", "lambda", "lambda.zip")
    assert not path.is_absolute()  # state stays identical across checkouts
    digest = base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    assert function.inputs["sourceCodeHash"] == digest


def test_both_functions_ship_the_same_archive(run: ProgramRun) -> None:
    assert provisioning(run).inputs["sourceCodeHash"] == authorizer(run).inputs["sourceCodeHash"]


def test_provisioning_waits_for_the_deactivation_profile_in_disable_mode(runs: dict[str, ProgramRun]) -> None:
    run = runs["okta-disable"]
    profile = run.one("aws:connect/securityProfile:SecurityProfile")
    component = run.one("connect-scim:index:DeactivatedSecurityProfile")
    deps = provisioning(run).dependencies
    assert profile.urn in deps or component.urn in deps


def test_the_runtime_reads_the_environment_back_as_the_stack_configured_it(run: ProgramRun) -> None:
    from runtime.settings import Settings

    settings = expected_settings(run)
    env = provisioning(run).inputs["environment"]["variables"]
    read = Settings.from_env(env)
    assert read.instance_id == settings.instance_id
    assert read.idp == settings.idp_type
    assert read.default_routing_profile == settings.default_routing_profile
    assert read.default_security_profiles == settings.default_security_profiles
    expected_assignable = (
        None
        if settings.assignable_security_profiles is None
        else frozenset(settings.assignable_security_profiles)
    )
    assert read.assignable_security_profiles == expected_assignable
    assert read.deactivation == settings.deactivation
    assert read.deactivated_security_profile == settings.deactivated_security_profile
    assert read.scim_base_path == "/scim/v2"
    assert (read.connect_rate_limit, read.connect_burst) == (2.0, 5)  # paced to Connect's quota
