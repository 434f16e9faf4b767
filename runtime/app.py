"""The SCIM core: one ``ScimRequest`` in, one ``ScimResponse`` out, whatever carries them.

``ScimApp.handle`` owns everything HTTP-shaped that RFC 7644 asks of a service provider and
that the resource services should not know about: routing, methods, media types, body limits,
status codes, ``Location``/``meta.location``, list envelopes, attribute projection, and turning
every failure into a SCIM error body. The Lambda handler and the local server only translate
their transport to ``ScimRequest`` and back, so both answer byte-for-byte alike.

Any exception that is not a ``ScimError`` becomes a 500 with a generic detail and a
correlation id; the traceback goes to the log (types and frames only), never to the client.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, unquote

from runtime.observability import get_logger, log_event
from runtime.scim import discovery, jsonbody, listing
from runtime.scim.errors import (
    ERROR_SCHEMA,
    InvalidSyntax,
    InvalidValue,
    MethodNotAllowed,
    NotFound,
    NotImplementedOperation,
    ScimError,
    UnsupportedMediaType,
)
from runtime.scim.http import ScimRequest, ScimResponse
from runtime.scim.schema import RESOURCE_TYPES, ResourceType
from runtime.service.base import ListQuery, Resource, ResourceService

#: Body limits (413 / 400 beyond them) are the protocol's documented ones (``runtime.scim.jsonbody``);
#: the local server enforces the same size from Content-Length before reading the body.
MAX_BODY_BYTES: Final = jsonbody.MAX_BODY_BYTES
MAX_JSON_DEPTH: Final = jsonbody.MAX_DEPTH

SEARCH_REQUEST_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
_JSON_MEDIA_TYPES: Final = frozenset({"application/scim+json", "application/json"})
# Connect user ids are UUIDs; other ids we mint stay in this unreserved set.
_ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$")
_CORRELATION_PATTERN: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_COLLECTION_METHODS: Final = ("GET", "POST")
_ITEM_METHODS: Final = ("GET", "PUT", "PATCH", "DELETE")
_READ_ONLY: Final = ("GET",)
_SEARCH_METHODS: Final = ("POST",)


@dataclass(frozen=True)
class Route:
    """Where a path leads. ``template`` is what logs show (ids never appear in it)."""

    template: str
    kind: str
    allowed: tuple[str, ...]
    endpoint: str | None = None
    item: str | None = None


class ScimApp:
    """Routes SCIM requests to resource services and renders RFC 7644 responses.

    Parameters
    ----------
    resources:
        Services by endpoint name (``"Users"``, ``"Groups"``); each must have a resource type
        in ``runtime.scim.schema.RESOURCE_TYPES``.
    max_body_bytes, max_json_depth:
        Request body limits (413 / 400 beyond them).
    clock:
        Monotonic seconds, for the request latency in logs (injectable for tests).
    """

    def __init__(
        self,
        resources: Mapping[str, ResourceService],
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_json_depth: int = MAX_JSON_DEPTH,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
    ) -> None:
        self._types: dict[str, ResourceType] = {}
        self._services: dict[str, ResourceService] = {}
        by_endpoint = {rt.endpoint.strip("/").lower(): rt for rt in RESOURCE_TYPES}
        for name, service in resources.items():
            resource_type = by_endpoint.get(name.strip("/").lower())
            if resource_type is None:
                raise ValueError(f"no SCIM resource type is served at /{name}")
            key = resource_type.endpoint.strip("/")
            self._types[key.lower()] = resource_type
            self._services[key.lower()] = service
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self._clock = clock
        self._log = logger or get_logger("app")

    # -- entry point -------------------------------------------------------------------------

    def handle(self, request: ScimRequest, *, correlation_id: str | None = None) -> ScimResponse:
        """Answer one request; never raises. ``correlation_id`` ties logs to the adapter's id."""
        cid = correlation_id if correlation_id and _CORRELATION_PATTERN.match(correlation_id) else None
        cid = cid or uuid.uuid4().hex
        started = self._clock()
        method = request.method.upper()
        route: Route | None = None
        fields: dict[str, Any] = {}
        try:
            route = self.route(request.path)
            if route.item is not None:
                fields["resource_id"] = route.item
            if method not in route.allowed:
                raise MethodNotAllowed(
                    f"{method} is not supported on {route.template}; use {', '.join(route.allowed)}",
                    headers={"Allow": ", ".join(route.allowed)},
                )
            response = self._dispatch(route, method, request)
        except ScimError as err:
            response = error_response(err)
            fields["scim_type"] = err.scim_type
            fields["error_type"] = type(err).__name__
        except Exception as exc:  # the last line of defence: no stack trace ever leaves
            log_event(
                self._log,
                "scim.unexpected_error",
                level=logging.ERROR,
                exc=exc,
                correlation_id=cid,
                method=method,
                route=route.template if route else "unmatched",
            )
            response = internal_error(cid)
            fields["error_type"] = type(exc).__name__
        response.headers["X-Correlation-Id"] = cid
        log_event(
            self._log,
            "scim.request",
            method=method[:16],
            route=route.template if route else "unmatched",
            status=response.status,
            latency_ms=round((self._clock() - started) * 1000, 2),
            correlation_id=cid,
            **fields,
        )
        return response

    # -- routing -----------------------------------------------------------------------------

    def route(self, raw_path: str) -> Route:
        """Match a still percent-encoded path (``/Users/abc``); 404 with a hint if nothing does."""
        segments = raw_path.strip("/").split("/") if raw_path.strip("/") else []
        if not segments or any(segment == "" for segment in segments):
            raise self._no_endpoint(raw_path)
        head = unquote(segments[0])
        folded = head.lower()
        rest = [unquote(segment) for segment in segments[1:]]
        if folded == "serviceproviderconfig" and not rest:
            return Route("/ServiceProviderConfig", "spc", _READ_ONLY)
        if folded in ("schemas", "resourcetypes"):
            canonical = "Schemas" if folded == "schemas" else "ResourceTypes"
            kind = "schemas" if folded == "schemas" else "resource_types"
            if not rest:
                return Route(f"/{canonical}", kind, _READ_ONLY)
            if len(rest) == 1:
                return Route(f"/{canonical}/{{id}}", kind, _READ_ONLY, item=rest[0])
        if folded in self._types:
            endpoint = self._types[folded].endpoint.strip("/")
            if not rest:
                return Route(f"/{endpoint}", "collection", _COLLECTION_METHODS, endpoint=endpoint)
            if len(rest) == 1 and rest[0].lower() == ".search":
                return Route(f"/{endpoint}/.search", "search", _SEARCH_METHODS, endpoint=endpoint)
            if len(rest) == 1:
                if not _ID_PATTERN.match(rest[0]):
                    raise NotFound(
                        f"No {self._types[folded].name} with that id: ids are 1-128 letters, digits, "
                        "'-', '_', '.' or '~'"
                    )
                return Route(f"/{endpoint}/{{id}}", "item", _ITEM_METHODS, endpoint=endpoint, item=rest[0])
        if folded == ".search" and not rest:
            return Route("/.search", "unsupported", _SEARCH_METHODS)
        if folded == "bulk" and not rest:
            return Route("/Bulk", "unsupported", _SEARCH_METHODS)
        if folded == "me":
            return Route("/Me", "unsupported", (*_ITEM_METHODS, "POST"))
        raise self._no_endpoint(raw_path)

    def _no_endpoint(self, raw_path: str) -> NotFound:
        endpoints = ", ".join(rt.endpoint for rt in self._types.values())
        return NotFound(
            f"No SCIM endpoint at {_clip(raw_path or '/')} under the base URL; endpoints: "
            f"/ServiceProviderConfig, /ResourceTypes, /Schemas, {endpoints}"
        )

    def _dispatch(self, route: Route, method: str, request: ScimRequest) -> ScimResponse:
        if route.kind == "spc":
            return ScimResponse(200, discovery_spc(request.base_url))
        if route.kind == "schemas":
            return ScimResponse(200, discovery_schemas(request.base_url, route.item))
        if route.kind == "resource_types":
            return ScimResponse(200, discovery_resource_types(request.base_url, route.item))
        if route.kind == "unsupported":
            raise NotImplementedOperation(_UNSUPPORTED[route.template])
        assert route.endpoint is not None
        key = route.endpoint.lower()
        service, resource_type = self._services[key], self._types[key]
        if route.kind == "search":
            body = self._body(request, method, route)
            return self._list(request, service, resource_type, _search_params(body))
        if route.kind == "collection":
            if method == "GET":
                return self._list(request, service, resource_type, dict(request.query))
            created = service.create(self._body(request, method, route))
            return self._resource(request, resource_type, created, status=201)
        assert route.item is not None
        params = listing.parse_projection(request.query, resource_type)
        if method == "GET":
            found = service.get(route.item, wants_members=params.wants_members)
            return self._resource(request, resource_type, found, params=params)
        if method == "PUT":
            replaced = service.replace(route.item, self._body(request, method, route))
            return self._resource(request, resource_type, replaced, params=params)
        if method == "PATCH":
            patched = service.patch(route.item, self._body(request, method, route))
            if patched is None:
                # The service applied the PATCH without reading the whole resource back (a
                # group's members cost a search): 204, which RFC 7644 §3.5.2 allows, unless the
                # client named "attributes", which obliges a 200 with them.
                if not params.names:
                    return ScimResponse(204)
                patched = service.get(route.item, wants_members=params.wants_members)
            return self._resource(request, resource_type, patched, params=params)
        service.delete(route.item)
        return ScimResponse(204)

    # -- helpers -----------------------------------------------------------------------------

    def _body(self, request: ScimRequest, method: str, route: Route) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        check_media_type(content_type)
        if not request.body.strip():
            raise InvalidSyntax(f"{method} {route.template} needs a JSON object body")
        return jsonbody.parse_json_object(request.body, self.max_body_bytes, self.max_json_depth)

    def _list(
        self,
        request: ScimRequest,
        service: ResourceService,
        resource_type: ResourceType,
        params: Mapping[str, str],
    ) -> ScimResponse:
        parsed = listing.parse_list_params(params, resource_type)
        query = ListQuery(
            filter=parsed.filter,
            start_index=parsed.start_index,
            count=parsed.count,
            wants_members=parsed.projection.wants_members,
        )
        page = service.list(query)
        resources = [
            listing.project(self._locate(request, resource_type, item), resource_type, parsed.projection)
            for item in page.resources[: parsed.count]
        ]
        return ScimResponse(200, listing.list_response(page.total, resources, parsed.start_index))

    def _resource(
        self,
        request: ScimRequest,
        resource_type: ResourceType,
        resource: Resource,
        *,
        status: int = 200,
        params: listing.Projection | None = None,
    ) -> ScimResponse:
        located = self._locate(request, resource_type, resource)
        meta = located.get("meta") or {}
        headers = {"Location": meta["location"]}
        if isinstance(meta.get("version"), str):
            headers["ETag"] = meta["version"]
        projection = params or listing.parse_projection(request.query, resource_type)
        return ScimResponse(status, listing.project(located, resource_type, projection), headers)

    @staticmethod
    def _locate(request: ScimRequest, resource_type: ResourceType, resource: Resource) -> Resource:
        """Fill ``meta.location`` from the request's base URL; the services cannot know it."""
        resource_id = resource.get("id")
        if not isinstance(resource_id, str) or not resource_id:
            raise TypeError(f"{resource_type.name} service returned a resource without an id")
        located = dict(resource)
        meta = dict(located.get("meta") or {})
        meta.setdefault("resourceType", resource_type.name)
        meta["location"] = (
            f"{request.base_url.rstrip('/')}{resource_type.endpoint}/{quote(resource_id, safe='')}"
        )
        located["meta"] = meta
        base = request.base_url.rstrip("/")
        for name in _SERVER_REFERENCES:
            values = located.get(name)
            if isinstance(values, list):
                located[name] = [_absolute_ref(base, value) for value in values]
        return located


