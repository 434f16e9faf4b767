"""Normalise and validate a POST/PUT body against its resource type (RFC 7643 §2-4, RFC 7644 §3.3, §3.5.1).

The result is the canonical shape every other layer relies on: core attributes at the top
under their canonical names, extension attributes in an object under the extension URN,
``schemas`` listing exactly the core schema and the extensions in use, no read-only
attributes (``id``, ``meta``, ``groups``, ``members.display``... are the server's: RFC 7644
§3.3 says values a client sends for them are ignored), no unassigned values.

Limits come from ``values.py`` (``MAX_STRING_LENGTH`` = 1024 characters, ``MAX_MULTI_VALUES``
= 1000 values per attribute). Unknown attributes and unknown schema URNs are refused with
``invalidValue`` unless the policy ignores them (``ignore_unknown_attributes``).
"""

from __future__ import annotations

from typing import Any

from runtime.scim.errors import InvalidSyntax, InvalidValue, Mutability
from runtime.scim.policy import ScimPolicy
from runtime.scim.schema import Attribute, ResourceType, Schema
from runtime.scim.values import check_value, is_unassigned, values_equal


def normalize_resource(body: Any, resource_type: ResourceType, policy: ScimPolicy) -> dict[str, Any]:
    """Validate a POST/PUT body and return it in canonical form (the input is not modified)."""
    if not isinstance(body, dict):
        raise InvalidSyntax(f"a {resource_type.name} must be a JSON object")
    declared = _declared_schemas(body, resource_type, policy)
    out: dict[str, Any] = {}
    used: list[str] = []
    seen: set[str] = set()
    for key, value in body.items():
        folded = key.lower()
        if folded == "schemas":
            continue
        if folded in seen:
            raise InvalidValue(f"'{_clip(key)}' is given twice (attribute names are case-insensitive)")
        seen.add(folded)
        extension = resource_type.extension(key)
        if extension is not None:
            if extension.id not in declared:
                raise InvalidValue(
                    f"'schemas' must list {extension.id} because the body carries its attributes"
                )
            obj = _extension_object(extension, value, policy)
            if obj:
                out[extension.id] = obj
                used.append(extension.id)
            continue
        attr = resource_type.core_attribute(key)
        if attr is None:
            if not policy.ignore_unknown_attributes:
                raise InvalidValue(f"unknown attribute '{_clip(key)}' for a {resource_type.name}")
            continue
        if attr.mutability == "readOnly":
            continue
        checked = check_value(attr, value, policy, attr.name)
        if not is_unassigned(checked):
            out[attr.name] = checked
    for attr in resource_type.core_attributes():
        if attr.required and attr.name not in out:
            raise InvalidValue(f"'{attr.name}' is required for a {resource_type.name} (RFC 7643)")
    ordered = [ext.schema.id for ext in resource_type.extensions if ext.schema.id in used]
    for ext in resource_type.extensions:
        if ext.required and ext.schema.id not in used:
            raise InvalidValue(f"the extension {ext.schema.id} is required")
    return {"schemas": [resource_type.schema.id, *ordered], **out}


def check_immutable(old: dict[str, Any], new: dict[str, Any], resource_type: ResourceType) -> None:
    """PUT rule (RFC 7644 §3.5.1): values of immutable attributes that are set must not change.

    Both dicts are canonical resources. Multi-valued elements (e.g. ``members.value``) are
    identities, not changes, so they are not compared here.
    """
    for schema in resource_type.schemas:
        old_box = old if schema is resource_type.schema else old.get(schema.id)
        new_box = new if schema is resource_type.schema else new.get(schema.id)
        if not isinstance(old_box, dict):
            continue
        new_box = new_box if isinstance(new_box, dict) else {}
        attributes = (
            tuple(resource_type.core_attributes()) if schema is resource_type.schema else schema.attributes
        )
        for attr in attributes:
            _check_attribute(attr, old_box.get(attr.name), new_box.get(attr.name))


def _check_attribute(attr: Attribute, old: Any, new: Any) -> None:
    if attr.mutability == "readOnly" or is_unassigned(old):
        return
    if attr.mutability == "immutable":
        if attr.multi_valued:
            same = (
                isinstance(new, list)
                and len(new) == len(old)
                and all(values_equal(attr, a, b) for a, b in zip(old, new, strict=False))
            )
        else:
            same = new is not None and values_equal(attr, old, new)
        if not same:
            note = f": {attr.note}" if attr.note else ""
            raise Mutability(f"'{attr.name}' is immutable and cannot be changed{note}")
        return
    if attr.is_complex and not attr.multi_valued and isinstance(old, dict):
        new_obj = new if isinstance(new, dict) else {}
        for sub in attr.sub_attributes:
            old_sub = old.get(sub.name)
            if (
                sub.mutability == "immutable"
                and not is_unassigned(old_sub)
                and not values_equal(sub, old_sub, new_obj.get(sub.name))
            ):
                raise Mutability(f"'{attr.name}.{sub.name}' is immutable and cannot be changed")


def _declared_schemas(body: dict[str, Any], resource_type: ResourceType, policy: ScimPolicy) -> set[str]:
    raw = next((v for k, v in body.items() if k.lower() == "schemas"), None)
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise InvalidValue(
            f"'schemas' must be a non-empty array listing {resource_type.schema.id} (RFC 7643 §3)"
        )
    declared: set[str] = set()
    for urn in raw:
        known = resource_type.schema_by_urn(urn)
        if known is None:
            if not policy.ignore_unknown_attributes:
                raise InvalidValue(f"'schemas' lists {_clip(urn)}, which a {resource_type.name} does not use")
            continue
        declared.add(known.id)
    if resource_type.schema.id not in declared:
        raise InvalidValue(f"'schemas' must list {resource_type.schema.id} (RFC 7643 §3)")
    return declared


def _extension_object(schema: Schema, value: Any, policy: ScimPolicy) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValue(f"'{schema.id}' must be a JSON object of extension attributes")
    out: dict[str, Any] = {}
    for key, item in value.items():
        attr = schema.attribute(key)
        if attr is None:
            if not policy.ignore_unknown_attributes:
                raise InvalidValue(f"unknown attribute '{_clip(key)}' in {schema.id}")
            continue
        if attr.name in out:
            raise InvalidValue(f"'{schema.id}:{attr.name}' is given twice (names are case-insensitive)")
        if attr.mutability == "readOnly":
            continue
        checked = check_value(attr, item, policy, f"{schema.id}:{attr.name}")
        if not is_unassigned(checked):
            out[attr.name] = checked
    return out


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
