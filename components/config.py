"""Stack configuration of connect-scim, validated once, before any resource exists.

A typo in ``instanceId`` or ``idpType`` would otherwise surface minutes into ``pulumi up`` (or,
worse, as users provisioned with the wrong mapping). :class:`ScimSettings` is built from the
plain ``connect-scim:*`` values Pulumi hands the program, so it is testable without the engine,
and it reports *every* bad key at once with the command that fixes it.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import ipaddress
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

NAMESPACE = "connect-scim"

IdpType = Literal["okta", "entra", "generic"]
DeactivationMode = Literal["disable", "delete"]

IDP_ALIASES: Mapping[str, IdpType] = {
    "okta": "okta",
    "entra": "entra",
    "azure": "entra",
    "generic": "generic",
}
DEACTIVATION_MODES: tuple[DeactivationMode, ...] = ("disable", "delete")

#: The values CloudWatch Logs accepts for ``retentionInDays`` (PutRetentionPolicy).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

API_TOKEN_LENGTH_RANGE = (32, 128)
#: Connect allows 1..10 security profiles per user.
MAX_SECURITY_PROFILES = 10
#: Connect's SecurityProfileName / routing profile Name limit.
MAX_PROFILE_NAME = 127
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
#: Lambda function names allow 64 characters of ``[A-Za-z0-9_-]``; the longest suffix we add is
#: ``-provisioning`` (13), so the prefix keeps at most 51.
_MAX_PREFIX = 51

DEFAULTS: Mapping[str, Any] = {
    "idpType": "okta",
    "defaultRoutingProfile": "Basic Routing Profile",
    "defaultSecurityProfiles": ["Agent"],
    "deactivation": "disable",
    "deactivatedSecurityProfile": "SCIM-Deactivated",
    "apiTokenLength": 48,
    "logRetentionDays": 30,
}
#: Every key of the contract (ARCHITECTURE.md "Stack config"); ``Pulumi.yaml`` declares the same set.
KEYS: tuple[str, ...] = (
    "instanceId",
    "idpType",
    "defaultRoutingProfile",
    "defaultSecurityProfiles",
    "assignableSecurityProfiles",
    "deactivation",
    "deactivatedSecurityProfile",
    "stageName",
    "apiTokenLength",
    "allowedSourceCidrs",
    "logRetentionDays",
)

T = TypeVar("T")


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{NAMESPACE}:{self.key}: {self.problem}. {self.fix}"


class ConfigError(ValueError):
    """One or more stack config values are unusable; the message lists each key and its fix."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid stack configuration ({len(self.problems)} problem(s)):\n{lines}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.problems)


def _set_cmd(key: str, example: str) -> str:
    return f"Run: pulumi config set {key} {example}"


def _set_list_cmd(key: str, example: str) -> str:
    return f"Run: pulumi config set --path '{key}[0]' {example} (one entry per index)"


