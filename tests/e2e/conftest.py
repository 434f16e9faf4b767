"""End-to-end harness: real HTTP against the local SCIM server, over the Connect emulator.

The ``scim`` fixture (function-scoped) resets the ``emulator`` fixture's state, builds the app
with ``runtime.wiring.build_app`` exactly as ``python -m local serve`` does, serves it on
127.0.0.1 port 0 with a fresh bearer token, and yields a ``ScimHttp``:

``scim.base_url``
    ``http://127.0.0.1:PORT/scim/v2``
``scim.token``
    the bearer token the server requires
``scim.emulator``
    the ``emulator`` fixture (``.url``, ``.instance_id``, ``.stats()``, ``.configure(**kw)``...)
``scim.settings``
    the ``runtime.settings.Settings`` the app runs with
``scim.request(method, path, json=None, headers=None, raw=None, params=None)``
    ``-> (status, headers, json_body)``. ``path`` is relative to the base URL (``"/Users"``,
    ``"/Users?count=2"``) or absolute. The bearer token and, with a body, ``Content-Type:
    application/scim+json`` are sent unless ``headers`` overrides them; a header set to ``None``
    is not sent (``headers={"Authorization": None}``). ``params`` are URL-encoded onto the
    path. ``headers`` in the result is case-insensitive; ``json_body`` is ``None`` when the
    response has no body.
``scim.create_user(user_name, **attributes)``
    POST /Users with the core schema; asserts 201 and returns the created resource.

Pick the IdP profile, deactivation mode or any other ``Settings`` field per test with indirect
parametrisation::

    @pytest.mark.parametrize("scim", [{"idp": "entra", "deactivation": "delete"}], indirect=True)
    def test_entra_deactivation_deletes(scim): ...

Every test gets its own server and a reset emulator, so tests never see each other's users.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from local.server import LocalScimServer
from runtime.scim.schema import CORE_USER
from runtime.settings import Settings
from runtime.wiring import build_app


class Headers(Mapping[str, str]):
    """Response headers, looked up case-insensitively."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = {name.lower(): value for name, value in items}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def http_request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, Headers, Any]:
    """One HTTP exchange with urllib; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, raw_headers, payload = response.status, response.getheaders(), response.read()
    except urllib.error.HTTPError as err:
        status, raw_headers, payload = err.code, list(err.headers.items()), err.read()
    parsed = jsonlib.loads(payload) if payload else None
    return status, Headers(raw_headers), parsed


@dataclass
class ScimHttp:
    base_url: str
    token: str
    emulator: Any
    settings: Settings
    server: LocalScimServer

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: Mapping[str, str | None] | None = None,
        raw: bytes | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Headers, Any]:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = raw if raw is not None else (jsonlib.dumps(json).encode() if json is not None else None)
        merged: dict[str, str | None] = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/scim+json",
        }
        if body is not None:
            merged["Content-Type"] = "application/scim+json"
        merged.update(headers or {})
        sent = {name: value for name, value in merged.items() if value is not None}
        return http_request(method, url, body=body, headers=sent)

    def create_user(self, user_name: str, **attributes: Any) -> dict[str, Any]:
        status, _, body = self.request(
            "POST", "/Users", json={"schemas": [CORE_USER], "userName": user_name, **attributes}
        )
        assert status == 201, body
        return dict(body)


def _settings(emulator: Any, overrides: Mapping[str, Any]) -> Settings:
    fields = dict(overrides)
    # The emulator fixture does not throttle, so the app does not pace itself either (tests that
    # turn the emulator's quota on want to see its 429s, not wait them out).
    fields.setdefault("connect_rate_limit", 0.0)
    for name in ("default_security_profiles",):
        if name in fields:
            fields[name] = tuple(fields[name])
    if fields.get("assignable_security_profiles") is not None:
        fields["assignable_security_profiles"] = frozenset(fields["assignable_security_profiles"])
    return Settings(
        instance_id=emulator.instance_id,
        connect_endpoint_url=emulator.url,
        region="us-east-1",
        **fields,
    )


@pytest.fixture
def scim(request: pytest.FixtureRequest, emulator: Any) -> Iterator[ScimHttp]:
    overrides: dict[str, Any] = dict(getattr(request, "param", None) or {})
    token = overrides.pop("token", None) or secrets.token_urlsafe(32)
    if hasattr(emulator, "reset"):
        emulator.reset()
    settings = _settings(emulator, overrides)
    server = LocalScimServer(build_app(settings), token=token)
    base_url = server.start()
    try:
        yield ScimHttp(base_url=base_url, token=token, emulator=emulator, settings=settings, server=server)
    finally:
        server.stop()
