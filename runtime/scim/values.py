"""Type-check and normalise attribute values against their definitions (RFC 7643 §2.3).

Shared by POST/PUT validation (``resource.py``) and PATCH (``patch.py``) so both accept and
refuse exactly the same values. Every refusal is an ``InvalidValue`` whose detail names the
attribute path and what was expected; values themselves are never echoed (they may be
personal data).

Documented limits (bounded work and bounded Connect tag sizes per request):

* ``MAX_STRING_LENGTH`` = 1024 characters per string value.
* ``MAX_MULTI_VALUES`` = 1000 values per multi-valued attribute (a 64 KiB body cannot
  carry many more group members anyway).
* integers must be within ±(2**53 - 1), the range every JSON peer represents exactly.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from runtime.scim.errors import InvalidPath, InvalidValue, ScimError
from runtime.scim.policy import ScimPolicy
from runtime.scim.schema import Attribute

MAX_STRING_LENGTH = 1024
MAX_MULTI_VALUES = 1000
MAX_SAFE_INTEGER = 2**53 - 1

# C0 controls other than TAB, LF, CR, plus DEL: they have no place in identity attributes and
# break Connect tags and log lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE_FALSE = {"true": True, "false": False}


def is_unassigned(value: Any) -> bool:
    """RFC 7643 §2.5: null, an empty list or an empty object mean "no value"."""
    return value is None or (isinstance(value, list | dict) and not value)


def check_value(
    attr: Attribute,
    value: Any,
    policy: ScimPolicy,
    where: str,
    *,
    unknown_error: type[ScimError] = InvalidValue,
) -> Any:
    """Return ``value`` normalised for ``attr`` (canonical sub-attribute names, coerced
    booleans), or raise ``InvalidValue``. ``None`` passes through (unassigned).

    Read-only sub-attributes inside complex values are dropped, as RFC 7644 §3.3 asks for
    read-only attributes a client sends. Unknown sub-attributes are dropped when the policy
    ignores unknown attributes, otherwise they raise ``unknown_error``.
    """
    if value is None:
        return None
    if attr.multi_valued:
        if not isinstance(value, list):
            raise InvalidValue(f"'{where}' is multi-valued: send a JSON array")
        if len(value) > MAX_MULTI_VALUES:
            raise InvalidValue(f"'{where}' has more than {MAX_MULTI_VALUES} values")
        out = []
        for index, item in enumerate(value):
            if item is None:
                raise InvalidValue(f"'{where}[{index}]' is null; omit it instead")
            checked = check_single(attr, item, policy, f"{where}[{index}]", unknown_error=unknown_error)
            if checked != {}:
                out.append(checked)
        check_primary(attr, out, where)
        return out
    return check_single(attr, value, policy, where, unknown_error=unknown_error)


def check_primary(attr: Attribute, values: list[Any], where: str) -> None:
    """RFC 7643 §2.4: "primary" may be true for at most one value."""
    if attr.has_primary and sum(1 for v in values if isinstance(v, dict) and v.get("primary") is True) > 1:
        raise InvalidValue(f"'{where}' has more than one value with primary true (RFC 7643 §2.4)")


def check_single(
    attr: Attribute,
    value: Any,
    policy: ScimPolicy,
    where: str,
    *,
    unknown_error: type[ScimError] = InvalidValue,
) -> Any:
    """Check one value of ``attr`` (one element when ``attr`` is multi-valued)."""
    if attr.is_complex:
        if (
            policy.string_for_complex_value
            and isinstance(value, str | int | float | bool)
            and attr.sub("value") is not None
        ):
            value = {"value": value}
        if not isinstance(value, dict):
            raise InvalidValue(f"'{where}' is a complex attribute: send a JSON object")
        out: dict[str, Any] = {}
        for key, sub_value in value.items():
            sub = attr.sub(key)
            if sub is None:
                if policy.ignore_unknown_attributes:
                    continue
                raise unknown_error(f"unknown sub-attribute '{_clip(key)}' of '{attr.name}'")
            if sub.mutability == "readOnly" or sub_value is None:
                continue
            if sub.name in out:
                raise InvalidValue(f"'{where}.{sub.name}' is given twice (names are case-insensitive)")
            out[sub.name] = check_simple(sub, sub_value, policy, f"{where}.{sub.name}")
        return out
    return check_simple(attr, value, policy, where)


def check_simple(attr: Attribute, value: Any, policy: ScimPolicy, where: str) -> Any:
    """Check a value of a non-complex attribute (or sub-attribute)."""
    if (
        policy.unwrap_single_value_lists
        and isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], dict)
        and len(value[0]) == 1
        and next(iter(value[0])).lower() == "value"
    ):
        value = next(iter(value[0].values()))
    kind = attr.type
    if kind == "boolean":
        return _boolean(value, policy, where)
    if kind == "integer":
        return _integer(attr, value, where)
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValue(f"'{where}' must be a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(f"'{where}' must be a finite number")
        if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
            raise InvalidValue(f"'{where}' is out of range")
        return value
    # string, reference, dateTime, binary: all strings on the wire.
    if not isinstance(value, str):
        raise InvalidValue(f"'{where}' must be a string")
    check_string(value, where)
    if kind == "dateTime" and parse_datetime(value) is None:
        raise InvalidValue(f"'{where}' must be an xsd:dateTime such as 2024-05-01T12:00:00Z")
    if attr.canonical_only:
        for canonical in attr.canonical_values:
            if canonical.lower() == value.lower():
                return canonical
        allowed = ", ".join(attr.canonical_values)
        raise InvalidValue(f"'{where}' must be one of: {allowed}")
    if attr.pattern is not None and not re.fullmatch(attr.pattern, value):
        raise InvalidValue(f"'{where}' has the wrong format (expected {_pattern_hint(attr.pattern)})")
    return value


def check_string(value: str, where: str) -> None:
    if len(value) > MAX_STRING_LENGTH:
        raise InvalidValue(f"'{where}' is longer than {MAX_STRING_LENGTH} characters")
    if _CONTROL.search(value):
        raise InvalidValue(f"'{where}' contains control characters")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InvalidValue(f"'{where}' contains an unpaired surrogate")


def _boolean(value: Any, policy: ScimPolicy, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if policy.boolean_strings and isinstance(value, str) and value.lower() in _TRUE_FALSE:
        return _TRUE_FALSE[value.lower()]
    raise InvalidValue(f"'{where}' must be a JSON boolean (true or false)")


def _integer(attr: Attribute, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"'{where}' must be an integer")
    low = -MAX_SAFE_INTEGER if attr.minimum is None else attr.minimum
    high = MAX_SAFE_INTEGER if attr.maximum is None else attr.maximum
    if not low <= value <= high:
        raise InvalidValue(f"'{where}' must be between {low} and {high}")
    return value


def parse_datetime(text: str) -> datetime | None:
    """Parse an xsd:dateTime (RFC 7643 §2.3.5); None if it is not one."""
    if len(text) > 64 or "T" not in text.upper():
        return None
    candidate = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def values_equal(attr: Attribute, left: Any, right: Any) -> bool:
    """Equality honouring ``caseExact`` (RFC 7643 §2.3.1): non-caseExact strings fold case."""
    if isinstance(left, str) and isinstance(right, str) and not attr.case_exact:
        return left.casefold() == right.casefold()
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    return bool(left == right)


def unknown_path(policy: ScimPolicy, detail: str, error: type[ScimError] = InvalidPath) -> None:
    """Raise ``error`` unless the policy ignores unknown attributes."""
    if not policy.ignore_unknown_attributes:
        raise error(detail)


def _pattern_hint(pattern: str) -> str:
    return "E.164, e.g. +15555550100" if pattern.startswith(r"^\+[1-9]") else f"pattern {pattern}"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
