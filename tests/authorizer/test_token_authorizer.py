"""The TOKEN authorizer allows the current token (the previous one only in rotation grace); fails closed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from runtime.handlers import authorizer

from .conftest import NOW, OLD_TOKEN, PARAMETER, TOKEN, FakeClock, Ssm, load_event, parameter_response

MakeAuthorizer = Callable[..., authorizer.Authorizer]


def run(az: authorizer.Authorizer, event: dict[str, Any]) -> dict[str, Any]:
    return authorizer.authorize(event, az.decide)


def assert_unauthorized(az: authorizer.Authorizer, event: dict[str, Any]) -> None:
    with pytest.raises(Exception) as raised:
        run(az, event)
    # API Gateway maps exactly this error message to 401; anything else becomes a 500.
    assert type(raised.value) is Exception
    assert str(raised.value) == "Unauthorized"
    # Nothing chained: the Lambda error log must not carry an SSM error (or anything else).
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


def denial_reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        str(getattr(r, "reason", ""))
        for r in caplog.records
        if getattr(r, "event", "") == "authorizer.denied"
    ]


def with_header(header: str | None) -> dict[str, Any]:
    event = load_event("token-collection")
    if header is None:
        del event["authorizationToken"]
    else:
        event["authorizationToken"] = header
    return event


def test_valid_token_yields_an_allow_policy_for_the_whole_stage(
    ssm: Ssm, make_authorizer: MakeAuthorizer
) -> None:
    ssm.expect(parameter_response(TOKEN))
    policy = run(make_authorizer(), load_event("token-collection"))
    assert policy == {
        "principalId": "scim-idp",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123defg/dev/*",
                }
            ],
        },
    }


def test_policy_resource_is_derived_from_the_method_arn_of_the_event(
    ssm: Ssm, make_authorizer: MakeAuthorizer
) -> None:
    ssm.expect(parameter_response(TOKEN))
    policy = run(make_authorizer(), load_event("token-item"))
    statement = policy["policyDocument"]["Statement"][0]
    assert statement["Resource"] == "arn:aws:execute-api:eu-west-2:210987654321:9z8y7x6w5v/prod_eu/*"


@pytest.mark.parametrize("header", [f"bearer {TOKEN}", f"BEARER {TOKEN}", f"BeArEr {TOKEN}"])
def test_scheme_is_case_insensitive(ssm: Ssm, make_authorizer: MakeAuthorizer, header: str) -> None:
    ssm.expect(parameter_response(TOKEN))
    assert run(make_authorizer(), with_header(header))["principalId"] == "scim-idp"


def test_several_spaces_between_scheme_and_token_are_allowed_as_rfc6750_says(
    ssm: Ssm, make_authorizer: MakeAuthorizer
) -> None:
    ssm.expect(parameter_response(TOKEN))
    assert run(make_authorizer(), with_header(f"Bearer   {TOKEN}"))["principalId"] == "scim-idp"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing_token"),
        ("", "missing_token"),
        ("   ", "missing_token"),
        ("Bearer", "malformed_header"),
        ("Bearer ", "malformed_header"),
        (f"Bearer {TOKEN} extra", "malformed_header"),
        (f"Bearer {TOKEN} ", "malformed_header"),
        (f" Bearer {TOKEN}", "malformed_header"),
        (f"Bearer\t{TOKEN}", "malformed_header"),
        (f"Bearer {TOKEN}\n", "malformed_header"),
        ("Bearer tok\u00e9n", "malformed_header"),
        ("Bearer " + "a" * 2000, "malformed_header"),
        (f"Basic {TOKEN}", "wrong_scheme"),
        (f"Token {TOKEN}", "wrong_scheme"),
        (TOKEN, "wrong_scheme"),
        (f"Bearer{TOKEN}", "wrong_scheme"),
    ],
)
def test_missing_malformed_or_foreign_scheme_headers_are_denied_without_reading_ssm(
    ssm: Ssm,
    make_authorizer: MakeAuthorizer,
    caplog: pytest.LogCaptureFixture,
    header: str | None,
    reason: str,
) -> None:
    # No answer is queued: a GetParameter call would surface as "internal_error", not `reason`.
    caplog.set_level(logging.INFO)
    assert_unauthorized(make_authorizer(), with_header(header))
    assert denial_reasons(caplog) == [reason]


def test_wrong_token_is_denied(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture
) -> None:
    ssm.expect(parameter_response(TOKEN))
    assert_unauthorized(make_authorizer(), with_header("Bearer " + TOKEN[:-1] + "X"))
    assert denial_reasons(caplog) == ["token_mismatch"]


def test_a_prefix_of_the_token_is_denied(ssm: Ssm, make_authorizer: MakeAuthorizer) -> None:
    ssm.expect(parameter_response(TOKEN))
    assert_unauthorized(make_authorizer(), with_header("Bearer " + TOKEN[:20]))


@pytest.mark.parametrize(
    "event",
    [
        {
            "type": "REQUEST",
            "authorizationToken": f"Bearer {TOKEN}",
            "methodArn": "arn:aws:execute-api:x:1:a/b/GET/",
        },
        {"authorizationToken": f"Bearer {TOKEN}"},
        "not an event",
    ],
)
def test_events_that_are_not_token_authorizer_events_are_denied(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture, event: Any
) -> None:
    assert_unauthorized(make_authorizer(), event)
    assert denial_reasons(caplog) == ["malformed_event"]


@pytest.mark.parametrize(
    "method_arn",
    [
        "arn:aws:execute-api:us-east-1:123456789012:abc123defg",
        "arn:aws:lambda:us-east-1:123456789012:abc123defg/dev/GET/scim/v2/Users",
        "arn:aws:execute-api:us-east-1::abc123defg/dev/GET/scim/v2/Users",
        "arn:aws:execute-api:us-east-1:123456789012:abc*/dev/GET/",
        "arn:aws:execute-api:us-east-1:123456789012:abc123defg/*/GET/",
        None,
    ],
)
def test_a_malformed_method_arn_is_denied_rather_than_widening_the_policy(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture, method_arn: str | None
) -> None:
    event = load_event("token-collection")
    event["methodArn"] = method_arn
    assert_unauthorized(make_authorizer(), event)
    assert denial_reasons(caplog) == ["malformed_method_arn"]


def test_parameter_is_cached_for_the_configured_seconds(
    ssm: Ssm, make_authorizer: MakeAuthorizer, clock: FakeClock
) -> None:
    az = make_authorizer(cache_seconds=60)
    ssm.expect(parameter_response(TOKEN))
    run(az, load_event("token-collection"))
    clock.advance(59)
    # Only one answer was queued: a second GetParameter would fail this call.
    run(az, load_event("token-item"))
    ssm.stubber.assert_no_pending_responses()

    clock.advance(1)
    ssm.expect(parameter_response(TOKEN))
    run(az, load_event("token-collection"))


def test_a_new_value_is_picked_up_once_the_cache_expires(
    ssm: Ssm, make_authorizer: MakeAuthorizer, clock: FakeClock
) -> None:
    az = make_authorizer(cache_seconds=60, grace_seconds=0)
    ssm.expect(parameter_response(OLD_TOKEN))
    run(az, with_header(f"Bearer {OLD_TOKEN}"))
    clock.advance(61)
    ssm.expect(parameter_response(TOKEN, version=2, modified=clock.now - 5))
    assert_unauthorized(az, with_header(f"Bearer {OLD_TOKEN}"))
    run(az, with_header(f"Bearer {TOKEN}"))


def test_zero_cache_seconds_reads_ssm_on_every_call(ssm: Ssm, make_authorizer: MakeAuthorizer) -> None:
    az = make_authorizer(cache_seconds=0)
    ssm.expect(parameter_response(TOKEN))
    ssm.expect(parameter_response(TOKEN))
    run(az, load_event("token-collection"))
    run(az, load_event("token-collection"))


def test_previous_token_stays_valid_during_the_rotation_grace_period(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture
) -> None:
    ssm.expect(parameter_response(TOKEN, version=3, modified=NOW - 3600))
    ssm.expect(parameter_response(OLD_TOKEN, version=2, name=f"{PARAMETER}:2"), name=f"{PARAMETER}:2")
    az = make_authorizer(grace_seconds=86_400)
    assert run(az, with_header(f"Bearer {OLD_TOKEN}"))["principalId"] == "scim-idp"
    assert run(az, with_header(f"Bearer {TOKEN}"))["principalId"] == "scim-idp"
    assert any(getattr(r, "event", "") == "authorizer.previous_token_used" for r in caplog.records)


def test_previous_token_is_refused_after_the_grace_period_without_fetching_it(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture
) -> None:
    # Only the unversioned read is queued: reading ":2" would be an unexpected call.
    ssm.expect(parameter_response(TOKEN, version=3, modified=NOW - 86_401))
    az = make_authorizer(grace_seconds=86_400)
    assert_unauthorized(az, with_header(f"Bearer {OLD_TOKEN}"))
    assert denial_reasons(caplog) == ["token_mismatch"]
    assert run(az, with_header(f"Bearer {TOKEN}"))["principalId"] == "scim-idp"


def test_grace_period_ends_on_time_even_while_the_parameter_is_cached(
    ssm: Ssm, make_authorizer: MakeAuthorizer, clock: FakeClock
) -> None:
    grace = 86_400
    ssm.expect(parameter_response(TOKEN, version=2, modified=NOW - grace + 10))
    ssm.expect(parameter_response(OLD_TOKEN, name=f"{PARAMETER}:1"), name=f"{PARAMETER}:1")
    az = make_authorizer(cache_seconds=60, grace_seconds=grace)
    run(az, with_header(f"Bearer {OLD_TOKEN}"))
    clock.advance(10)  # grace over, cache (60 s) still fresh: the cached snapshot refuses the old token
    # A token matching nothing re-reads the parameter once (it might be a newer one): version 2
    # again, grace over, so ":1" is not even read.
    ssm.expect(parameter_response(TOKEN, version=2, modified=NOW - grace + 10))
    assert_unauthorized(az, with_header(f"Bearer {OLD_TOKEN}"))
    run(az, with_header(f"Bearer {TOKEN}"))


def test_first_version_has_no_previous_token(ssm: Ssm, make_authorizer: MakeAuthorizer) -> None:
    ssm.expect(parameter_response(TOKEN, version=1, modified=NOW - 10))
    az = make_authorizer()
    assert_unauthorized(az, with_header(f"Bearer {OLD_TOKEN}"))


def test_a_deleted_previous_version_leaves_only_the_current_token_valid(
    ssm: Ssm, make_authorizer: MakeAuthorizer
) -> None:
    ssm.expect(parameter_response(TOKEN, version=5, modified=NOW - 60))
    ssm.expect_error("ParameterVersionNotFound", name=f"{PARAMETER}:4")
    az = make_authorizer()
    assert run(az, with_header(f"Bearer {TOKEN}"))["principalId"] == "scim-idp"
    assert_unauthorized(az, with_header(f"Bearer {OLD_TOKEN}"))


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InternalServerError", 500),
        ("AccessDeniedException", 400),
        ("ParameterNotFound", 400),
        ("Throttling", 400),
    ],
)
def test_ssm_failure_fails_closed_and_is_retried_on_the_next_request(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture, code: str, status: int
) -> None:
    az = make_authorizer()
    ssm.expect_error(code, status=status)
    assert_unauthorized(az, load_event("token-collection"))
    assert denial_reasons(caplog) == ["internal_error"]
    # The failure was not cached: the next request reads SSM again and succeeds.
    ssm.expect(parameter_response(TOKEN))
    assert run(az, load_event("token-collection"))["principalId"] == "scim-idp"


def test_failure_reading_the_previous_version_fails_closed(ssm: Ssm, make_authorizer: MakeAuthorizer) -> None:
    ssm.expect(parameter_response(TOKEN, version=2, modified=NOW - 60))
    ssm.expect_error("InternalServerError", name=f"{PARAMETER}:1", status=500)
    assert_unauthorized(make_authorizer(), with_header(f"Bearer {TOKEN}"))


def test_a_plaintext_parameter_is_refused(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture
) -> None:
    ssm.expect(parameter_response(TOKEN, type_="String"))
    assert_unauthorized(make_authorizer(), load_event("token-collection"))
    assert denial_reasons(caplog) == ["parameter_not_secure_string"]


def test_an_empty_parameter_value_accepts_nothing(ssm: Ssm, make_authorizer: MakeAuthorizer) -> None:
    ssm.expect(parameter_response(" "))
    assert_unauthorized(make_authorizer(), with_header("Bearer x"))


def test_logs_never_contain_the_token_or_the_header(
    ssm: Ssm, make_authorizer: MakeAuthorizer, caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    az = make_authorizer(cache_seconds=0)
    ssm.expect(parameter_response(TOKEN, version=2, modified=NOW - 60))
    ssm.expect(parameter_response(OLD_TOKEN, name=f"{PARAMETER}:1"), name=f"{PARAMETER}:1")
    run(az, with_header(f"Bearer {OLD_TOKEN}"))  # previous-token warning
    ssm.expect(parameter_response(TOKEN, version=2, modified=NOW - 60))
    ssm.expect(parameter_response(OLD_TOKEN, name=f"{PARAMETER}:1"), name=f"{PARAMETER}:1")
    assert_unauthorized(az, with_header(f"Bearer {TOKEN}x"))  # mismatch
    assert_unauthorized(az, with_header(f"Basic {TOKEN}"))  # wrong scheme
    ssm.expect_error("InternalServerError", status=500)
    assert_unauthorized(az, with_header(f"Bearer {TOKEN}"))  # SSM failure
    assert len(caplog.records) >= 4
    for record in caplog.records:
        dumped = " ".join([record.getMessage(), *(str(v) for v in vars(record).values())])
        for secret in (TOKEN, OLD_TOKEN, TOKEN[:16], OLD_TOKEN[:16]):
            assert secret not in dumped
        assert "Bearer" not in dumped
        assert "Basic" not in dumped


def test_bearer_pattern_given_to_api_gateway_matches_the_one_enforced_here() -> None:
    from components import api

    assert authorizer.BEARER_PATTERN.replace("(", "").replace(")", "") == api.TOKEN_VALIDATION_EXPRESSION
