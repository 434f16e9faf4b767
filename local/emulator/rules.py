"""Connect's user rules that its documentation states in prose and the model cannot encode.

These are what make the emulator refuse what the real service refuses, so the product meets those
refusals in its own tests rather than in production. Each rule names its source in connect-api.md
(§1 constraints, §2 operation notes) or the model's member documentation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from local.emulator.errors import invalid_parameter, invalid_request

SAML = "SAML"
CONNECT_MANAGED = "CONNECT_MANAGED"

# CreateUser.Username documentation: SAML instances take up to 64 characters of letters, digits,
# "_ - ." and "@", with "@" only in an e-mail-shaped value; other instances up to 20 characters.
SAML_USERNAME_MAX = 64
OTHER_USERNAME_MAX = 20
_SAML_USERNAME = re.compile(r"[A-Za-z0-9_.\-@]+")
_EMAIL_SHAPED = re.compile(r"[A-Za-z0-9_.\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# UserIdentityInfo.SecondaryEmail documentation gives this pattern.
_SECONDARY_EMAIL = re.compile(r"(?=^.{0,265}$)[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,63}")
# UserPhoneConfig.AfterContactWorkTimeLimit documentation: at most 2,000,000 seconds.
MAX_AFTER_CONTACT_WORK_SECONDS = 2_000_000

# CreateUser documentation: each PhoneConfig field conflicts with its per-channel list.
PHONE_CONFIG_CONFLICTS: Mapping[str, tuple[str, ...]] = {
    "AutoAcceptConfigs": ("AutoAccept",),
    "AfterContactWorkConfigs": ("AfterContactWorkTimeLimit",),
    "PhoneNumberConfigs": ("PhoneType", "DeskPhoneNumber"),
    "PersistentConnectionConfigs": ("PersistentConnection",),
}
CHANNEL_LISTS = (*PHONE_CONFIG_CONFLICTS, "VoiceEnhancementConfigs")
DEFAULT_PHONE_CONFIG: Mapping[str, Any] = {
    "PhoneType": "SOFT_PHONE",
    "AutoAccept": False,
    "AfterContactWorkTimeLimit": 0,
}


def check_username(username: str, identity_type: str) -> None:
    if identity_type != SAML:
        if len(username) > OTHER_USERNAME_MAX:
            raise invalid_parameter(
                f"Username must be at most {OTHER_USERNAME_MAX} characters on this instance"
            )
        return
    if len(username) > SAML_USERNAME_MAX:
        raise invalid_parameter(f"Username must be at most {SAML_USERNAME_MAX} characters on a SAML instance")
    if not _SAML_USERNAME.fullmatch(username):
        raise invalid_parameter(
            "Username may contain only letters, digits, '_', '-', '.' and '@' on a SAML instance"
        )
    if "@" in username and not _EMAIL_SHAPED.fullmatch(username):
        raise invalid_parameter("Username may contain '@' only in an e-mail address form (name@example.com)")


def check_identity_management(params: Mapping[str, Any], identity_type: str) -> None:
    """Members whose acceptance depends on how the instance manages identities (CreateUser docs)."""
    if identity_type == SAML:
        for member in ("Password", "DirectoryUserId"):
            if params.get(member) is not None:
                raise invalid_request(f"{member} must not be given on an instance using SAML")
    elif identity_type == CONNECT_MANAGED:
        if params.get("Password") is None:
            raise invalid_request("Password is required on an instance where Connect manages identities")
        if params.get("DirectoryUserId") is not None:
            raise invalid_request(
                "DirectoryUserId is only accepted on an instance using an existing directory"
            )
    elif params.get("Password") is not None:
        raise invalid_request("Password must not be given on an instance using an existing directory")


def check_identity_info(info: Mapping[str, Any], identity_type: str, path: str) -> None:
    if identity_type == SAML and info.get("Email") is not None:
        raise invalid_request(f"{path}.Email must not be given on an instance using SAML")
    for member in ("FirstName", "LastName"):
        value = info.get(member)
        if value is not None and not unicodedata.is_normalized("NFC", value):
            raise invalid_parameter(f"{path}.{member} must be in Unicode Normalization Form C (NFC)")
    secondary = info.get("SecondaryEmail")
    if secondary is not None and not _SECONDARY_EMAIL.fullmatch(secondary):
        raise invalid_parameter(f"{path}.SecondaryEmail is not a valid e-mail address")


def check_phone_config(config: Mapping[str, Any], path: str) -> None:
    """The effective phone settings after defaults and merges."""
    limit = config.get("AfterContactWorkTimeLimit")
    if limit is not None and limit > MAX_AFTER_CONTACT_WORK_SECONDS:
        raise invalid_parameter(
            f"{path}.AfterContactWorkTimeLimit must be at most {MAX_AFTER_CONTACT_WORK_SECONDS} seconds"
        )
    if config.get("PhoneType") == "DESK_PHONE" and not config.get("DeskPhoneNumber"):
        raise invalid_parameter(f"{path}.DeskPhoneNumber is required when PhoneType is DESK_PHONE")


def check_channel_lists(params: Mapping[str, Any]) -> None:
    phone = params.get("PhoneConfig") or {}
    for list_name, fields in PHONE_CONFIG_CONFLICTS.items():
        clashing = [field for field in fields if phone.get(field) is not None]
        if params.get(list_name) is not None and clashing:
            raise invalid_request(f"PhoneConfig.{clashing[0]} cannot be combined with {list_name}")
    for list_name in CHANNEL_LISTS:
        channels = [entry.get("Channel") for entry in params.get(list_name) or []]
        if len(channels) != len(set(channels)):
            raise invalid_parameter(f"{list_name} names a channel more than once")
    for entry in params.get("AfterContactWorkConfigs") or []:
        for member in ("AfterContactWorkConfig", "AgentFirstCallbackAfterContactWorkConfig"):
            check_phone_config(entry.get(member) or {}, f"AfterContactWorkConfigs[].{member}")
