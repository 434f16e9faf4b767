"""List query parameters, ListResponse envelopes and attribute projection (RFC 7644 §3.4.2, §3.9).

Decisions (documented because RFC 7644 leaves them to the service provider):

* ``startIndex`` below 1 is read as 1 (RFC 7644 §3.4.2.4); ``count`` below 0 as 0, and above
  ``MAX_COUNT`` (100) as ``MAX_COUNT``, which ServiceProviderConfig advertises as
  ``filter.maxResults``. Absent ``count`` means ``MAX_COUNT``. Non-integers are 400
  ``invalidValue``: Okta's spec test checks that the paging fields are integers both ways.
* ``attributes``/``excludedAttributes`` are comma-separated attribute paths, URN-qualified or
  not, any case. A well-formed name that the resource type does not define is **ignored**
  (it selects nothing): IdPs send one fixed list for every resource type, e.g. Entra's
  ``excludedAttributes=members`` on /Users. A malformed name is 400 ``invalidValue``. Both
  parameters at once are 400 ``invalidValue`` (RFC 7644 §3.9 defines them as alternatives).
* ``sortBy``/``sortOrder`` are ignored: ServiceProviderConfig says ``sort.supported: false``.
* ``filter`` is passed through as text: the service parses it with its IdP policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime.scim.errors import InvalidValue
from runtime.scim.filter import get_key
from runtime.scim.schema import (
    LIST_RESPONSE,
    Attribute,
    ResourcePath,
    ResourceType,
    UnknownAttribute,
    resolve_path,
)

MAX_COUNT = 100
_INTEGER = re.compile(r"^[+-]?[0-9]{1,12}$")
_PATH_TEXT = re.compile(r"^[A-Za-z0-9_:.$-]+$")


@dataclass(frozen=True)
class Projection:
    """Resolved ``attributes`` / ``excludedAttributes``; empty tuples mean "the defaults".

    ``schemas_wanted``/``schemas_excluded`` hold extension URNs named on their own
    (``attributes=urn:...:enterprise:2.0:User`` selects the whole extension object).
    ``names`` keeps every requested name, lower-cased, known or not, for ``wants_members``.
    """

    attributes: tuple[ResourcePath, ...] = ()
    excluded: tuple[ResourcePath, ...] = ()
    schemas_wanted: tuple[str, ...] = ()
    schemas_excluded: tuple[str, ...] = ()
    names: frozenset[str] = field(default_factory=frozenset)
    excluded_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def selective(self) -> bool:
        return bool(self.names)

    @property
    def wants_members(self) -> bool:
        """False when the client will not see ``members`` (skip the member lookup)."""
        if _mentions(self.excluded_names, "members"):
            return False
        return not self.selective or _mentions(self.names, "members")


@dataclass(frozen=True)
class ListParams:
    filter: str | None
    start_index: int
    count: int
    projection: Projection


def parse_list_params(query: Mapping[str, str], resource_type: ResourceType) -> ListParams:
    """Read ``filter``, ``startIndex``, ``count`` and the projection from query parameters."""
    start = _integer(query, "startIndex")
    count = _integer(query, "count")
    raw_filter = _param(query, "filter")
    return ListParams(
        filter=raw_filter if raw_filter is not None and raw_filter.strip() else None,
        start_index=1 if start is None or start < 1 else start,
        count=MAX_COUNT if count is None else max(0, min(count, MAX_COUNT)),
        projection=parse_projection(query, resource_type),
    )


def parse_projection(query: Mapping[str, str], resource_type: ResourceType) -> Projection:
    wanted = _param(query, "attributes")
    excluded = _param(query, "excludedAttributes")
    wanted_names = _names(wanted, "attributes")
    excluded_names = _names(excluded, "excludedAttributes")
    if wanted_names and excluded_names:
        raise InvalidValue("use either 'attributes' or 'excludedAttributes', not both (RFC 7644 §3.9)")
    paths, schemas = _resolve_all(wanted_names, resource_type)
    ex_paths, ex_schemas = _resolve_all(excluded_names, resource_type)
    return Projection(
        attributes=paths,
        excluded=ex_paths,
        schemas_wanted=schemas,
        schemas_excluded=ex_schemas,
        names=frozenset(n.lower() for n in wanted_names),
        excluded_names=frozenset(n.lower() for n in excluded_names),
    )


def list_response(total: int, resources: list[dict[str, Any]], start_index: int) -> dict[str, Any]:
    """A ListResponse (RFC 7644 §3.4.2) with integer paging fields."""
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": int(total),
        "startIndex": int(start_index),
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def project(resource: dict[str, Any], resource_type: ResourceType, projection: Projection) -> dict[str, Any]:
    """Apply ``returned`` characteristics and the client's projection to one resource.

    ``returned: always`` attributes (``id``, ``schemas``, ``userName``) survive any
    projection; ``never`` ones never leave; ``request`` ones only when named. Extension
    objects left empty are dropped.
    """
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key.lower() == "schemas":
            out[key] = value
            continue
        schema = resource_type.extension(key)
        if schema is not None:
            if not isinstance(value, dict):
                continue
            ext = _project_object(value, schema.attributes, schema.id, True, projection)
            if ext:
                out[key] = ext
            continue
        attr = resource_type.core_attribute(key)
        if attr is None:
            if not projection.selective:
                out[key] = value
            continue
        kept = _project_attribute(attr, value, resource_type.schema.id, False, projection)
        if kept is not _DROP:
            out[key] = kept
    return out


# --- internals --------------------------------------------------------------------------------

_DROP = object()


def _project_object(
    obj: dict[str, Any],
    attributes: tuple[Attribute, ...],
    urn: str,
    is_extension: bool,
    projection: Projection,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        attr = next((a for a in attributes if a.name.lower() == key.lower()), None)
        if attr is None:
            if not projection.selective:
                out[key] = value
            continue
        kept = _project_attribute(attr, value, urn, is_extension, projection)
        if kept is not _DROP:
            out[key] = kept
    return out


def _project_attribute(
    attr: Attribute, value: Any, urn: str, is_extension: bool, projection: Projection
) -> Any:
    if attr.returned == "never":
        return _DROP
    if attr.returned == "always":
        return value
    whole_schema_wanted = urn in projection.schemas_wanted
    if urn in projection.schemas_excluded:
        return _DROP
    if projection.selective:
        if whole_schema_wanted or _selected(projection.attributes, urn, attr, None):
            return value
        subs = [p.sub_attribute for p in projection.attributes if _same(p, urn, attr) and p.sub_attribute]
        if not subs or not attr.is_complex:
            return _DROP
        return _keep_subs(attr, value, {s.lower() for s in subs}, keep=True)
    if attr.returned == "request":
        return _DROP
    if _selected(projection.excluded, urn, attr, None):
        return _DROP
    subs = [p.sub_attribute for p in projection.excluded if _same(p, urn, attr) and p.sub_attribute]
    if subs and attr.is_complex:
        return _keep_subs(attr, value, {s.lower() for s in subs}, keep=False)
    return value


def _keep_subs(attr: Attribute, value: Any, subs: set[str], *, keep: bool) -> Any:
    def one(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        out = {}
        for key, sub_value in item.items():
            sub = attr.sub(key)
            always = sub is not None and sub.returned == "always"
            chosen = key.lower() in subs
            if always or chosen == keep:
                out[key] = sub_value
        return out

    if isinstance(value, list):
        items = [one(item) for item in value]
        kept = [item for item in items if item]
        return kept if kept else _DROP
    result = one(value)
    return result if result else _DROP


def _same(path: ResourcePath, urn: str, attr: Attribute) -> bool:
    return path.schema == urn and path.attribute == attr.name


def _selected(paths: tuple[ResourcePath, ...], urn: str, attr: Attribute, sub: str | None) -> bool:
    return any(_same(p, urn, attr) and p.sub_attribute == sub for p in paths)


def _mentions(names: frozenset[str], attribute: str) -> bool:
    return any(n == attribute or n.endswith(":" + attribute) or n.startswith(attribute + ".") for n in names)


def _param(query: Mapping[str, str], name: str) -> str | None:
    value = get_key(dict(query), name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"'{name}' must be given once, as text")
    return value


def _integer(query: Mapping[str, str], name: str) -> int | None:
    raw = _param(query, name)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not _INTEGER.match(text):
        raise InvalidValue(f"'{name}' must be an integer (RFC 7644 §3.4.2.4)")
    return int(text)


def _names(raw: str | None, param: str) -> list[str]:
    if raw is None:
        return []
    names = [part.strip() for part in raw.split(",") if part.strip()]
    for name in names:
        if len(name) > 256 or not _PATH_TEXT.match(name):
            raise InvalidValue(f"'{param}' must list attribute names separated by commas (RFC 7644 §3.9)")
    return names


def _resolve_all(
    names: list[str], resource_type: ResourceType
) -> tuple[tuple[ResourcePath, ...], tuple[str, ...]]:
    paths: list[ResourcePath] = []
    schemas: list[str] = []
    for name in names:
        schema, rest = resource_type.split_urn(name)
        if schema is not None and rest == "":
            schemas.append(schema.id)
            continue
        try:
            paths.append(resolve_path(resource_type, name, error=InvalidValue, unknown=UnknownAttribute))
        except UnknownAttribute:
            continue  # documented: a name we do not define selects nothing
    return tuple(paths), tuple(schemas)
