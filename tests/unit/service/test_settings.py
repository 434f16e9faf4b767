"""Settings from the Lambda environment the Pulumi program sets; bad values fail naming the variable."""

from __future__ import annotations

import pytest

from runtime.settings import Settings, SettingsError


def test_defaults_when_only_the_instance_is_set() -> None:
    settings = Settings.from_env({"CONNECT_INSTANCE_ID": "11111111-2222-3333-4444-555555555555"})
    assert settings.instance_id == "11111111-2222-3333-4444-555555555555"
    assert settings.idp == "okta"
    assert settings.default_routing_profile == "Basic Routing Profile"
    assert settings.default_security_profiles == ("Agent",)
    assert settings.assignable_security_profiles is None
    assert settings.deactivation == "disable"
    assert settings.deactivated_security_profile == "SCIM-Deactivated"
    assert settings.scim_base_path == "/scim/v2"


def test_every_variable_the_infrastructure_sets_is_read() -> None:
    settings = Settings.from_env(
        {
            "CONNECT_INSTANCE_ID": "i-1",
            "IDP_TYPE": "Azure",
            "DEFAULT_ROUTING_PROFILE": "Sales Routing Profile",
            "DEFAULT_SECURITY_PROFILES": '["Agent", "QualityAnalyst"]',
            "ASSIGNABLE_SECURITY_PROFILES": '["Agent","QualityAnalyst","CallCenterManager"]',
            "DEACTIVATION": "delete",
            "DEACTIVATED_SECURITY_PROFILE": "No-Access",
            "SCIM_BASE_PATH": "/prod/scim/v2",
            "LOG_LEVEL": "debug",
            "AWS_REGION": "eu-west-2",
        }
    )
    assert settings.idp == "entra"
    assert settings.default_routing_profile == "Sales Routing Profile"
    assert settings.default_security_profiles == ("Agent", "QualityAnalyst")
    assert settings.assignable_security_profiles == frozenset(
        {"Agent", "QualityAnalyst", "CallCenterManager"}
    )
    assert settings.deactivation == "delete"
    assert settings.deactivated_security_profile == "No-Access"
    assert (settings.scim_base_path, settings.log_level, settings.region) == (
        "/prod/scim/v2",
        "DEBUG",
        "eu-west-2",
    )


def test_an_empty_assignable_list_means_every_profile() -> None:
    assert Settings.from_env({"ASSIGNABLE_SECURITY_PROFILES": "[]"}).assignable_security_profiles is None


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"IDP_TYPE": "onelogin"}, "IDP_TYPE"),
        ({"DEACTIVATION": "suspend"}, "DEACTIVATION"),
        ({"DEFAULT_SECURITY_PROFILES": '["Agent",'}, "DEFAULT_SECURITY_PROFILES"),
        ({"DEFAULT_SECURITY_PROFILES": "[1, 2]"}, "DEFAULT_SECURITY_PROFILES"),
        ({"ASSIGNABLE_SECURITY_PROFILES": '["Agent", " "]'}, "ASSIGNABLE_SECURITY_PROFILES"),
        ({"DEFAULT_SECURITY_PROFILES": '["SCIM-Deactivated"]'}, "DEACTIVATED_SECURITY_PROFILE"),
        ({"CONNECT_MAX_ATTEMPTS": "many"}, "CONNECT_MAX_ATTEMPTS"),
        ({"CONNECT_READ_TIMEOUT_SECONDS": "-1"}, "CONNECT_READ_TIMEOUT_SECONDS"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
    ],
)
def test_a_malformed_value_fails_naming_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ)


def test_more_than_ten_default_profiles_is_refused() -> None:
    names = ",".join(f"P{i}" for i in range(11))
    with pytest.raises(SettingsError, match="at most 10"):
        Settings.from_env({"DEFAULT_SECURITY_PROFILES": names})
