"""The TOKEN authorizer, attacked and rotated end to end through its Lambda entry point.

``tests/authorizer`` proves the authorizer's rules one by one against botocore's Stubber; here the
real ``handler`` runs (configuration from the environment, its own cached ``Authorizer``) over a
small in-memory SSM that keeps parameter versions and ``LastModifiedDate`` the way SSM does, with a
clock the test moves:

* every candidate token (current, and previous during the grace period) is compared with
  ``hmac.compare_digest`` — no short-circuit, no ``==`` — and so is the local server's check;
* any failure (SSM unreachable, throttled, denied, a malformed answer, a plaintext parameter, a
  malformed event) ends in the one ``Unauthorized`` error API Gateway turns into 401, with no
  chained exception to leak into the Lambda error log;
* missing, malformed, wrong and old-after-grace tokens are all 401;
* rotation: a new token works at once, the old one keeps working for the grace period and stops
  right after it; a second rotation retires a leaked token; wrong tokens cannot make the
  authorizer hammer SSM.
"""

from __future__ import annotations

import ast
import functools
import hmac
import inspect
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from local import server as local_server
from runtime.handlers import authorizer

PARAMETER = "/connect-scim/test/api-token"
METHOD_ARN = "arn:aws:execute-api:eu-central-1:123456789012:a1b2c3d4e5/prod/GET/scim/v2/Users"
T1 = "FirstTokenValue0123456789abcdefghijklmnopqrstuv"
T2 = "SecondTokenValue0123456789abcdefghijklmnopqrstu"
T3 = "ThirdTokenValue0123456789abcdefghijklmnopqrstuv"
GRACE = 3600
CACHE = 60


