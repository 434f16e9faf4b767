"""Fixtures: an app over ``FakeUsers`` and ``FakeGroups``, and a ``call`` helper."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from runtime.app import ScimApp
from runtime.scim.http import ScimRequest, ScimResponse

from .fake_groups import FakeGroups
from .fakes import FakeUsers

BASE_URL = "https://scim.example.test/dev/scim/v2"


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def groups() -> FakeGroups:
    return FakeGroups()


@pytest.fixture
def app(users: FakeUsers, groups: FakeGroups) -> ScimApp:
    return ScimApp({"Users": users, "Groups": groups})


@dataclass
class Reply:
    """A ``ScimResponse`` as tests read it (``body`` typed loosely)."""

    status: int
    headers: dict[str, str]
    body: Any


def call(
    app: ScimApp,
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Send one request through ``app.handle`` the way an adapter would."""
    all_headers = {"content-type": "application/scim+json"} if (body is not None or raw) else {}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
    response: ScimResponse = app.handle(
        ScimRequest(
            method=method, path=path, base_url=BASE_URL, query=query or {}, headers=all_headers, body=payload
        )
    )
    return Reply(response.status, response.headers, response.body)
