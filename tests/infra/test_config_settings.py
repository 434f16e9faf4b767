"""Stack config is validated up front: defaults, aliases, and a named, actionable error for every bad key."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import KEYS, LOG_RETENTION_DAYS, ConfigError, ScimSettings

INSTANCE_ID = "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def settings(stack: str = "dev", **values: Any) -> ScimSettings:
    return ScimSettings.from_mapping({"instanceId": INSTANCE_ID, **values}, stack=stack)


def problem_keys(stack: str = "dev", **values: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        ScimSettings.from_mapping(values, stack=stack)
    return raised.value.keys


def test_only_the_instance_id_is_required_and_the_rest_defaults_as_documented() -> None:
    s = settings()
    assert s.instance_id == INSTANCE_ID
    assert s.idp_type == "okta"
    assert s.default_routing_profile == "Basic Routing Profile"
    assert s.default_security_profiles == ("Agent",)
    assert s.assignable_security_profiles is None
    assert s.deactivation == "disable"
    assert s.deactivated_security_profile == "SCIM-Deactivated"
    assert s.stage_name == "dev"
    assert s.api_token_length == 48
    assert s.allowed_source_cidrs == ()
    assert s.log_retention_days == 30


def test_values_arrive_as_pulumi_passes_them_strings_and_json_arrays() -> None:
    s = settings(
        idpType="Entra",
        defaultSecurityProfiles='["Agent", "QualityAnalyst"]',
        assignableSecurityProfiles='["Agent","QualityAnalyst","Admin"]',
        deactivation="DELETE",
        apiTokenLength="64",
        allowedSourceCidrs='["203.0.113.0/24", "2001:db8::/32"]',
        logRetentionDays="365",
        stageName="prod",
    )
    assert s.idp_type == "entra"
    assert s.default_security_profiles == ("Agent", "QualityAnalyst")
    assert s.assignable_security_profiles == ("Agent", "QualityAnalyst", "Admin")
    assert s.deactivation == "delete"
    assert s.api_token_length == 64
    assert s.allowed_source_cidrs == ("203.0.113.0/24", "2001:db8::/32")
    assert s.log_retention_days == 365
    assert s.stage_name == "prod"


def test_azure_is_an_alias_of_entra() -> None:
    assert settings(idpType="azure").idp_type == "entra"


def test_an_empty_assignable_list_means_every_profile_is_assignable() -> None:
    assert settings(assignableSecurityProfiles="[]").assignable_security_profiles is None


def test_instance_id_is_normalised_to_lower_case_for_arn_matching() -> None:
    assert settings(instanceId=INSTANCE_ID.upper()).instance_id == INSTANCE_ID


BAD_VALUES: list[tuple[str, Any, str]] = [
    ("instanceId", "", "is required"),
    ("instanceId", "not-a-uuid", "is not a UUID"),
    ("instanceId", f"arn:aws:connect:eu-central-1:123456789012:instance/{INSTANCE_ID}", "is an ARN"),
    ("instanceId", INSTANCE_ID.replace("-", ""), "8-4-4-4-12"),
    ("idpType", "onelogin", "okta, entra"),
    ("defaultRoutingProfile", "   ", "non-empty"),
    ("defaultRoutingProfile", "x" * 128, "127"),
    ("defaultSecurityProfiles", "[]", "at least one"),
    ("defaultSecurityProfiles", "Agent", "JSON array"),
    ("defaultSecurityProfiles", '{"a": 1}', "must be a list"),
    ("defaultSecurityProfiles", '["Agent", ""]', "entry 1"),
    ("defaultSecurityProfiles", '["Agent", 3]', "entry 1"),
    ("defaultSecurityProfiles", '["Agent", "Agent"]', "twice"),
    ("defaultSecurityProfiles", str([f"P{i}" for i in range(11)]).replace("'", '"'), "10 per user"),
    ("assignableSecurityProfiles", '["Agent", " "]', "entry 1"),
    ("assignableSecurityProfiles", "Agent,Admin", "JSON array"),
    ("deactivation", "suspend", "neither 'disable'"),
    ("deactivatedSecurityProfile", "  ", "non-empty"),
    ("stageName", "prod stage", "stage name"),
    ("stageName", "x" * 129, "stage name"),
    ("apiTokenLength", "31", "between 32 and 128"),
    ("apiTokenLength", "129", "between 32 and 128"),
    ("apiTokenLength", "forty", "whole number"),
    ("apiTokenLength", True, "whole number"),
    ("allowedSourceCidrs", '["10.0.0.1/24"]', "did you mean 10.0.0.0/24"),
    ("allowedSourceCidrs", '["10.0.0.1"]', "no prefix length"),
    ("allowedSourceCidrs", '["300.0.0.0/8"]', "not a valid CIDR"),
    ("allowedSourceCidrs", '[""]', "entry 0"),
    ("allowedSourceCidrs", "10.0.0.0/8", "JSON array"),
    ("logRetentionDays", "45", "does not accept"),
    ("logRetentionDays", "0", "does not accept"),
    ("logRetentionDays", "-1", "whole number"),
]


@pytest.mark.parametrize(
    ("key", "value", "says"), BAD_VALUES, ids=[f"{k}={v!r}"[:60] for k, v, _ in BAD_VALUES]
)
def test_each_invalid_key_fails_with_a_message_naming_it_and_the_fix(key: str, value: Any, says: str) -> None:
    values = {"instanceId": INSTANCE_ID, key: value}
    with pytest.raises(ConfigError) as raised:
        ScimSettings.from_mapping(values, stack="dev")
    assert raised.value.keys == (key,)
    message = str(raised.value)
    assert f"connect-scim:{key}:" in message
    assert says in message
    assert "pulumi config" in message  # what to do about it


def test_every_contract_key_has_at_least_one_rejected_value() -> None:
    assert {key for key, _, _ in BAD_VALUES} == set(KEYS)


def test_all_problems_are_reported_at_once() -> None:
    keys = problem_keys(instanceId="x", idpType="ldap", apiTokenLength="8", logRetentionDays="2")
    assert set(keys) == {"instanceId", "idpType", "apiTokenLength", "logRetentionDays"}


def test_missing_instance_id_is_reported_even_with_nothing_else_set() -> None:
    assert problem_keys() == ("instanceId",)


def test_a_misspelt_key_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as raised:
        settings(idptype="entra")
    assert raised.value.keys == ("idptype",)
    assert "Did you mean idpType?" in str(raised.value)


def test_default_profiles_must_be_assignable_when_an_allowlist_is_set() -> None:
    with pytest.raises(ConfigError) as raised:
        settings(defaultSecurityProfiles='["Agent"]', assignableSecurityProfiles='["Admin"]')
    assert raised.value.keys == ("defaultSecurityProfiles",)
    assert "Agent" in str(raised.value)


def test_the_deactivation_profile_cannot_be_a_default_profile() -> None:
    with pytest.raises(ConfigError) as raised:
        settings(defaultSecurityProfiles='["Agent", "SCIM-Deactivated"]')
    assert raised.value.keys == ("defaultSecurityProfiles",)


def test_stage_name_defaults_to_the_stack_name_and_says_so_when_that_is_invalid() -> None:
    assert settings(stack="staging").stage_name == "staging"
    with pytest.raises(ConfigError) as raised:
        settings(stack="team.prod")
    assert raised.value.keys == ("stageName",)
    assert "taken from the stack name" in str(raised.value)
    assert settings(stack="team.prod", stageName="prod").stage_name == "prod"


def test_every_cloudwatch_retention_value_is_accepted() -> None:
    for days in LOG_RETENTION_DAYS:
        assert settings(logRetentionDays=str(days)).log_retention_days == days


def test_duplicate_cidrs_collapse_and_are_normalised() -> None:
    s = settings(allowedSourceCidrs='["2001:DB8::/32", "2001:db8::/32", "198.51.100.7/32"]')
    assert s.allowed_source_cidrs == ("2001:db8::/32", "198.51.100.7/32")


def test_physical_names_are_lambda_safe_for_any_stack_name() -> None:
    assert settings(stack="dev").physical_prefix == "connect-scim-dev"
    assert settings(stack="team.prod", stageName="prod").physical_prefix == "connect-scim-team-prod"
    long_a = settings(stack="a" * 90 + "x", stageName="s").physical_prefix
    long_b = settings(stack="a" * 90 + "y", stageName="s").physical_prefix
    assert long_a != long_b
    for prefix in (long_a, long_b):
        assert len(f"{prefix}-provisioning") <= 64


def test_token_parameter_is_per_stack() -> None:
    assert settings(stack="prod").token_parameter_name == "/connect-scim/prod/api-token"