class Clock:
    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSsm:
    """GetParameter over versioned parameters, answering like SSM (errors as botocore ClientErrors)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.versions: list[tuple[str, float]] = []
        self.type = "SecureString"
        self.calls: list[str] = []
        self.failure: BaseException | None = None
        self.answer: Callable[[str], Any] | None = None

    def put(self, value: str) -> None:
        self.versions.append((value, self.clock()))

    def get_parameter(self, **kwargs: Any) -> dict[str, Any]:
        name = kwargs["Name"]
        self.calls.append(name)
        assert kwargs.get("WithDecryption") is True, "the SecureString must be read decrypted"
        if self.failure is not None:
            raise self.failure
        if self.answer is not None:
            answer: dict[str, Any] = self.answer(name)
            return answer
        base, _, version_text = name.partition(":")
        if base != PARAMETER or not self.versions:
            raise _client_error("ParameterNotFound")
        version = int(version_text) if version_text else len(self.versions)
        if not 1 <= version <= len(self.versions):
            raise _client_error("ParameterVersionNotFound")
        value, modified = self.versions[version - 1]
        return {
            "Parameter": {
                "Name": base,
                "Type": self.type,
                "Value": value,
                "Version": version,
                "LastModifiedDate": datetime.fromtimestamp(modified, tz=UTC),
                "ARN": f"arn:aws:ssm:eu-central-1:123456789012:parameter{base}",
                "DataType": "text",
            }
        }


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} (fake)"}}, "GetParameter")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ssm(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSsm]:
    fake = FakeSsm(clock)
    monkeypatch.setenv("TOKEN_PARAMETER_NAME", PARAMETER)
    monkeypatch.setenv("TOKEN_CACHE_SECONDS", str(CACHE))
    monkeypatch.setenv("TOKEN_ROTATION_GRACE_SECONDS", str(GRACE))
    monkeypatch.setattr(authorizer, "ssm_client", lambda: fake)
    # The entry point builds its TokenStore itself; give it the test's clock.
    monkeypatch.setattr(authorizer, "TokenStore", functools.partial(authorizer.TokenStore, clock=clock))
    authorizer._default_authorizer.cache_clear()
    yield fake
    authorizer._default_authorizer.cache_clear()


def event(header: Any = None, *, method_arn: Any = METHOD_ARN) -> dict[str, Any]:
    built: dict[str, Any] = {"type": "TOKEN", "methodArn": method_arn}
    if header is not None:
        built["authorizationToken"] = header
    return built


def allowed(evt: Any) -> bool:
    """True for an Allow policy; False for the exact 401 error; anything else fails the test."""
    try:
        policy = authorizer.handler(evt, None)
    except Exception as exc:
        assert type(exc) is Exception and str(exc) == "Unauthorized", repr(exc)
        assert exc.__cause__ is None and exc.__context__ is None
        return False
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    return True


def bearer(token: str) -> dict[str, Any]:
    return event(f"Bearer {token}")


# ---- constant-time comparison ---------------------------------------------------------------


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    return calls


def test_every_candidate_token_goes_through_compare_digest_without_short_circuit(
    ssm: FakeSsm, clock: Clock, compared: list[tuple[bytes, bytes]]
) -> None:
    ssm.put(T1)
    clock.advance(10)
    ssm.put(T2)  # T1 is now the previous version, inside the grace period
    assert allowed(bearer(T2))
    # The current token matched first, and the previous one was still compared.
    assert sorted(b for _, b in compared) == sorted([T1.encode(), T2.encode()])
    assert all(a == T2.encode() for a, _ in compared)
    compared.clear()
    assert not allowed(bearer("W" * 47))
    assert len(compared) == 2
    compared.clear()
    clock.advance(GRACE + 1)
    assert not allowed(bearer(T1))  # after the grace period the old token is no candidate at all
    assert T1.encode() not in [b for _, b in compared]


def test_the_token_comparisons_contain_no_plain_equality() -> None:
    sources = [
        inspect.getsource(authorizer.TokenStore.verdict),
        inspect.getsource(authorizer.TokenStore._match),
    ]
    for source in sources:
        tree = ast.parse(textwrap.dedent(source))
        equalities = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
        ]
        assert equalities == [], "compare tokens with hmac.compare_digest only"
    assert sources[1].count("hmac.compare_digest(") == 2  # one per candidate


def test_the_local_server_compares_the_token_in_constant_time_too(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    assert local_server.bearer_matches(f"Bearer {T1}", T1)
    assert not local_server.bearer_matches(f"Bearer {T2}", T1)
    assert len(calls) == 2


# ---- fail closed ------------------------------------------------------------------------------


FAILURES: dict[str, BaseException] = {
    "endpoint unreachable": EndpointConnectionError(endpoint_url="https://ssm.eu-central-1.amazonaws.com"),
    "connect timeout": ConnectTimeoutError(endpoint_url="https://ssm.eu-central-1.amazonaws.com"),
    "read timeout": ReadTimeoutError(endpoint_url="https://ssm.eu-central-1.amazonaws.com"),
    "no credentials": NoCredentialsError(),
    "throttled": _client_error("ThrottlingException"),
    "access denied": _client_error("AccessDeniedException"),
    "kms key unusable": _client_error("KMSAccessDeniedException"),
    "parameter missing": _client_error("ParameterNotFound"),
    "internal error": _client_error("InternalServerError"),
    "bug": KeyError("Parameter"),
    "anything": RuntimeError("boom"),
}
ANSWERS: dict[str, Callable[[str], Any]] = {
    "no Parameter": lambda name: {},
    "Parameter not an object": lambda name: {"Parameter": "x"},
    "no Value": lambda name: {"Parameter": {"Type": "SecureString", "Version": 1}},
    "Value not a string": lambda name: {"Parameter": {"Type": "SecureString", "Value": 42, "Version": 1}},
    "blank Value": lambda name: {"Parameter": {"Type": "SecureString", "Value": "  ", "Version": 1}},
    "non-ASCII Value": lambda name: {"Parameter": {"Type": "SecureString", "Value": "tökén", "Version": 1}},
    "plaintext String": lambda name: {"Parameter": {"Type": "String", "Value": T1, "Version": 1}},
    "StringList": lambda name: {"Parameter": {"Type": "StringList", "Value": T1, "Version": 1}},
    "date not a date": lambda name: {
        "Parameter": {"Type": "SecureString", "Value": T1, "Version": 2, "LastModifiedDate": "yesterday"}
    },
}


@pytest.mark.parametrize("failure", list(FAILURES), ids=list(FAILURES))
def test_any_ssm_failure_is_a_401_never_an_error(ssm: FakeSsm, failure: str) -> None:
    ssm.put(T1)
    ssm.failure = FAILURES[failure]
    assert not allowed(bearer(T1))


@pytest.mark.parametrize("answer", list(ANSWERS), ids=list(ANSWERS))
def test_any_malformed_ssm_answer_is_a_401_never_an_error(ssm: FakeSsm, answer: str) -> None:
    ssm.answer = ANSWERS[answer]
    assert not allowed(bearer(T1))


@pytest.mark.parametrize(
    "evt",
    [
        None,
        "Bearer x",
        [],
        {},
        {"type": "REQUEST", "authorizationToken": f"Bearer {T1}", "methodArn": METHOD_ARN},
        event(f"Bearer {T1}", method_arn=None),
        event(f"Bearer {T1}", method_arn="arn:aws:lambda:eu-central-1:1:function:x"),
        event(f"Bearer {T1}", method_arn="arn:aws:execute-api:eu-central-1:1:api/*/GET/"),
        event(f"Bearer {T1}", method_arn=12),
    ],
    ids=[
        "none",
        "string",
        "list",
        "empty",
        "request-type",
        "no-arn",
        "lambda-arn",
        "wildcard-stage",
        "arn-int",
    ],
)
def test_malformed_events_are_401(ssm: FakeSsm, evt: Any) -> None:
    ssm.put(T1)
    assert not allowed(evt)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "Bearer",
        "Bearer ",
        f"Basic {T1}",
        f"Token {T1}",
        f"{T1}",
        f"Bearer {T1} extra",
        f"Bearer\t{T1}",
        f"Bearer {T1}\n",
        f"Bearer {T1[:-1]}",
        f"Bearer {T1}x",
        f"Bearer {T1.lower()}",
        "Bearer " + "A" * 2000,
        f"Bearer {T1}é",
        12345,
    ],
    ids=lambda h: repr(h)[:24],
)
def test_missing_malformed_and_wrong_tokens_are_401(ssm: FakeSsm, header: Any) -> None:
    ssm.put(T1)
    assert not allowed(event(header))
    assert allowed(bearer(T1))  # and the right one still works afterwards


# ---- rotation end to end ---------------------------------------------------------------------


def test_rotation_new_token_at_once_old_token_for_the_grace_period_then_never(
    ssm: FakeSsm, clock: Clock
) -> None:
    ssm.put(T1)
    assert allowed(bearer(T1)) and not allowed(bearer(T2))
    clock.advance(30)  # well inside the 60 s cache of the authorizer
    ssm.put(T2)  # rotation: pulumi writes version 2
    clock.advance(5)
    assert allowed(bearer(T2)), "the new token must work as soon as it is written"
    assert allowed(bearer(T1)), "the old token keeps working during the grace period"
    clock.advance(GRACE - 10)
    assert allowed(bearer(T1)) and allowed(bearer(T2))
    clock.advance(10)  # the grace period is over (even if the parameter is cached)
    assert not allowed(bearer(T1))
    assert allowed(bearer(T2))
    clock.advance(CACHE + 1)
    assert not allowed(bearer(T1)) and allowed(bearer(T2))


def test_rotating_twice_retires_a_leaked_token_at_once(ssm: FakeSsm, clock: Clock) -> None:
    ssm.put(T1)
    assert allowed(bearer(T1))
    clock.advance(100)
    ssm.put(T2)
    clock.advance(1)
    ssm.put(T3)  # T1 leaked: rotate twice, so it is no longer even the previous version
    clock.advance(5)
    assert allowed(bearer(T3))
    assert not allowed(bearer(T1))
    assert allowed(bearer(T2))  # the previous version, inside its grace period


def test_wrong_tokens_cannot_make_the_authorizer_hammer_ssm(ssm: FakeSsm, clock: Clock) -> None:
    ssm.put(T1)
    assert allowed(bearer(T1))
    reads = len(ssm.calls)
    for second in range(30):
        for attempt in range(20):
            assert not allowed(bearer(f"Wrong{second:03d}{attempt:03d}" + "x" * 30))
        clock.advance(1)
    # 600 wrong tokens in 30 s: at most one early refresh every 5 s, plus the regular cache refresh.
    assert len(ssm.calls) - reads <= 30 // 5 + 1
    assert allowed(bearer(T1))
