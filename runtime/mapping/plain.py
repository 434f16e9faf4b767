"""Accept plain strings where a profile reads names from a multi-valued complex attribute.

Okta can send ``"entitlements": ["Agent"]`` (a string-array profile attribute mapped straight
to ``entitlements``) as well as the SCIM form ``[{"value": "Agent"}]``. The protocol's
validation rightly refuses strings in a complex attribute, so before it runs the strings are
wrapped as ``{"value": ...}`` for the attributes the active mapping profile reads names from,
and only those. Both POST/PUT bodies and PATCH operations (path-ful and path-less) are covered.
"""

from __future__ import annotations

from typing import Any

from runtime.mapping.profiles import MappingProfile


def _wrap(value: Any) -> Any:
    if isinstance(value, str):
        return [{"value": value}]
    if isinstance(value, list):
        return [{"value": item} if isinstance(item, str) else item for item in value]
    return value


def _targets(profile: MappingProfile) -> set[str]:
    return {s.attribute.lower() for s in profile.idp_sources if s.form == "multi_value" and s.schema is None}


def wrap_plain_values(body: Any, profile: MappingProfile) -> Any:
    """A POST/PUT body with plain-string names wrapped (a new dict; the input is untouched)."""
    targets = _targets(profile)
    if not targets or not isinstance(body, dict):
        return body
    return {key: _wrap(value) if key.lower() in targets else value for key, value in body.items()}


def wrap_plain_patch(body: Any, profile: MappingProfile) -> Any:
    """A PatchOp body whose operations on the profile's name attributes carry wrapped strings."""
    targets = _targets(profile)
    if not targets or not isinstance(body, dict):
        return body
    operations = next((v for k, v in body.items() if k.lower() == "operations"), None)
    if not isinstance(operations, list):
        return body
    wrapped: list[Any] = []
    for operation in operations:
        if not isinstance(operation, dict):
            wrapped.append(operation)
            continue
        op = dict(operation)
        path = next((v for k, v in op.items() if k.lower() == "path"), None)
        value_key = next((k for k in op if k.lower() == "value"), None)
        if value_key is not None:
            if isinstance(path, str) and path.lower() in targets:
                op[value_key] = _wrap(op[value_key])
            elif path is None and isinstance(op[value_key], dict):
                op[value_key] = wrap_plain_values(op[value_key], profile)
        wrapped.append(op)
    return {key: wrapped if key.lower() == "operations" else value for key, value in body.items()}