#: Multi-valued attributes whose ``$ref`` the services write relative to the SCIM base URL
#: (``Users/<id>``, ``Groups/<id>``): only the app knows the host and stage to prefix.
_SERVER_REFERENCES: Final = ("members", "groups")


def _absolute_ref(base: str, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ref = value.get("$ref")
    if not isinstance(ref, str) or "://" in ref:
        return value
    return {**value, "$ref": f"{base}/{ref.lstrip('/')}"}


_UNSUPPORTED: Final = {
    "/.search": "Searching across resource types is not supported; POST /Users/.search instead",
    "/Bulk": "Bulk operations are not supported (ServiceProviderConfig bulk.supported is false); "
    "send one request per resource",
    "/Me": "/Me is not supported: requests are made by an identity provider, not by a user",
}


def check_media_type(content_type: str) -> None:
    """Accept SCIM/JSON bodies (UTF-8); a missing Content-Type is read as JSON."""
    if not content_type.strip():
        return
    media, _, params = content_type.partition(";")
    if media.strip().lower() not in _JSON_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"Content-Type {_clip(media.strip(), 60)!r} is not accepted; send application/scim+json "
            "(or application/json)"
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("Only the utf-8 charset is accepted for SCIM bodies")


def _search_params(body: Mapping[str, Any]) -> dict[str, str]:
    """A SearchRequest body (RFC 7644 §3.4.3) as the query parameters of the equivalent GET."""
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or SEARCH_REQUEST_SCHEMA not in schemas:
        raise InvalidSyntax(f"A search body must list the schema {SEARCH_REQUEST_SCHEMA} in 'schemas'")
    params: dict[str, str] = {}
    for key in ("filter", "sortBy", "sortOrder"):
        if key in body and body[key] is not None:
            if not isinstance(body[key], str):
                raise InvalidValue(f"'{key}' in a search body must be a string")
            params[key] = body[key]
    for key in ("startIndex", "count"):
        if key in body and body[key] is not None:
            if isinstance(body[key], bool) or not isinstance(body[key], int):
                raise InvalidValue(f"'{key}' in a search body must be an integer")
            params[key] = str(body[key])
    for key in ("attributes", "excludedAttributes"):
        if key in body and body[key] is not None:
            value = body[key]
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise InvalidValue(f"'{key}' in a search body must be an array of attribute names")
            params[key] = ",".join(value)
    return params


def error_response(err: ScimError) -> ScimResponse:
    return ScimResponse(err.status, err.to_body(), dict(err.headers))


def internal_error(correlation_id: str) -> ScimResponse:
    """The only 500 this service sends: nothing about the failure, everything to find it."""
    return ScimResponse(
        500,
        {
            "schemas": [ERROR_SCHEMA],
            "status": "500",
            "detail": f"Internal error; it has been logged with correlation id {correlation_id}. "
            "Retry later, and quote the id to the operator if it persists.",
        },
    )


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# -- discovery ---------------------------------------------------------------------------------


def discovery_spc(base_url: str) -> dict[str, Any]:
    return discovery.service_provider_config(base_url)


def discovery_schemas(base_url: str, schema_id: str | None) -> dict[str, Any]:
    return discovery.schemas(base_url) if schema_id is None else discovery.schema(base_url, schema_id)


def discovery_resource_types(base_url: str, type_id: str | None) -> dict[str, Any]:
    if type_id is None:
        return discovery.resource_types(base_url)
    return discovery.resource_type(base_url, type_id)
