"""API Gateway TOKEN authorizer: the bearer token must equal the SSM SecureString (or its previous version).

Why it is shaped this way:

* **Fails closed.** Every path that is not a verified match ends in ``Exception("Unauthorized")``,
  which API Gateway turns into 401. Any other exception (SSM down, bad configuration) would become
  a 500 and make IdPs hammer the API, so internal failures are caught and denied too.
* **Rotation without an outage.** An admin writes a new value to the parameter; for
  ``TOKEN_ROTATION_GRACE_SECONDS`` after that write the previous version (``GetParameter`` on
  ``name:<version-1>``, still only ``ssm:GetParameter``) stays valid, so the IdP can be switched
  over at leisure. After the grace period only the new token works. The new token works within
  seconds, not after the cache expires: a token matching nothing re-reads the parameter before it
  is refused, at most every ``MISS_REFRESH_SECONDS`` (so wrong tokens cannot hammer SSM).
* **Cheap.** API Gateway caches the allow policy per token (the policy covers the whole stage, so
  one cached answer serves every route) and this module caches the parameter for
  ``TOKEN_CACHE_SECONDS``, so SSM sees a handful of calls per hour.
* **Silent about secrets.** Denials are logged with a reason category only; the token, the header
  and the parameter value are never logged or put into an exception message.

Stdlib + boto3 only: it ships verbatim in the Lambda archive.
"""

from __future__ import annotations

import enum
import functools
import hmac
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import boto3
from botocore.config import Config

UNAUTHORIZED: Final = "Unauthorized"
#: Not a secret and not per-caller: there is one client (the IdP) and one shared token.
PRINCIPAL_ID: Final = "scim-idp"
DEFAULT_CACHE_SECONDS: Final = 60
DEFAULT_GRACE_SECONDS: Final = 86_400
#: A token matching nothing re-reads the parameter early (a rotation may have written it since the
#: cache was filled), at most this often per execution environment.
MISS_REFRESH_SECONDS: Final = 5
#: RFC 6750 §2.1: ``"Bearer" 1*SP b64token``; the scheme is case-insensitive (RFC 7235 §2.1).
#: ``components/api.py`` gives API Gateway the same expression so malformed headers never
#: reach this function (a test keeps the two equal).
BEARER_PATTERN: Final = r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*)$"
_BEARER: Final = re.compile(BEARER_PATTERN)
#: Longest header we even look at; the generated token is 32..128 characters.
MAX_HEADER_CHARS: Final = 1024
_API_ID: Final = re.compile(r"^[A-Za-z0-9]+$")
_STAGE: Final = re.compile(r"^[A-Za-z0-9_-]+$")

_log = logging.getLogger("connect_scim.authorizer")


class SsmClient(Protocol):
    """The one SSM call this module makes (a boto3 client satisfies it)."""

    def get_parameter(self, **kwargs: Any) -> Mapping[str, Any]: ...


class Verdict(enum.Enum):
    CURRENT = "current"
    PREVIOUS = "previous"
    NONE = "none"


