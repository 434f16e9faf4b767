"""Connect's REST-JSON wire protocol, driven by botocore's own service model.

Routes, where each input member travels and how outputs are named all come from the model boto3
uses, so the emulator cannot drift from what a real client sends and parses. Nothing here knows what
an operation does; ``operations`` does.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import botocore.session

from local.emulator.errors import UNKNOWN_OPERATION, UNKNOWN_OPERATION_STATUS, ConnectError, invalid_request

SERVICE = "connect"


@functools.cache
def service_model() -> Any:
    """Connect's service model from the installed botocore (loaded once; it is large)."""
    return botocore.session.get_session().get_service_model(SERVICE)


def operation_model(name: str) -> Any:
    return service_model().operation_model(name)


def error_status(code: str) -> int:
    """The HTTP status the model declares for an error code (what botocore expects with it)."""
    if code == UNKNOWN_OPERATION:
        return UNKNOWN_OPERATION_STATUS
    shape = service_model().shape_for(code)
    return int(shape.metadata["error"]["httpStatusCode"])


def error_body(code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of an error as Connect sends it.

    botocore's rest-json parser takes the code from ``x-amzn-ErrorType`` and the message from
    ``message``/``Message``; the modeled error shapes name their member ``Message``, so both are sent.
    """
    body = json.dumps({"message": message, "Message": message}).encode()
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    return error_status(code), headers, body


# ---------------------------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class _Segment:
    text: str
    label: bool
    greedy: bool = False


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    segments: tuple[_Segment, ...]


@dataclass(frozen=True)
class RouteMatch:
    operation: str
    labels: dict[str, str]


class Router:
    """Maps (method, raw path) to an operation of the model, literal segments winning over labels.

    Labels are matched on the raw path and percent-decoded afterwards: botocore encodes ``/`` inside a
    label (a resource ARN in ``/tags/{resourceArn}``) as ``%2F``, so one label is one raw segment.
    """

    def __init__(self, model: Any) -> None:
        self._routes: list[_Route] = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            self._routes.append(_Route(name, http["method"].upper(), _parse_template(http["requestUri"])))

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        parts = raw_path.lstrip("/").split("/")
        best: tuple[tuple[int, ...], RouteMatch] | None = None
        for route in self._routes:
            if route.method != method.upper():
                continue
            found = _match_route(route, parts)
            if found is None:
                continue
            score, labels = found
            if best is None or score > best[0]:
                best = (score, RouteMatch(route.operation, labels))
        return None if best is None else best[1]


def _parse_template(uri: str) -> tuple[_Segment, ...]:
    segments = []
    for part in uri.split("?", 1)[0].lstrip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            segments.append(_Segment(name.rstrip("+"), label=True, greedy=greedy))
        else:
            segments.append(_Segment(part, label=False))
    return tuple(segments)


def _match_route(route: _Route, parts: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    segments = route.segments
    greedy = segments and segments[-1].greedy
    if len(parts) != len(segments) and not (greedy and len(parts) >= len(segments)):
        return None
    labels: dict[str, str] = {}
    score: list[int] = []
    for index, segment in enumerate(segments):
        if segment.greedy:
            labels[segment.text] = unquote("/".join(parts[index:]))
            score.append(0)
            break
        if segment.label:
            labels[segment.text] = unquote(parts[index])
            score.append(1)
        elif parts[index] == segment.text:
            score.append(2)
        else:
            return None
    return tuple(score), labels


# ------------------------------------------------------------------------------------------------ input


def parse_input(
    op_model: Any,
    *,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
    error_code: str,
) -> dict[str, Any]:
    """The operation's input as boto3 built it, read from where the model says each member travels.

    Types are not checked here (``validation`` does it, with the service's messages); only text that
    cannot be read at all (a non-numeric ``maxResults``) is refused with ``error_code``.
    """
    shape = op_model.input_shape
    if shape is None:
        return {}
    document = _read_json_body(body) if body.strip() else {}
    params: dict[str, Any] = {}
    lower_headers = {key.lower(): value for key, value in headers.items()}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in labels:
                params[name] = _from_text(member, labels[wire_name], name, error_code)
        elif location == "querystring":
            if member.type_name == "list" and wire_name in query:
                params[name] = [
                    _from_text(member.member, item, name, error_code) for item in query[wire_name]
                ]
            elif wire_name in query:
                params[name] = _from_text(member, query[wire_name][0], name, error_code)
        elif location == "header":
            if wire_name.lower() in lower_headers:
                params[name] = _from_text(member, lower_headers[wire_name.lower()], name, error_code)
        elif location is None and wire_name in document:
            params[name] = _from_json(member, document[wire_name])
    return params


def _read_json_body(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_request("the request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise invalid_request("the request body must be a JSON object")
    return document


def _from_text(shape: Any, text: str, member: str, error_code: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise ConnectError(error_code, f"{member} must be an integer") from None
    if shape.type_name == "boolean":
        if text not in ("true", "false"):
            raise ConnectError(error_code, f"{member} must be true or false")
        return text == "true"
    return text


def _from_json(shape: Any, value: Any) -> Any:
    """Body JSON renamed from wire names to member names; members the model does not know are dropped,
    as AWS services ignore unknown JSON fields."""
    if shape.type_name == "structure" and isinstance(value, dict):
        converted = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            if wire_name in value:
                converted[name] = _from_json(member, value[wire_name])
        return converted
    if shape.type_name == "list" and isinstance(value, list):
        return [_from_json(shape.member, item) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: _from_json(shape.value, item) for key, item in value.items()}
    return value


# ----------------------------------------------------------------------------------------------- output


class OutputShapeError(Exception):
    """A handler produced something the output shape does not allow: an emulator bug, never sent."""


def serialize_output(op_model: Any, result: Mapping[str, Any]) -> bytes:
    """The JSON body for an operation's output, checked member by member against the output shape.

    botocore's parser silently ignores members it does not know, so a misspelt key would go unnoticed
    by clients; refusing it here makes such a bug fail loudly in the emulator's own tests.
    """
    shape = op_model.output_shape
    if shape is None:
        if result:
            raise OutputShapeError(f"{op_model.name} has no output but the handler returned {sorted(result)}")
        return b"{}"
    return json.dumps(_to_json(shape, result, op_model.name)).encode()


def _to_json(shape: Any, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, Mapping):
            raise OutputShapeError(f"{path}: expected an object")
        out = {}
        for key, item in value.items():
            if key not in shape.members:
                raise OutputShapeError(f"{path}: {key} is not a member of {shape.name}")
            member = shape.members[key]
            if member.serialization.get("location"):
                raise OutputShapeError(f"{path}.{key}: non-body output members are not emulated")
            if item is not None:
                out[member.serialization.get("name", key)] = _to_json(member, item, f"{path}.{key}")
        return out
    if kind == "list":
        if not isinstance(value, list | tuple):
            raise OutputShapeError(f"{path}: expected a list")
        return [_to_json(shape.member, item, f"{path}[]") for item in value]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise OutputShapeError(f"{path}: expected a map")
        return {
            _to_json(shape.key, key, f"{path}{{key}}"): _to_json(shape.value, item, f"{path}{{value}}")
            for key, item in value.items()
        }
    if kind == "timestamp":
        # rest-json's default timestamp format in bodies is epoch seconds as a JSON number.
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise OutputShapeError(f"{path}: expected epoch seconds")
        return float(value)
    expected: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "long": int,
        "boolean": bool,
        "float": (int, float),
        "double": (int, float),
    }
    if kind not in expected:
        raise OutputShapeError(f"{path}: shape type {kind} is not emulated")
    if isinstance(value, bool) != (kind == "boolean") or not isinstance(value, expected[kind]):
        raise OutputShapeError(f"{path}: expected {kind}")
    return value
