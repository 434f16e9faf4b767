"""Runtime settings read from the Lambda environment (set by the Pulumi program) or the local server.

Every value is validated once, at cold start, with an error that names the variable: a typo in
``IDP_TYPE`` or ``DEFAULT_SECURITY_PROFILES`` must fail the deployment's first request loudly
rather than provision users with the wrong profiles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

IdpType = Literal["okta", "entra", "generic"]
DeactivationMode = Literal["disable", "delete"]

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_IDP_ALIASES: dict[str, IdpType] = {"okta": "okta", "entra": "entra", "azure": "entra", "generic": "generic"}


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """What the Users service and the Connect client need to know about the deployment.

    ``assignable_security_profiles`` is ``None`` when every profile may be assigned (the
    variable absent or an empty list). Timeouts and attempts bound one Connect call so that a
    whole SCIM operation fits in API Gateway's 29 s integration timeout.
    """

    instance_id: str | None = None
    idp: IdpType = "okta"
    default_routing_profile: str = "Basic Routing Profile"
    default_security_profiles: tuple[str, ...] = ("Agent",)
    assignable_security_profiles: frozenset[str] | None = None
    deactivation: DeactivationMode = "disable"
    deactivated_security_profile: str = "SCIM-Deactivated"
    scim_base_path: str = "/scim/v2"
    log_level: str = "INFO"
    region: str | None = None
    connect_endpoint_url: str | None = None
    connect_max_attempts: int = 3
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    connect_rate_limit: float = 2.0
    """Connect requests/s this process paces itself to (``runtime.connect.pacing``); 0 = off."""
    connect_burst: int = 5
    """The account's burst; the pacer keeps one token of it spare for network jitter."""

    def __post_init__(self) -> None:
        if self.idp not in ("okta", "entra", "generic"):
            raise SettingsError(f"IDP_TYPE must be okta, entra (alias azure) or generic, not {self.idp!r}")
        if self.deactivation not in ("disable", "delete"):
            raise SettingsError(f"DEACTIVATION must be 'disable' or 'delete', not {self.deactivation!r}")
        if not self.default_routing_profile.strip():
            raise SettingsError("DEFAULT_ROUTING_PROFILE must name a routing profile")
        if not self.default_security_profiles:
            raise SettingsError("DEFAULT_SECURITY_PROFILES must name at least one security profile")
        if len(self.default_security_profiles) > 10:
            raise SettingsError("DEFAULT_SECURITY_PROFILES may name at most 10 profiles (Connect's limit)")
        if not self.deactivated_security_profile.strip():
            raise SettingsError("DEACTIVATED_SECURITY_PROFILE must name a security profile")
        if self.deactivated_security_profile in self.default_security_profiles:
            raise SettingsError("DEFAULT_SECURITY_PROFILES must not contain DEACTIVATED_SECURITY_PROFILE")
        if self.log_level not in _LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {self.log_level!r}")
        if not 1 <= self.connect_max_attempts <= 10:
            raise SettingsError("CONNECT_MAX_ATTEMPTS must be between 1 and 10")
        if not 0 <= self.connect_rate_limit <= 10_000:
            raise SettingsError("CONNECT_RATE_LIMIT must be between 0 (pacing off) and 10000 requests/s")
        if not 1 <= self.connect_burst <= 10_000:
            raise SettingsError("CONNECT_BURST must be between 1 and 10000")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read the variables the infrastructure sets; absent ones take the documented defaults."""

        def text(name: str, default: str) -> str:
            value = environ.get(name, "").strip()
            return value or default

        def optional(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        idp_raw = text("IDP_TYPE", "okta").lower()
        if idp_raw not in _IDP_ALIASES:
            raise SettingsError(f"IDP_TYPE must be okta, entra (alias azure) or generic, not {idp_raw!r}")
        deactivation = text("DEACTIVATION", "disable").lower()
        if deactivation not in ("disable", "delete"):
            raise SettingsError(f"DEACTIVATION must be 'disable' or 'delete', not {deactivation!r}")
        defaults = _name_list(environ, "DEFAULT_SECURITY_PROFILES") or ("Agent",)
        assignable = _name_list(environ, "ASSIGNABLE_SECURITY_PROFILES")
        return cls(
            instance_id=optional("CONNECT_INSTANCE_ID"),
            idp=_IDP_ALIASES[idp_raw],
            default_routing_profile=text("DEFAULT_ROUTING_PROFILE", "Basic Routing Profile"),
            default_security_profiles=defaults,
            assignable_security_profiles=frozenset(assignable) if assignable else None,
            deactivation="delete" if deactivation == "delete" else "disable",
            deactivated_security_profile=text("DEACTIVATED_SECURITY_PROFILE", "SCIM-Deactivated"),
            scim_base_path=text("SCIM_BASE_PATH", "/scim/v2"),
            log_level=text("LOG_LEVEL", "INFO").upper(),
            region=optional("AWS_REGION") or optional("AWS_DEFAULT_REGION"),
            connect_endpoint_url=optional("CONNECT_ENDPOINT_URL"),
            connect_max_attempts=_int(environ, "CONNECT_MAX_ATTEMPTS", 3),
            connect_timeout=_float(environ, "CONNECT_TIMEOUT_SECONDS", 2.0),
            read_timeout=_float(environ, "CONNECT_READ_TIMEOUT_SECONDS", 5.0),
            connect_rate_limit=_rate(environ, "CONNECT_RATE_LIMIT", 2.0),
            connect_burst=_int(environ, "CONNECT_BURST", 5),
        )


def _name_list(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A JSON array of non-empty names; a bare comma-separated list is accepted for hand-set env vars."""
    raw = environ.get(name, "").strip()
    if not raw:
        return ()
    if raw.startswith("["):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{name} must be a JSON array of names: {exc.msg}") from None
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            raise SettingsError(f"{name} must be a JSON array of strings")
        items = [item.strip() for item in parsed]
    else:
        items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise SettingsError(f"{name} contains an empty name")
    return tuple(dict.fromkeys(items))


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive")
    return value


def _rate(environ: Mapping[str, str], name: str, default: float) -> float:
    """Requests per second; 0 is allowed and means "off"."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of requests per second, not {raw!r}") from None
    if not value >= 0 or value == float("inf"):
        raise SettingsError(f"{name} must be 0 (off) or a positive number of requests per second")
    return value