class Denied(Exception):
    """An authorization failure with a reason category that is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AuthorizerConfigError(ValueError):
    """An environment variable is missing or malformed; the message names it (never a value)."""


@dataclass(frozen=True)
class AuthorizerConfig:
    parameter_name: str
    cache_seconds: int = DEFAULT_CACHE_SECONDS
    grace_seconds: int = DEFAULT_GRACE_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AuthorizerConfig:
        name = environ.get("TOKEN_PARAMETER_NAME", "").strip()
        if not name:
            raise AuthorizerConfigError("TOKEN_PARAMETER_NAME is not set")
        return cls(
            parameter_name=name,
            cache_seconds=_seconds(environ, "TOKEN_CACHE_SECONDS", DEFAULT_CACHE_SECONDS),
            grace_seconds=_seconds(environ, "TOKEN_ROTATION_GRACE_SECONDS", DEFAULT_GRACE_SECONDS),
        )


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise AuthorizerConfigError(f"{name} must be a whole number of seconds")
    return int(raw)


@dataclass(frozen=True)
class _Snapshot:
    current: bytes
    previous: bytes | None
    previous_valid_until: float
    fetched_at: float


class TokenStore:
    """The accepted token(s), read from SSM and kept for ``cache_seconds``.

    The grace deadline of the previous version is kept as a point in time, so a cached snapshot
    never stretches the grace period: the old token stops working at ``LastModifiedDate + grace``
    whatever the cache holds.
    """

    def __init__(
        self,
        client: SsmClient,
        config: AuthorizerConfig,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._config = config
        self._clock = clock
        self._snapshot: _Snapshot | None = None
        self._early_refresh_at = float("-inf")

    def verdict(self, presented: str) -> Verdict:
        snapshot = self._current_snapshot()
        verdict = self._match(snapshot, presented)
        now = self._clock()
        if (
            verdict is Verdict.NONE
            and now >= max(snapshot.fetched_at, self._early_refresh_at) + MISS_REFRESH_SECONDS
        ):
            # A token written since the snapshot was cached (the new one of a rotation) would
            # otherwise be refused until the cache expires: read SSM again now. At most once
            # every MISS_REFRESH_SECONDS, so wrong tokens cannot make this hammer SSM.
            self._early_refresh_at = now
            self._snapshot = snapshot = self._fetch(now)
            verdict = self._match(snapshot, presented)
        return verdict

    def _match(self, snapshot: _Snapshot, presented: str) -> Verdict:
        now = self._clock()
        token = presented.encode("ascii")
        # compare_digest against every candidate, no short-circuit: timing says nothing.
        matches_current = hmac.compare_digest(token, snapshot.current)
        matches_previous = False
        if snapshot.previous is not None and now < snapshot.previous_valid_until:
            matches_previous = hmac.compare_digest(token, snapshot.previous)
        if matches_current:
            return Verdict.CURRENT
        if matches_previous:
            return Verdict.PREVIOUS
        return Verdict.NONE

    def _current_snapshot(self) -> _Snapshot:
        now = self._clock()
        cached = self._snapshot
        if cached is not None and cached.fetched_at <= now < cached.fetched_at + self._config.cache_seconds:
            return cached
        self._snapshot = self._fetch(now)
        return self._snapshot

    def _fetch(self, now: float) -> _Snapshot:
        name = self._config.parameter_name
        parameter = self._get(name)
        if parameter.get("Type") != "SecureString":
            # A plaintext copy of the token is a leak waiting to happen; refuse it loudly.
            raise Denied("parameter_not_secure_string")
        current = _value(parameter)
        version = parameter.get("Version")
        modified = parameter.get("LastModifiedDate")
        previous: bytes | None = None
        valid_until = 0.0
        if isinstance(version, int) and version > 1 and modified is not None:
            valid_until = modified.timestamp() + self._config.grace_seconds
            if now < valid_until:
                previous = self._previous(f"{name}:{version - 1}")
        return _Snapshot(current=current, previous=previous, previous_valid_until=valid_until, fetched_at=now)

    def _previous(self, versioned_name: str) -> bytes | None:
        try:
            return _value(self._get(versioned_name))
        except Exception as exc:
            # Only "that version is gone" means "no previous token"; any other failure is a
            # failed refresh (denied now, retried on the next request, nothing cached).
            if _error_code(exc) == "ParameterVersionNotFound":
                _log.warning(
                    "previous token version unavailable",
                    extra={"event": "authorizer.previous_version_missing"},
                )
                return None
            raise

    def _get(self, name: str) -> Mapping[str, Any]:
        response = self._client.get_parameter(Name=name, WithDecryption=True)
        parameter = response.get("Parameter")
        if not isinstance(parameter, Mapping):
            raise Denied("parameter_unreadable")
        return parameter


def _value(parameter: Mapping[str, Any]) -> bytes:
    value = parameter.get("Value")
    if not isinstance(value, str) or not value.strip() or not value.isascii():
        raise Denied("parameter_value_invalid")
    return value.encode("ascii")


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error")
        if isinstance(error, Mapping):
            code = error.get("Code")
            return code if isinstance(code, str) else None
    return None


def bearer_token(header: object) -> str:
    """The token of an ``Authorization: Bearer <token>`` value, or :class:`Denied`."""
    if not isinstance(header, str) or not header.strip():
        raise Denied("missing_token")
    if len(header) > MAX_HEADER_CHARS:
        raise Denied("malformed_header")
    match = _BEARER.fullmatch(header)
    if match is None:
        scheme = header.split(maxsplit=1)[0]
        raise Denied("malformed_header" if scheme.lower() == "bearer" else "wrong_scheme")
    return match.group(1)


def stage_resource(method_arn: object) -> str:
    """``arn:...:execute-api:<region>:<account>:<api>/<stage>/*`` from the invoked method's ARN.

    The policy covers every method of the stage because API Gateway caches it per token and
    reuses it for the next requests, whatever route they hit.
    """
    if not isinstance(method_arn, str):
        raise Denied("malformed_method_arn")
    parts = method_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api" or not all(parts[1:5]):
        raise Denied("malformed_method_arn")
    path = parts[5].split("/")
    if len(path) < 2 or not _API_ID.fullmatch(path[0]) or not _STAGE.fullmatch(path[1]):
        raise Denied("malformed_method_arn")
    return f"{':'.join(parts[:5])}:{path[0]}/{path[1]}/*"


def allow_policy(resource: str) -> dict[str, Any]:
    return {
        "principalId": PRINCIPAL_ID,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
    }


class Authorizer:
    """Decides one TOKEN authorizer event; raises :class:`Denied` unless the token matches."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store

    def decide(self, event: object) -> dict[str, Any]:
        if not isinstance(event, Mapping) or event.get("type") != "TOKEN":
            raise Denied("malformed_event")
        token = bearer_token(event.get("authorizationToken"))
        resource = stage_resource(event.get("methodArn"))
        verdict = self._store.verdict(token)
        if verdict is Verdict.NONE:
            raise Denied("token_mismatch")
        if verdict is Verdict.PREVIOUS:
            _log.warning(
                "request authorized with the previous token version; switch the IdP to the new token "
                "before the rotation grace period ends",
                extra={"event": "authorizer.previous_token_used"},
            )
        return allow_policy(resource)


def ssm_client() -> SsmClient:
    """SSM client whose worst case (2 attempts, 0.5 s connect, 1 s read, backoff) fits twice in the
    function timeout, so a slow SSM ends in a clean 401, not a Lambda timeout (a 5xx)."""
    # total_max_attempts counts the first try; botocore's "max_attempts" would count retries only.
    config = Config(
        connect_timeout=0.5, read_timeout=1.0, retries={"mode": "standard", "total_max_attempts": 2}
    )
    client: SsmClient = boto3.client("ssm", config=config)
    return client


@functools.cache
def _default_authorizer() -> Authorizer:
    """Built on first use and kept for the execution environment (config errors are not cached)."""
    config = AuthorizerConfig.from_env(os.environ)
    return Authorizer(TokenStore(ssm_client(), config))


def _log_denial(reason: str, error: str | None = None) -> None:
    extra: dict[str, str] = {"event": "authorizer.denied", "reason": reason}
    if error is not None:
        extra["error"] = error
    _log.warning("authorization denied: %s", reason, extra=extra)


def authorize(event: object, decide: Callable[[object], dict[str, Any]]) -> dict[str, Any]:
    """Run ``decide`` and turn every failure into the one error API Gateway reads as 401."""
    try:
        return decide(event)
    except Denied as denied:
        _log_denial(denied.reason)
    except AuthorizerConfigError:
        _log_denial("configuration_error")
    except Exception as exc:
        # Only the class name: botocore messages can echo request parameters.
        _log_denial("internal_error", error=type(exc).__name__)
    raise Exception(UNAUTHORIZED)


def handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (``runtime.handlers.authorizer.handler``)."""

    def decide(evt: object) -> dict[str, Any]:
        return _default_authorizer().decide(evt)

    return authorize(event, decide)