@dataclass(frozen=True)
class ScimSettings:
    """The validated stack configuration. Build it with :meth:`from_mapping`.

    ``assignable_security_profiles`` is ``None`` when every profile may be assigned;
    ``allowed_source_cidrs`` is empty when the API is open to every source address (the bearer
    token is then the only gate).
    """

    stack: str
    instance_id: str
    idp_type: IdpType
    default_routing_profile: str
    default_security_profiles: tuple[str, ...]
    assignable_security_profiles: tuple[str, ...] | None
    deactivation: DeactivationMode
    deactivated_security_profile: str
    stage_name: str
    api_token_length: int
    allowed_source_cidrs: tuple[str, ...]
    log_retention_days: int

    @property
    def physical_prefix(self) -> str:
        """Prefix of names AWS shows (functions, log groups): ``connect-scim-<stack>``, Lambda-safe.

        Stack names may contain ``.`` and be 100 characters long; Lambda names may not. Long
        names are cut and suffixed with a short hash so two long stacks never collide.
        """
        stack = re.sub(r"[^A-Za-z0-9_-]", "-", self.stack)
        prefix = f"{NAMESPACE}-{stack}"
        if len(prefix) <= _MAX_PREFIX:
            return prefix
        digest = hashlib.sha256(self.stack.encode()).hexdigest()[:8]
        return f"{prefix[: _MAX_PREFIX - 9]}-{digest}"

    @property
    def token_parameter_name(self) -> str:
        """SSM parameter holding the bearer token; one per stack, readable by the authorizer only."""
        return f"/{NAMESPACE}/{self.stack}/api-token"

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, stack: str) -> ScimSettings:
        """Validate the ``connect-scim:*`` values (keys without the namespace).

        Values may be what Pulumi passes (strings, arrays as JSON text) or native Python values.
        Unknown keys are refused too: a misspelt ``idptype`` would otherwise silently fall back
        to the default IdP.
        """
        problems: list[ConfigProblem] = []
        for key in values:
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f"Did you mean {close[0]}? " if close else ""
                problems.append(
                    ConfigProblem(
                        key,
                        "is not a connect-scim setting",
                        f"{hint}Run: pulumi config rm {key} (valid keys: {', '.join(KEYS)})",
                    )
                )

        def field(key: str, parse: Callable[[Any], T], fallback: T) -> T:
            raw = values.get(key)
            if raw is None or raw == "":
                raw = DEFAULTS.get(key)
            try:
                return parse(raw)
            except _Invalid as bad:
                problems.append(ConfigProblem(key, bad.problem, bad.fix))
                return fallback

        no_names: tuple[str, ...] = ()
        okta: IdpType = "okta"
        disable: DeactivationMode = "disable"
        instance_id = field("instanceId", _instance_id, "")
        idp_type = field("idpType", _idp_type, okta)
        routing = field("defaultRoutingProfile", _profile_name("defaultRoutingProfile"), "")
        defaults = field("defaultSecurityProfiles", _profile_list("defaultSecurityProfiles", True), no_names)
        assignable_list = field(
            "assignableSecurityProfiles", _profile_list("assignableSecurityProfiles", False), no_names
        )
        deactivation = field("deactivation", _deactivation, disable)
        deactivated = field("deactivatedSecurityProfile", _profile_name("deactivatedSecurityProfile"), "")
        stage_name = field("stageName", _stage_name(stack), stack)
        token_length = field("apiTokenLength", _token_length, 0)
        cidrs = field("allowedSourceCidrs", _cidrs, no_names)
        retention = field("logRetentionDays", _retention, 0)

        assignable = assignable_list or None
        if assignable is not None and defaults:
            outside = [name for name in defaults if name not in assignable]
            if outside:
                problems.append(
                    ConfigProblem(
                        "defaultSecurityProfiles",
                        f"names {', '.join(outside)}, which assignableSecurityProfiles does not allow "
                        "(users created without profiles would be refused)",
                        "Add them to assignableSecurityProfiles or change the defaults",
                    )
                )
        if deactivated and deactivated in defaults:
            problems.append(
                ConfigProblem(
                    "defaultSecurityProfiles",
                    f"contains the deactivation profile {deactivated!r}: new users would start without "
                    "any permission",
                    _set_list_cmd("defaultSecurityProfiles", "Agent"),
                )
            )
        if problems:
            raise ConfigError(problems)
        return cls(
            stack=stack,
            instance_id=instance_id,
            idp_type=idp_type,
            default_routing_profile=routing,
            default_security_profiles=defaults,
            assignable_security_profiles=assignable,
            deactivation=deactivation,
            deactivated_security_profile=deactivated,
            stage_name=stage_name,
            api_token_length=token_length,
            allowed_source_cidrs=cidrs,
            log_retention_days=retention,
        )


