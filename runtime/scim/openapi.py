"""An OpenAPI 3.0 description of the SCIM API, generated from ``runtime.scim.schema``.

Like the discovery endpoints, nothing here is hand-written per attribute: each resource type's
request and response shapes are rendered from the same definitions validation, filters and PATCH
use, so the document cannot drift from the service. It describes what an IdP calls
(``/Users``, ``/Groups``, their ``.search``, the discovery endpoints), the status codes each
operation answers, the SCIM error body, ``Location``/``Retry-After``/``X-Correlation-Id``, and the
request limits (``runtime.scim.jsonbody``, ``runtime.scim.http``, ``runtime.scim.filter``). The
optional RFC 7644 endpoints we do not implement (``/Bulk``, ``/Me``, root ``/.search``: 501) are
left out.

Serving it: the local server answers ``GET /scim/v2/openapi.json`` behind the same bearer token as
everything else under the base path (``README``, "API reference"); API Gateway serves only the
SCIM routes, so for a deployed stack generate it with
``python -m runtime.scim.openapi --server https://<api>/<stage>/scim/v2 > openapi.json``.

Response bodies are described strictly (``additionalProperties: false`` on resources and their
complex attributes), so a test can prove every answer matches what ``/Schemas`` advertises.
Request bodies are described as the service accepts them: also the IdP quirks it tolerates
(``"active": "False"`` from Entra, plain strings in Okta's ``entitlements``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Final

from runtime.scim.errors import ERROR_SCHEMA
from runtime.scim.filter import MAX_FILTER_LENGTH
from runtime.scim.http import MAX_QUERY_CHARS, SCIM_CONTENT_TYPE
from runtime.scim.jsonbody import MAX_BODY_BYTES, MAX_DEPTH
from runtime.scim.listing import MAX_COUNT
from runtime.scim.patch import MAX_OPERATIONS
from runtime.scim.schema import (
    LIST_RESPONSE,
    PATCH_OP,
    RESOURCE_TYPES,
    Attribute,
    ResourceType,
)

OPENAPI_VERSION: Final = "3.0.3"
DOCUMENT_PATH: Final = "/openapi.json"
SEARCH_REQUEST: Final = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SCIM_TYPES: Final = (
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
)
#: The id pattern the app routes (``runtime.app``); anything else is 404 before any service runs.
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$"
_STATUS_TEXT: Final = {
    400: "Invalid request (SCIM scimType says which rule)",
    401: "Missing or wrong bearer token",
    404: "No such resource or endpoint",
    409: "Uniqueness conflict, or the Connect users-per-instance quota is reached",
    413: f"Body larger than {MAX_BODY_BYTES} bytes",
    411: "Body framing the server does not read (a Transfer-Encoding): send it with Content-Length",
    415: "Body is not application/scim+json or application/json in UTF-8",
    429: "Amazon Connect's API quota is exhausted; retry after Retry-After seconds",
    503: "Amazon Connect is unavailable; retry after Retry-After seconds",
}


def build_openapi(
    server_url: str = "/scim/v2", resource_types: Iterable[ResourceType] = RESOURCE_TYPES
) -> dict[str, Any]:
    """The OpenAPI document for the SCIM API served at ``server_url`` (the ``.../scim/v2`` base)."""
    types = list(resource_types)
    schemas: dict[str, Any] = {
        "Error": _error_schema(),
        "PatchOp": _patch_schema(),
        "SearchRequest": _search_schema(),
        "Discovery": {"type": "object", "description": "A SCIM discovery document (RFC 7643 §5-7)."},
        "DiscoveryList": _list_schema({"$ref": "#/components/schemas/Discovery"}),
    }
    paths: dict[str, Any] = {}
    for resource_type in types:
        name = resource_type.name
        schemas[name] = resource_schema(resource_type, request=False)
        schemas[f"{name}Request"] = resource_schema(resource_type, request=True)
        schemas[f"{name}List"] = _list_schema({"$ref": f"#/components/schemas/{name}"})
        paths.update(_resource_paths(resource_type))
    paths.update(_discovery_paths())
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "connect-scim: SCIM 2.0 for Amazon Connect users",
            "version": "1.0.0",
            "description": (
                "RFC 7643/7644 service provider whose Users are Amazon Connect users and whose Groups are "
                f"security profiles. Limits: bodies up to {MAX_BODY_BYTES} bytes (413), JSON nested up to "
                f"{MAX_DEPTH} levels (400), query strings up to {MAX_QUERY_CHARS} characters (400), "
                f"filters up to {MAX_FILTER_LENGTH} characters, count up to {MAX_COUNT}, PATCH up to "
                f"{MAX_OPERATIONS} operations. Every error is a SCIM Error body."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The token printed by `make serve`, or the stack's apiToken output.",
                }
            },
            "schemas": schemas,
            "parameters": _parameters(),
            "headers": {
                "XCorrelationId": {
                    "description": "Ties the answer to the server's log lines.",
                    "schema": {"type": "string"},
                },
            },
        },
    }


# ---- schemas ----------------------------------------------------------------------------------


def attribute_schema(attr: Attribute, *, request: bool) -> dict[str, Any]:
    """JSON Schema of one attribute value (an array of them when multi-valued)."""
    single = _value_schema(attr, request=request)
    schema: dict[str, Any] = (
        {"type": "array", "items": single, "maxItems": 1000} if attr.multi_valued else single
    )
    if attr.description:
        schema = {**schema, "description": attr.description}
    if attr.mutability == "readOnly":
        schema = {**schema, "readOnly": True}
    return schema


def _value_schema(attr: Attribute, *, request: bool) -> dict[str, Any]:
    if attr.type == "complex":
        properties = {sub.name: attribute_schema(sub, request=request) for sub in attr.sub_attributes}
        return {"type": "object", "properties": properties, "additionalProperties": request}
    if attr.type == "boolean":
        if request:  # Entra sends "True"/"False" strings; accepted (runtime.scim.policy)
            return {
                "oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["True", "False", "true", "false"]}]
            }
        return {"type": "boolean"}
    if attr.type == "integer":
        schema: dict[str, Any] = {"type": "integer"}
        if attr.minimum is not None:
            schema["minimum"] = attr.minimum
        if attr.maximum is not None:
            schema["maximum"] = attr.maximum
        return schema
    if attr.type == "decimal":
        return {"type": "number"}
    if attr.type == "dateTime":
        return {"type": "string", "format": "date-time"}
    schema = {"type": "string"}
    if attr.canonical_only and attr.canonical_values:
        schema["enum"] = list(attr.canonical_values)
    if attr.pattern and request:
        schema["pattern"] = attr.pattern
    return schema


def resource_schema(resource_type: ResourceType, *, request: bool) -> dict[str, Any]:
    """A resource as the service answers it (``request=False``) or accepts it in POST/PUT."""
    properties: dict[str, Any] = {
        "schemas": {
            "type": "array",
            "items": {"type": "string", "enum": [schema.id for schema in resource_type.schemas]},
            "minItems": 1,
        }
    }
    for attr in resource_type.core_attributes():
        properties[attr.name] = attribute_schema(attr, request=request)
    for extension in resource_type.extensions:
        ext_properties = {
            attr.name: attribute_schema(attr, request=request) for attr in extension.schema.attributes
        }
        properties[extension.schema.id] = {
            "type": "object",
            "description": extension.schema.description,
            "properties": ext_properties,
            "additionalProperties": request,
        }
    if request:
        for name in ("id", "meta"):
            properties.pop(name, None)
        for attr in resource_type.core_attributes():
            if attr.mutability == "readOnly":
                properties.pop(attr.name, None)
        required = ["schemas", *(a.name for a in resource_type.schema.attributes if a.required)]
        return {
            "type": "object",
            "description": f"A {resource_type.name} to create or replace ({resource_type.description}).",
            "required": required,
            "properties": properties,
        }
    return {
        "type": "object",
        "description": f"A {resource_type.name} ({resource_type.description}) as the service returns it.",
        "required": ["schemas", "id"],  # meta too, unless a projection (attributes=...) left it out
        "properties": properties,
        "additionalProperties": False,
    }


def _list_schema(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string", "enum": [LIST_RESPONSE]}},
            "totalResults": {"type": "integer", "minimum": 0},
            "startIndex": {"type": "integer", "minimum": 1},
            "itemsPerPage": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
            "Resources": {"type": "array", "items": items},
        },
        "additionalProperties": False,
    }


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 7644 §3.12 error; status repeats the HTTP status as a string.",
        "required": ["schemas", "status", "detail"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string", "enum": [ERROR_SCHEMA]}, "minItems": 1},
            "status": {"type": "string", "pattern": "^[45][0-9][0-9]$"},
            "scimType": {"type": "string", "enum": list(SCIM_TYPES)},
            "detail": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }


def _patch_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 7644 §3.5.2 PatchOp; applied all or nothing.",
        "required": ["schemas", "Operations"],
        "properties": {
            "schemas": {"type": "array", "items": {"type": "string", "enum": [PATCH_OP]}, "minItems": 1},
            "Operations": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_OPERATIONS,
                "items": {
                    "type": "object",
                    "required": ["op"],
                    "properties": {
                        "op": {
                            "type": "string",
                            "enum": ["add", "remove", "replace", "Add", "Remove", "Replace"],
                        },
                        "path": {"type": "string", "maxLength": MAX_FILTER_LENGTH},
                        "value": {},
                    },
                },
            },
        },
    }


def _search_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 7644 §3.4.3 search: the query parameters of a GET, as a body.",
        "required": ["schemas"],
        "properties": {
            "schemas": {
                "type": "array",
                "items": {"type": "string", "enum": [SEARCH_REQUEST]},
                "minItems": 1,
            },
            "filter": {"type": "string", "maxLength": MAX_FILTER_LENGTH},
            "startIndex": {"type": "integer"},
            "count": {"type": "integer"},
            "attributes": {"type": "array", "items": {"type": "string"}},
            "excludedAttributes": {"type": "array", "items": {"type": "string"}},
        },
    }


# ---- paths ------------------------------------------------------------------------------------


def _parameters() -> dict[str, Any]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    return {
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": ID_PATTERN},
            "description": "The resource id (for users, the Amazon Connect UserId).",
        },
        "filter": query(
            "filter",
            {"type": "string", "maxLength": MAX_FILTER_LENGTH},
            "RFC 7644 §3.4.2.2 filter; users: userName/externalId/id eq, and/or of them.",
        ),
        "startIndex": query("startIndex", {"type": "integer"}, "1-based index of the first result."),
        "count": query("count", {"type": "integer", "minimum": 0}, f"Page size, at most {MAX_COUNT}."),
        "attributes": query("attributes", {"type": "string"}, "Comma-separated attributes to return."),
        "excludedAttributes": query(
            "excludedAttributes", {"type": "string"}, "Comma-separated attributes to leave out."
        ),
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _json_body(schema_name: str, description: str) -> dict[str, Any]:
    content = {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
    return {
        "required": True,
        "description": description,
        "content": {SCIM_CONTENT_TYPE: content, "application/json": content},
    }


def _answer(schema_name: str | None, description: str, *, location: bool = False) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Correlation-Id": {"$ref": "#/components/headers/XCorrelationId"}}
    if location:
        headers["Location"] = {"required": True, "schema": {"type": "string"}, "description": "meta.location"}
    answer: dict[str, Any] = {"description": description, "headers": headers}
    if schema_name is not None:
        answer["content"] = {SCIM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
    return answer


#: Refusals any request can meet before it reaches an operation: a malformed or over-long query
#: (400), no or a wrong token (401), body framing the local server does not read (411).
_ANY_REQUEST: Final = (400, 401, 411)


def _errors(*codes: int) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for code in sorted({*_ANY_REQUEST, *codes}):
        answer = _answer("Error", _STATUS_TEXT[code])
        if code in (429, 503):
            answer["headers"]["Retry-After"] = {
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
                "description": "Seconds to wait before retrying.",
            }
        answers[str(code)] = answer
    return answers


_TRANSIENT: Final = (429, 503)
_BODY_ERRORS: Final = (400, 413, 415)


def _resource_paths(resource_type: ResourceType) -> dict[str, Any]:
    name, endpoint = resource_type.name, resource_type.endpoint
    projection = [_ref("attributes"), _ref("excludedAttributes")]
    listing = [_ref("filter"), _ref("startIndex"), _ref("count"), *projection]
    item_parameters = [_ref("id")]
    return {
        endpoint: {
            "get": {
                "operationId": f"list{name}s",
                "summary": f"List or filter {name}s",
                "tags": [name],
                "parameters": listing,
                "responses": {
                    "200": _answer(f"{name}List", f"A page of {name}s"),
                    **_errors(400, *_TRANSIENT),
                },
            },
            "post": {
                "operationId": f"create{name}",
                "summary": f"Create a {name}",
                "tags": [name],
                "requestBody": _json_body(f"{name}Request", f"The {name} to create"),
                "responses": {
                    "201": _answer(name, f"The {name} created", location=True),
                    **_errors(*_BODY_ERRORS, 409, *_TRANSIENT),
                },
            },
        },
        f"{endpoint}/.search": {
            "post": {
                "operationId": f"search{name}s",
                "summary": f"Search {name}s with a body instead of query parameters",
                "tags": [name],
                "requestBody": _json_body("SearchRequest", "The search"),
                "responses": {
                    "200": _answer(f"{name}List", f"A page of {name}s"),
                    **_errors(*_BODY_ERRORS, *_TRANSIENT),
                },
            }
        },
        f"{endpoint}/{{id}}": {
            "parameters": item_parameters,
            "get": {
                "operationId": f"get{name}",
                "summary": f"Read a {name}",
                "tags": [name],
                "parameters": projection,
                "responses": {
                    "200": _answer(name, f"The {name}", location=True),
                    **_errors(400, 404, *_TRANSIENT),
                },
            },
            "put": {
                "operationId": f"replace{name}",
                "summary": f"Replace a {name}",
                "tags": [name],
                "parameters": projection,
                "requestBody": _json_body(f"{name}Request", f"The {name}'s new attributes"),
                "responses": {
                    "200": _answer(name, f"The {name} replaced", location=True),
                    **_errors(*_BODY_ERRORS, 404, 409, *_TRANSIENT),
                },
            },
            "patch": {
                "operationId": f"patch{name}",
                "summary": f"Modify a {name} (RFC 7644 §3.5.2)",
                "tags": [name],
                "parameters": projection,
                "requestBody": _json_body("PatchOp", "The operations"),
                "responses": {
                    "200": _answer(name, f"The {name} modified", location=True),
                    "204": _answer(None, "Modified; the resource is not returned"),
                    **_errors(*_BODY_ERRORS, 404, 409, *_TRANSIENT),
                },
            },
            "delete": {
                "operationId": f"delete{name}",
                "summary": f"Delete a {name}",
                "tags": [name],
                "responses": {"204": _answer(None, "Deleted"), **_errors(404, *_TRANSIENT)},
            },
        },
    }


def _discovery_paths() -> dict[str, Any]:
    def read(operation_id: str, summary: str, schema: str, *, item: bool = False) -> dict[str, Any]:
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Discovery"],
            "responses": {"200": _answer(schema, summary), **(_errors(404) if item else _errors())},
        }
        if item:
            operation["parameters"] = [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            ]
        return {"get": operation}

    return {
        "/ServiceProviderConfig": read(
            "getServiceProviderConfig", "Service provider configuration", "Discovery"
        ),
        "/ResourceTypes": read("listResourceTypes", "Resource types", "DiscoveryList"),
        "/ResourceTypes/{id}": read("getResourceType", "One resource type", "Discovery", item=True),
        "/Schemas": read("listSchemas", "Schemas", "DiscoveryList"),
        "/Schemas/{id}": read("getSchema", "One schema", "Discovery", item=True),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m runtime.scim.openapi [--server URL]``: print the document."""
    parser = argparse.ArgumentParser(prog="python -m runtime.scim.openapi", description=main.__doc__)
    parser.add_argument("--server", default="/scim/v2", help="the SCIM base URL (default: /scim/v2)")
    args = parser.parse_args(argv)
    json.dump(build_openapi(args.server), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
