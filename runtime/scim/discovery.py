"""Discovery endpoints (RFC 7644 §4, shapes from RFC 7643 §5-7), generated from ``schema.py``.

Nothing here is hand-written JSON: the Schemas documents are rendered from the same
definitions that validation, filters and PATCH use, so what ``/Schemas`` advertises is exactly
what the service accepts. ``/Schemas`` and ``/ResourceTypes`` answer ListResponses
(RFC 7644 §4); single documents carry ``meta.resourceType`` and ``meta.location``.

What ServiceProviderConfig says, and why:

* ``patch`` supported; ``bulk``, ``sort``, ``changePassword`` and ``etag`` not (Connect has no
  versions to compare and SAML users have no password we manage).
* ``filter`` supported with ``maxResults`` = ``listing.MAX_COUNT``.
* one authentication scheme, ``oauthbearertoken``, primary: a bearer token in the
  ``Authorization`` header (RFC 6750), which is what Okta and Entra send.
"""

from __future__ import annotations

from typing import Any

from runtime.scim.errors import NotFound
from runtime.scim.listing import MAX_COUNT, list_response
from runtime.scim.schema import (
    RESOURCE_TYPE_SCHEMA,
    RESOURCE_TYPES,
    SCHEMA_SCHEMA,
    SCHEMAS,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    Attribute,
    ResourceType,
    Schema,
)

DOCUMENTATION_URI = "https://www.rfc-editor.org/rfc/rfc7644"


def service_provider_config(base_url: str, max_results: int = MAX_COUNT) -> dict[str, Any]:
    """RFC 7643 §5."""
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": DOCUMENTATION_URI,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication with a bearer token in the Authorization header",
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{_base(base_url)}/ServiceProviderConfig",
        },
    }


def schemas(base_url: str) -> dict[str, Any]:
    """``GET /Schemas``: every schema any resource type uses, as a ListResponse."""
    documents = [_schema_document(s, base_url) for s in SCHEMAS]
    return list_response(len(documents), documents, 1)


def schema(base_url: str, schema_id: str) -> dict[str, Any]:
    """``GET /Schemas/{id}``; the URN matches case-insensitively. Unknown: 404."""
    for candidate in SCHEMAS:
        if candidate.id.lower() == schema_id.lower():
            return _schema_document(candidate, base_url)
    raise NotFound(f"no schema {_clip(schema_id)}; GET /Schemas lists the {len(SCHEMAS)} schemas served")


def resource_types(base_url: str) -> dict[str, Any]:
    """``GET /ResourceTypes`` as a ListResponse."""
    documents = [_resource_type_document(rt, base_url) for rt in RESOURCE_TYPES]
    return list_response(len(documents), documents, 1)


def resource_type(base_url: str, type_id: str) -> dict[str, Any]:
    """``GET /ResourceTypes/{id}`` (``User``, ``Group``; any case). Unknown: 404."""
    for candidate in RESOURCE_TYPES:
        if candidate.id.lower() == type_id.lower():
            return _resource_type_document(candidate, base_url)
    names = ", ".join(rt.id for rt in RESOURCE_TYPES)
    raise NotFound(f"no resource type {_clip(type_id)}; the resource types are {names}")


def attribute_document(attr: Attribute) -> dict[str, Any]:
    """One attribute in RFC 7643 §7 form."""
    doc: dict[str, Any] = {
        "name": attr.name,
        "type": attr.type,
        "multiValued": attr.multi_valued,
        "description": attr.description,
        "required": attr.required,
        "caseExact": attr.case_exact,
        "mutability": attr.mutability,
        "returned": attr.returned,
        "uniqueness": attr.uniqueness,
    }
    if attr.canonical_values:
        doc["canonicalValues"] = list(attr.canonical_values)
    if attr.type == "reference":
        doc["referenceTypes"] = list(attr.reference_types or ("external",))
    if attr.is_complex:
        doc["subAttributes"] = [attribute_document(sub) for sub in attr.sub_attributes]
    return doc


def _schema_document(definition: Schema, base_url: str) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": definition.id,
        "name": definition.name,
        "description": definition.description,
        "attributes": [attribute_document(attr) for attr in definition.attributes],
        "meta": {"resourceType": "Schema", "location": f"{_base(base_url)}/Schemas/{definition.id}"},
    }


def _resource_type_document(definition: ResourceType, base_url: str) -> dict[str, Any]:
    return {
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": definition.id,
        "name": definition.name,
        "endpoint": definition.endpoint,
        "description": definition.description,
        "schema": definition.schema.id,
        "schemaExtensions": [
            {"schema": ext.schema.id, "required": ext.required} for ext in definition.extensions
        ],
        "meta": {
            "resourceType": "ResourceType",
            "location": f"{_base(base_url)}/ResourceTypes/{definition.id}",
        },
    }


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
