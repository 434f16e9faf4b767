"""Hostile input through the whole app: every answer is a SCIM response below 500, nothing escapes.

Hypothesis generates what a broken or malicious client could send — arbitrary text for filters,
PATCH operations, POST/PUT bodies, query strings, paths and methods; deep nesting, huge numbers,
wrong types, duplicate keys (also differing only in case), non-NFC names, control characters,
lone surrogates, invalid UTF-8 — and sends it through the Lambda handler (the API Gateway proxy
event) into the real app over the Connect emulator, so Connect's own validation is reached too.

The property, for every example:

* the handler returns (never raises) a proxy response whose status is below 500 — the one
  exception is ``501`` for the optional RFC 7644 endpoints we do not implement (``/Bulk``,
  ``/Me``, root ``/.search``), which RFC 7644 §3.12 prescribes;
* its body is JSON; at and above 400 it is a SCIM error: the Error schema, ``status`` equal to the
  HTTP status as a string, a string ``detail``, a ``scimType`` (when present) from RFC 7644's list,
  and ``Content-Type: application/scim+json``.

Examples are bounded (``max_examples``) to keep CI time; the counts are in the terminal summary.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import EmulatorConfig
from runtime.handlers import provisioning
from runtime.scim.errors import ERROR_SCHEMA, ScimError

from . import report
from .idp import CONNECT, CORE, ENTERPRISE, PATCH_OP
from .stack import Stack, running_stack

SCIM_TYPES = frozenset(
    {
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
    }
)
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_counts: Counter[str] = Counter()

# ---- strategies -------------------------------------------------------------------------------

NASTY_TEXT = st.lists(
    st.characters(codec="utf-8")
    | st.sampled_from(
        [
            "\x00",
            "\x1b",
            "\x7f",
            "e\u0301",
            "\u212b",
            '"',
            "\\",
            "\u2028",
            "\ufeff",
            "\u202e",
            "%00",
            "'",
            "\n",
        ]
    ),
    max_size=30,
).map("".join)
LONG_TEXT = st.integers(60, 5000).flatmap(
    lambda n: st.sampled_from(["a", "é", "\u00e9\u0301", "0", " "]).map(lambda c: c * n)
)
NAMES = st.sampled_from(
    [
        "userName",
        "USERNAME",
        "name",
        "name.givenName",
        "name.familyName",
        "displayName",
        "emails",
        'emails[type eq "work"].value',
        "emails.value",
        "phoneNumbers",
        'phoneNumbers[type eq "mobile"].value',
        "active",
        "externalId",
        "id",
        "meta.created",
        "title",
        "entitlements",
        'entitlements[value eq "Agent"]',
        "roles",
        "groups",
        "members",
        f"{ENTERPRISE}:department",
        f"{ENTERPRISE}:manager.value",
        f"{CONNECT}:securityProfiles",
        f"{CONNECT}:routingProfile",
        f"{CONNECT}:hierarchyGroup",
        f"{CONNECT}:phoneType",
        f"{CONNECT}:afterContactWorkTimeLimit",
        f"{CONNECT}:deskPhoneNumber",
        "urn:ietf:params:scim:schemas:extension:unknown:2.0:User:x",
        "schemas",
    ]
)
NUMBERS = st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=False)
SCALARS = (
    st.none()
    | st.booleans()
    | NUMBERS
    | NASTY_TEXT
    | st.sampled_from(
        [
            "Agent",
            "Admin",
            "SCIM-Deactivated",
            "Basic Routing Profile",
            "+14155550100",
            "True",
            "False",
            "Support",
        ]
    )
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES | NASTY_TEXT, inner, max_size=4),
    max_leaves=12,
)
FILTER_WORDS = NAMES | st.sampled_from(
    ["eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le", "and", "or", "not", "(", ")", "[", "]"]
)
FILTER_VALUES = st.sampled_from(['"x"', '"a\\"b"', "true", "false", "null", "1e400", "9" * 50, '"é"', '""'])
FILTERS = (
    NASTY_TEXT
    | st.lists(FILTER_WORDS | FILTER_VALUES | NASTY_TEXT, min_size=1, max_size=12).map(" ".join)
    | st.integers(1, 60).map(lambda n: "(" * n + 'userName eq "x"' + ")" * n)
    | st.integers(1, 120).map(lambda n: " or ".join(['userName eq "x"'] * n))
)
USER_ATTRIBUTES = st.fixed_dictionaries(
    {"schemas": st.sampled_from([[CORE], [CORE, ENTERPRISE, CONNECT], [], "x", [1]])},
    optional={
        "userName": NASTY_TEXT | LONG_TEXT | SCALARS,
        "name": st.fixed_dictionaries({}, optional={"givenName": SCALARS, "familyName": SCALARS}) | SCALARS,
        "active": SCALARS,
        "externalId": SCALARS,
        "emails": JSON_VALUES,
        "phoneNumbers": st.lists(st.fixed_dictionaries({"type": SCALARS, "value": SCALARS}), max_size=3),
        "entitlements": JSON_VALUES,
        "roles": JSON_VALUES,
        "title": SCALARS,
        ENTERPRISE: st.dictionaries(st.sampled_from(["department", "manager", "x"]), JSON_VALUES, max_size=3),
        CONNECT: st.dictionaries(
            st.sampled_from(
                [
                    "securityProfiles",
                    "routingProfile",
                    "hierarchyGroup",
                    "phoneType",
                    "afterContactWorkTimeLimit",
                ]
            ),
            JSON_VALUES,
            max_size=4,
        ),
        "id": SCALARS,
        "meta": JSON_VALUES,
    },
).flatmap(
    lambda body: st.dictionaries(NAMES | NASTY_TEXT, JSON_VALUES, max_size=3).map(
        lambda extra: {**extra, **body}
    )
)
OPERATIONS = st.lists(
    st.fixed_dictionaries(
        {
            "op": st.sampled_from(["add", "remove", "replace", "Add", "Replace", "Remove", "delete", "", 1])
            | SCALARS
        },
        optional={"path": NAMES | NASTY_TEXT | SCALARS, "value": JSON_VALUES},
    ),
    max_size=5,
)
PATCH_BODIES = st.fixed_dictionaries(
    {"schemas": st.sampled_from([[PATCH_OP], [], None, PATCH_OP])},
    optional={"Operations": OPERATIONS | JSON_VALUES},
)


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


RAW_BODIES = st.one_of(
    st.binary(max_size=200),
    st.integers(1, 400).map(lambda n: b'{"userName": ' + _nested(n) + b"}"),
    st.integers(1, 400).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.integers(20, 6000).map(lambda n: b'{"userName": "x", "n": ' + b"9" * n + b"}"),
    st.sampled_from(
        [
            b'{"userName": "dup", "USERNAME": "dup2"}',
            b'{"userName": "a", "userName": "b"}',
            b'{"userName": NaN}',
            b'{"userName": Infinity}',
            b'{"userName": "\\ud800"}',
            b'{"userName": "x"',
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}",
            b"[]",
            b'"text"',
            b"null",
            b"",
            b" ",
        ]
    ),
)
QUERY = st.dictionaries(
    st.sampled_from(
        ["filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder", "x"]
    )
    | NASTY_TEXT,
    NASTY_TEXT | st.integers(-(10**25), 10**25).map(str) | FILTERS,
    max_size=4,
)
SEGMENTS = st.sampled_from(
    [
        *("Users", "users", "Groups", "Schemas", "ResourceTypes", "ServiceProviderConfig", ".search", "Bulk"),
        *(
            "Me",
            "",
            "..",
            ".",
            "%00",
            "%2F",
            "%252F",
            "a%20b",
            "00000000-0000-0000-0000-000000000000",
            "x" * 200,
        ),
    ]
) | NASTY_TEXT.map(lambda s: quote(s, safe=""))
PATHS = st.lists(SEGMENTS, max_size=4).map(lambda parts: "/scim/v2/" + "/".join(parts))
METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "get", "FOO"])
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/scim+json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/json; charset=latin-1",
        "",
        "application/x-www-form-urlencoded",
    ]
)

# ---- the app behind the Lambda handler -------------------------------------------------------


@pytest.fixture(scope="module", params=["okta", "entra", "generic"])
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    with running_stack(EmulatorConfig(rate=0.0, max_users=100_000), idp=request.param) as running:
        provisioning.install_app(running.app)
        try:
            yield running
        finally:
            provisioning.install_app(None)


def _event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: bytes | None = None,
    content_type: str | None = "application/scim+json",
    base64_body: bool = False,
) -> dict[str, Any]:
    headers = {
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
        "Authorization": "Bearer not-checked-here",
    }
    if content_type is not None:
        headers["Content-Type"] = content_type
    event: dict[str, Any] = {
        "resource": "/scim/v2/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "queryStringParameters": query or None,
        "requestContext": {"stage": "dev", "requestId": "req-1", "path": f"/dev{path}"},
        "isBase64Encoded": base64_body,
        "body": None,
    }
    if body is not None:
        if base64_body:
            event["body"] = base64.b64encode(body).decode()
        else:
            event["body"] = body.decode("utf-8", "surrogateescape").encode("utf-8", "replace").decode("utf-8")
    return event


def _optional_endpoint(path: str) -> bool:
    """Whether the app routes ``path`` to an RFC 7644 endpoint it does not implement (501 there)."""
    try:
        return provisioning.current_app().route(path.removeprefix("/scim/v2")).kind == "unsupported"
    except ScimError:
        return False


def send(event: dict[str, Any], what: str) -> tuple[int, Any]:
    _counts[what] += 1
    response = provisioning.handler(event, None)
    status = response["statusCode"]
    assert isinstance(status, int)
    _counts["status 501 (optional endpoint)" if status == 501 else f"status {status // 100}xx"] += 1
    assert status < 500 or (status == 501 and _optional_endpoint(str(event.get("path", "")))), (
        status,
        response["body"][:300],
        event,
    )
    text = response["body"]
    if status == 204:
        assert text == ""
        return status, None
    body = json.loads(text)
    assert response["headers"]["Content-Type"].startswith("application/scim+json")
    if status >= 400:
        assert body["schemas"] == [ERROR_SCHEMA], body
        assert body["status"] == str(status), body
        assert isinstance(body["detail"], str) and body["detail"], body
        assert body.get("scimType", "invalidValue") in SCIM_TYPES, body
    return status, body


def _user(stack: Stack, tag: str) -> str:
    body = {
        "schemas": [CORE],
        "userName": f"hostile.{tag}@example.net",
        "name": {"givenName": "H", "familyName": "T"},
    }
    status, created = send(_event("POST", "/scim/v2/Users", body=json.dumps(body).encode()), "setup")
    assert status == 201, created
    return str(created["id"])


def _drop(user_id: str) -> None:
    provisioning.handler(_event("DELETE", f"/scim/v2/Users/{user_id}"), None)


# ---- properties -------------------------------------------------------------------------------


@EXAMPLES
@given(filter_text=FILTERS, extra=QUERY)
def test_any_filter_and_query_string_is_answered_below_500(
    stack: Stack, filter_text: str, extra: dict[str, str]
) -> None:
    for path in ("/scim/v2/Users", "/scim/v2/Groups"):
        send(_event("GET", path, query={**extra, "filter": filter_text}), "filters")
    search = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": filter_text,
        **extra,
    }
    send(_event("POST", "/scim/v2/Users/.search", body=json.dumps(search).encode()), "filters")


@EXAMPLES
@given(body=USER_ATTRIBUTES)
def test_any_post_body_is_answered_below_500_and_created_users_read_back(
    stack: Stack, body: dict[str, Any]
) -> None:
    status, created = send(_event("POST", "/scim/v2/Users", body=json.dumps(body).encode()), "post")
    if status == 201:
        again, fetched = send(_event("GET", f"/scim/v2/Users/{created['id']}"), "post")
        assert again == 200 and fetched["userName"] == created["userName"]
        _drop(created["id"])


@EXAMPLES
@given(body=USER_ATTRIBUTES, patch=PATCH_BODIES)
def test_any_put_or_patch_on_a_real_user_is_answered_below_500(
    stack: Stack, body: dict[str, Any], patch: dict[str, Any]
) -> None:
    user_id = _user(stack, "target")
    try:
        send(_event("PUT", f"/scim/v2/Users/{user_id}", body=json.dumps(body).encode()), "put")
        send(_event("PATCH", f"/scim/v2/Users/{user_id}", body=json.dumps(patch).encode()), "patch")
        after, fetched = send(_event("GET", f"/scim/v2/Users/{user_id}"), "patch")
        assert after == 200 and fetched["id"] == user_id
    finally:
        _drop(user_id)


@EXAMPLES
@given(
    raw=RAW_BODIES,
    method=st.sampled_from(["POST", "PUT", "PATCH"]),
    content_type=CONTENT_TYPES,
    b64=st.booleans(),
)
def test_any_raw_body_is_answered_below_500(
    stack: Stack, raw: bytes, method: str, content_type: str | None, b64: bool
) -> None:
    path = "/scim/v2/Users" if method == "POST" else "/scim/v2/Users/00000000-0000-4000-8000-000000000000"
    send(_event(method, path, body=raw, content_type=content_type, base64_body=b64), "raw")


@EXAMPLES
@given(method=METHODS, path=PATHS, query=QUERY, body=st.none() | RAW_BODIES)
def test_any_method_path_and_query_is_answered_below_500(
    stack: Stack, method: str, path: str, query: dict[str, str], body: bytes | None
) -> None:
    send(_event(method, path, query=query, body=body), "paths")


@EXAMPLES
@given(names=st.lists(NASTY_TEXT, min_size=2, max_size=2), user_name=NASTY_TEXT)
def test_non_nfc_and_control_character_names_are_stored_or_refused_never_a_5xx(
    stack: Stack, names: list[str], user_name: str
) -> None:
    body = {
        "schemas": [CORE],
        "userName": "nfc." + user_name + "e\u0301@example.net",
        "name": {"givenName": names[0] or "x", "familyName": names[1] or "y"},
        "displayName": "\u212b" + names[0],
    }
    status, created = send(_event("POST", "/scim/v2/Users", body=json.dumps(body).encode()), "unicode")
    if status == 201:
        _, fetched = send(_event("GET", f"/scim/v2/Users/{created['id']}"), "unicode")
        assert (
            fetched["userName"] == body["userName"]
        )  # kept as sent, not normalised behind the client's back
        _drop(created["id"])


def test_zz_report_property_counts() -> None:
    """Writes the number of generated requests per property (runs last in this module)."""
    sent = sum(n for key, n in _counts.items() if not key.startswith("status"))
    report.record("hypothesis_requests", dict(_counts) | {"total": sent})
    # The generators reach the service, not only the parsers: users were created and changed.
    assert _counts["status 2xx"] > _counts["setup"] and _counts["status 4xx"] > 0
