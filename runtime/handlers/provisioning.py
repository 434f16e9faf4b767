"""Lambda entry point behind API Gateway (REST API, AWS_PROXY, payload v1): event in, proxy response out.

The app is built on the first invocation and kept for the life of the execution environment,
so the Connect client, its connection pool and the profile name caches survive between
requests. Importing this module costs only the SCIM core (no boto3), which keeps import-time
failures impossible and lets tests install an app before the first call.

The token has already been checked by the TOKEN authorizer; nothing here logs headers or bodies.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
from collections.abc import Mapping
from typing import Any, Final

from runtime.app import ScimApp, error_response, internal_error
from runtime.observability import get_logger, log_event
from runtime.scim.errors import InvalidSyntax, NotFound, ScimError
from runtime.scim.http import ScimRequest, ScimResponse, check_query_length
from runtime.settings import SettingsError

DEFAULT_BASE_PATH: Final = "/scim/v2"
_HOST: Final = re.compile(r"^[A-Za-z0-9.-]+(?::\d{1,5})?$")
_STAGE: Final = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class _Environment:
    """What this execution environment keeps between invocations: the app and its base path."""

    app: ScimApp | None = None
    base_path: str = DEFAULT_BASE_PATH


_env = _Environment()


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway proxy event with a proxy response (never raises)."""
    correlation_id = _correlation_id(event, context)
    try:
        app = current_app()
    except Exception as exc:  # misconfiguration: a generic 500 for the IdP, the cause in the log
        # A SettingsError names the variable at fault and carries no personal data: log it whole.
        detail = str(exc) if isinstance(exc, SettingsError) else None
        log_event(
            get_logger("handler"), "scim.startup_failed", level=logging.ERROR, exc=exc, config_error=detail
        )
        return to_proxy_response(internal_error(correlation_id or "unavailable"))
    try:
        request = to_scim_request(event, base_path=_env.base_path)
    except ScimError as err:
        response = error_response(err)
        if correlation_id:
            response.headers["X-Correlation-Id"] = correlation_id
        return to_proxy_response(response)
    return to_proxy_response(app.handle(request, correlation_id=correlation_id))


def install_app(app: ScimApp | None, *, base_path: str = DEFAULT_BASE_PATH) -> None:
    """Use ``app`` for the following invocations (tests); ``None`` rebuilds from the environment."""
    _env.app = app
    _env.base_path = base_path


def current_app() -> ScimApp:
    """The app of this execution environment, built from the environment on first use."""
    if _env.app is None:
        from runtime.settings import Settings
        from runtime.wiring import build_app

        settings = Settings.from_env(os.environ)
        _env.app = build_app(settings)
        _env.base_path = "/" + settings.scim_base_path.strip("/")
    return _env.app


def to_scim_request(event: Mapping[str, Any], *, base_path: str = DEFAULT_BASE_PATH) -> ScimRequest:
    """The ``ScimRequest`` for a REST API proxy event. REST APIs keep the path percent-encoded."""
    headers: dict[str, str] = {}
    for name, value in (event.get("headers") or {}).items():
        if value is not None:
            headers[str(name).lower()] = str(value)
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if isinstance(values, list) and values and values[0] is not None:
            headers.setdefault(str(name).lower(), str(values[0]))
    path = str(event.get("path") or "/")
    if path != base_path and not path.startswith(base_path + "/"):
        raise NotFound(f"SCIM is served under {base_path}")
    query: dict[str, str] = {}
    multi = event.get("multiValueQueryStringParameters") or {}
    # The query string as sent, every repeated value included (API Gateway has split it already).
    sent = sum(
        len(str(k)) + sum(len(str(v)) + 2 for v in vs) for k, vs in multi.items() if isinstance(vs, list)
    )
    single = event.get("queryStringParameters") or {}
    check_query_length(max(sent, sum(len(str(k)) + len(str(v)) + 2 for k, v in single.items())))
    for key, values in multi.items():
        if isinstance(values, list) and values:
            query[str(key)] = str(values[0])
    for key, value in single.items():
        if value is not None:
            query.setdefault(str(key), str(value))
    return ScimRequest(
        method=str(event.get("httpMethod") or "GET").upper(),
        path=path[len(base_path) :] or "/",
        base_url=base_url(event, headers, base_path),
        query=query,
        headers=headers,
        body=_body(event),
    )


def base_url(event: Mapping[str, Any], headers: Mapping[str, str], base_path: str = DEFAULT_BASE_PATH) -> str:
    """``https://{host}/{stage}/scim/v2``: what the IdP called, so ``Location`` resolves.

    A custom domain with a base-path mapping drops the stage from the URL; API Gateway then
    reports the mapped path in ``requestContext.path`` without the stage, which we honour.
    """
    context = event.get("requestContext") or {}
    candidates = (headers.get("host", ""), str(context.get("domainName") or ""))
    host = next((name for name in candidates if _HOST.match(name)), "localhost")
    stage = str(context.get("stage") or "")
    external_path = str(context.get("path") or "")
    resource_path = str(event.get("path") or "")
    prefix = ""
    if external_path and resource_path and external_path.endswith(resource_path):
        prefix = external_path[: len(external_path) - len(resource_path)].rstrip("/")
    elif stage and _STAGE.match(stage) and stage != "$default":
        prefix = f"/{stage}"
    return f"https://{host}{prefix}{base_path}"


def _body(event: Mapping[str, Any]) -> bytes:
    raw = event.get("body")
    if raw is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(str(raw), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSyntax("The request body is not valid base64") from None
    return str(raw).encode("utf-8")


def _correlation_id(event: Mapping[str, Any], context: Any) -> str | None:
    request_id = (event.get("requestContext") or {}).get("requestId")
    if isinstance(request_id, str) and request_id:
        return request_id
    aws_request_id = getattr(context, "aws_request_id", None)
    return aws_request_id if isinstance(aws_request_id, str) else None


def to_proxy_response(response: ScimResponse) -> dict[str, Any]:
    body = ""
    if response.body is not None and response.status != 204:
        body = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
    return {
        "statusCode": response.status,
        "headers": dict(response.headers),
        "body": body,
        "isBase64Encoded": False,
    }
