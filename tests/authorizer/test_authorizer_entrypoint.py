"""The Lambda entry point reads its configuration from the environment and denies when it is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.handlers import authorizer

from .conftest import PARAMETER, Ssm, load_event, parameter_response


@pytest.fixture(autouse=True)
def fresh_entrypoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("TOKEN_PARAMETER_NAME", "TOKEN_CACHE_SECONDS", "TOKEN_ROTATION_GRACE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    authorizer._default_authorizer.cache_clear()
    yield
    authorizer._default_authorizer.cache_clear()


def test_handler_allows_the_token_stored_in_the_configured_parameter(
    monkeypatch: pytest.MonkeyPatch, ssm: Ssm
) -> None:
    monkeypatch.setenv("TOKEN_PARAMETER_NAME", PARAMETER)
    monkeypatch.setattr(authorizer, "ssm_client", lambda: ssm.client)
    ssm.expect(parameter_response("Xq7Lk2Vd9Rw4Tz8Pn3Hs6Jb1Mc5Fg0Ya2Ue7Io4Kl9Qt3Wr"))
    policy = authorizer.handler(load_event("token-collection"), None)
    assert policy["principalId"] == "scim-idp"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"TOKEN_PARAMETER_NAME": "  "},
        {"TOKEN_PARAMETER_NAME": PARAMETER, "TOKEN_CACHE_SECONDS": "sixty"},
        {"TOKEN_PARAMETER_NAME": PARAMETER, "TOKEN_ROTATION_GRACE_SECONDS": "-5"},
    ],
)
def test_bad_configuration_denies_instead_of_erroring(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(authorizer, "ssm_client", lambda: pytest.fail("no SSM client without a valid config"))
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(load_event("token-collection"), None)
    reasons = [getattr(r, "reason", None) for r in caplog.records]
    assert reasons == ["configuration_error"]


def test_configuration_defaults_match_the_documented_ones() -> None:
    config = authorizer.AuthorizerConfig.from_env({"TOKEN_PARAMETER_NAME": PARAMETER})
    assert (config.cache_seconds, config.grace_seconds) == (60, 86_400)
    config = authorizer.AuthorizerConfig.from_env(
        {
            "TOKEN_PARAMETER_NAME": PARAMETER,
            "TOKEN_CACHE_SECONDS": "5",
            "TOKEN_ROTATION_GRACE_SECONDS": "3600",
        }
    )
    assert (config.cache_seconds, config.grace_seconds) == (5, 3600)


def test_ssm_client_bounds_retries_and_timeouts_below_the_function_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from components.limits import AUTHORIZER_TIMEOUT_SECONDS

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    config = authorizer.ssm_client().meta.config  # type: ignore[attr-defined]
    attempts = config.retries["total_max_attempts"]
    assert config.retries["mode"] == "standard"
    per_attempt = config.connect_timeout + config.read_timeout
    # Worst case: the current and the previous version, each with every attempt timing out and
    # the standard mode's throttling backoff (at most 1 s before the 2nd attempt) in between.
    worst_case = 2 * (attempts * per_attempt + (attempts - 1) * 1.0)
    assert worst_case < AUTHORIZER_TIMEOUT_SECONDS