class _Invalid(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return None
    return raw.strip()


def _instance_id(raw: Any) -> str:
    fix = (
        _set_cmd("instanceId", "<uuid>")
        + " (the last part of the instance ARN: Connect console > Instances > instance > Overview)"
    )
    value = _text(raw)
    if raw is None or value == "":
        raise _Invalid("is required", fix)
    if value is None:
        raise _Invalid(f"must be a string, not {type(raw).__name__}", fix)
    if value.startswith("arn:"):
        raise _Invalid("is an ARN; only the instance ID (a UUID) is expected", fix)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise _Invalid(f"{value!r} is not a UUID", fix) from None
    if str(parsed) != value.lower():
        raise _Invalid(f"{value!r} is not a UUID in its 8-4-4-4-12 form", fix)
    return str(parsed)


def _idp_type(raw: Any) -> IdpType:
    value = (_text(raw) or "").lower()
    if value not in IDP_ALIASES:
        raise _Invalid(
            f"{raw!r} is not a known identity provider (okta, entra, azure = entra, generic)",
            _set_cmd("idpType", "okta"),
        )
    return IDP_ALIASES[value]


def _deactivation(raw: Any) -> DeactivationMode:
    value = (_text(raw) or "").lower()
    if value == "disable":
        return "disable"
    if value == "delete":
        return "delete"
    raise _Invalid(
        f"{raw!r} is neither 'disable' (reversible: swap to the no-permission profile) nor 'delete' "
        "(active=false deletes the Connect user)",
        _set_cmd("deactivation", "disable"),
    )


def _profile_name(key: str) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = _text(raw)
        if not value:
            raise _Invalid("must be a non-empty profile name", _set_cmd(key, "'<profile name>'"))
        if len(value) > MAX_PROFILE_NAME:
            raise _Invalid(
                f"is {len(value)} characters; Connect allows {MAX_PROFILE_NAME}",
                _set_cmd(key, "'<shorter name>'"),
            )
        return value

    return parse


def _json_list(key: str, raw: Any) -> list[Any]:
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return []
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            raise _Invalid(
                f'{text!r} is not a list; lists are JSON arrays such as ["Agent"]',
                _set_list_cmd(key, "Agent"),
            ) from None
    if isinstance(raw, tuple):
        raw = list(raw)
    if not isinstance(raw, list):
        raise _Invalid(f"must be a list, not {type(raw).__name__}", _set_list_cmd(key, "Agent"))
    return raw


def _profile_list(key: str, required: bool) -> Callable[[Any], tuple[str, ...]]:
    def parse(raw: Any) -> tuple[str, ...]:
        items = [] if raw is None else _json_list(key, raw)
        names: list[str] = []
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise _Invalid(
                    f"entry {index} is {item!r}; every entry must be a non-empty profile name",
                    _set_list_cmd(key, "Agent"),
                )
            name = item.strip()
            if len(name) > MAX_PROFILE_NAME:
                raise _Invalid(
                    f"entry {index} is {len(name)} characters; Connect allows {MAX_PROFILE_NAME}",
                    _set_list_cmd(key, "Agent"),
                )
            if name in names:
                raise _Invalid(f"names {name!r} twice", _set_list_cmd(key, "Agent"))
            names.append(name)
        if required and not names:
            raise _Invalid("must name at least one security profile", _set_list_cmd(key, "Agent"))
        if required and len(names) > MAX_SECURITY_PROFILES:
            raise _Invalid(
                f"names {len(names)} profiles; Connect allows {MAX_SECURITY_PROFILES} per user",
                _set_list_cmd(key, "Agent"),
            )
        return tuple(names)

    return parse


def _integer(key: str, raw: Any, example: str) -> int:
    if isinstance(raw, bool):
        raise _Invalid(f"must be a whole number, not {raw!r}", _set_cmd(key, example))
    if isinstance(raw, int):
        return raw
    value = _text(raw)
    if value is None or not re.fullmatch(r"[0-9]+", value):
        raise _Invalid(f"must be a whole number, not {raw!r}", _set_cmd(key, example))
    return int(value)


def _token_length(raw: Any) -> int:
    low, high = API_TOKEN_LENGTH_RANGE
    value = _integer("apiTokenLength", raw, "48")
    if not low <= value <= high:
        raise _Invalid(f"is {value}; it must be between {low} and {high}", _set_cmd("apiTokenLength", "48"))
    return value


def _retention(raw: Any) -> int:
    value = _integer("logRetentionDays", raw, "30")
    if value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise _Invalid(
            f"is {value}, which CloudWatch Logs does not accept (allowed: {allowed})",
            _set_cmd("logRetentionDays", "30"),
        )
    return value


def _stage_name(stack: str) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = stack if raw is None else _text(raw)
        if value is None or not _STAGE_NAME.fullmatch(value):
            shown = value if raw is None else raw
            origin = " (taken from the stack name)" if raw is None else ""
            raise _Invalid(
                f"{shown!r}{origin} is not a valid API Gateway stage name (1-128 of A-Z a-z 0-9 _ -)",
                _set_cmd("stageName", "prod"),
            )
        return value

    return parse


def _cidrs(raw: Any) -> tuple[str, ...]:
    items = [] if raw is None else _json_list("allowedSourceCidrs", raw)
    cidrs: list[str] = []
    fix = "Run: pulumi config set --path 'allowedSourceCidrs[0]' 203.0.113.0/24"
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(
                f"entry {index} is {item!r}; every entry must be a CIDR such as 203.0.113.0/24", fix
            )
        text = item.strip()
        if "/" not in text:
            raise _Invalid(
                f"entry {index} ({text!r}) has no prefix length; write {text}/32 for one address", fix
            )
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            hint = ""
            with contextlib.suppress(ValueError):
                hint = f"; did you mean {ipaddress.ip_network(text, strict=False)}?"
            raise _Invalid(f"entry {index} ({text!r}) is not a valid CIDR ({exc}){hint}", fix) from None
        cidrs.append(str(network))
    return tuple(dict.fromkeys(cidrs))
