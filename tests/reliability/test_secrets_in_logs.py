"""End-to-end flows with every log record captured: no token, header or personal data in any of them.

Okta's and Entra's provisioning flows over HTTP (local server), the same requests through the
Lambda handler, refused tokens, the TOKEN authorizer, validation errors whose bodies carry
personal data, a Connect outage and an unexpected exception whose message quotes the request:
all with the runtime's, the handlers', the local server's and the emulator's loggers at DEBUG,
and third-party loggers at INFO. Each record is searched — ``getMessage()``, every attribute
(recursively, exceptions and tracebacks included) and the runtime's JSON rendering — for the
bearer token, the ``Authorization`` header, and every e-mail, phone number, name, userName and
externalId the test users have.

Security-relevant events must be there, as structured records carrying ids only: authentication
failures (``auth.denied``, ``authorizer.denied``), ``user.created``, ``user.updated`` with the
facets changed (profile changes name ``securityProfiles``), ``user.deactivated``,
``user.reactivated``, ``user.deleted``.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from local.emulator import EmulatorConfig
from runtime.handlers import authorizer, provisioning
from runtime.service.users import UserService

from .idp import CONNECT, CORE, ENTERPRISE, PATCH_OP, HttpTransport
from .logcapture import LogCapture, capture_all_logs, fields_of, header_dicts, leaks
from .stack import Stack, running_stack

PEOPLE = [
    {
        "userName": "ottoline.vexbridge@privacy-test.example",
        "externalId": "00uOTTOLINEextid",
        "given": "Ottoline",
        "family": "Vexbridge",
        "email": "ottoline.private@privacy-test.example",
        "phone": "+14155550187",
    },
    {
        "userName": "barnaby.quistwell@privacy-test.example",
        "externalId": "ENTRA-barnaby-oid",
        "given": "Barnaby",
        "family": "Quistwell",
        "email": "barnaby.private@privacy-test.example",
        "phone": "+442071838750",
    },
]


def _needles(token: str) -> list[str]:
    found = [token, token[:12], token[-12:], f"Bearer {token}", "privacy-test.example"]
    for person in PEOPLE:
        found += [person[k] for k in ("userName", "externalId", "given", "family", "email", "phone")]
        found.append(person["phone"][2:])  # the number without its country code
    return found


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, Stack]]:
    with (
        running_stack(EmulatorConfig(rate=0.0), idp="okta") as okta,
        running_stack(EmulatorConfig(rate=0.0), idp="entra") as entra,
    ):
        yield {"okta": okta, "entra": entra}


def _okta_body(person: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [CORE],
        "userName": person["userName"],
        "externalId": person["externalId"],
        "name": {"givenName": person["given"], "familyName": person["family"]},
        "displayName": f"{person['given']} {person['family']}",
        "emails": [{"value": person["email"], "type": "work", "primary": True}],
        "phoneNumbers": [{"value": person["phone"], "type": "mobile"}],
        "entitlements": [{"value": "Agent"}],
        "roles": [{"value": "Basic Routing Profile"}],
        **extra,
    }


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _okta_flow(scim: HttpTransport, person: dict[str, str]) -> str:
    lookup = scim.send("GET", "/Users", params={"filter": f'userName eq "{person["userName"]}"'})
    assert lookup.status == 200 and lookup.body["totalResults"] == 0
    created = scim.send("POST", "/Users", _okta_body(person))
    assert created.status == 201, created.body
    user_id = str(created.body["id"])
    assert scim.send("POST", "/Users", _okta_body(person, externalId="someone-else")).status == 409
    bad_phone = _okta_body(person, phoneNumbers=[{"value": f"call {person['phone']} x", "type": "mobile"}])
    assert scim.send("PUT", f"/Users/{user_id}", bad_phone).status == 400
    changed = _okta_body(person, entitlements=[{"value": "Agent"}, {"value": "QualityAnalyst"}], title="Lead")
    assert scim.send("PUT", f"/Users/{user_id}", changed).status == 200
    filtered = scim.send("GET", "/Users", params={"filter": f'emails.value eq "{person["email"]}"'})
    assert (
        filtered.status == 400
    )  # not answerable without a scan: refused, the value echoed to the client only
    off = _patch({"op": "replace", "value": {"active": False}})
    assert scim.send("PATCH", f"/Users/{user_id}", off).status == 200
    on = _patch({"op": "replace", "value": {"active": True}})
    assert scim.send("PATCH", f"/Users/{user_id}", on).status == 200
    return user_id


def _entra_flow(scim: HttpTransport, person: dict[str, str]) -> str:
    body = {
        "schemas": [CORE, ENTERPRISE, CONNECT],
        "userName": person["userName"],
        "externalId": person["externalId"],
        "active": True,
        "name": {"givenName": person["given"], "familyName": person["family"]},
        "emails": [{"value": person["email"], "type": "work", "primary": True}],
        "phoneNumbers": [{"value": person["phone"], "type": "mobile"}],
        ENTERPRISE: {"department": "Agent"},
    }
    created = scim.send("POST", "/Users", body)
    assert created.status == 201, created.body
    user_id = str(created.body["id"])
    rename = _patch(
        {"op": "Replace", "path": "name.familyName", "value": person["family"] + "-Smythe"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Agent, QualityAnalyst"},
    )
    assert scim.send("PATCH", f"/Users/{user_id}", rename).status == 200
    bogus = _patch({"op": "Replace", "path": f"{ENTERPRISE}:department", "value": person["given"]})
    assert scim.send("PATCH", f"/Users/{user_id}", bogus).status == 400  # a name is no profile
    off = _patch({"op": "Replace", "path": "active", "value": "False"})
    assert scim.send("PATCH", f"/Users/{user_id}", off).status == 200
    assert scim.send("DELETE", f"/Users/{user_id}").status == 204
    return user_id


def _lambda_flow(person: dict[str, str]) -> None:
    headers = {"Host": "api.example.com", "Authorization": "Bearer lambda-side-token-is-never-logged-either"}
    body = json.dumps(_okta_body({**person, "userName": "lambda." + person["userName"]}))
    for event in (
        {
            "httpMethod": "POST",
            "path": "/scim/v2/Users",
            "body": base64.b64encode(body.encode()).decode(),
            "isBase64Encoded": True,
        },
        {
            "httpMethod": "GET",
            "path": "/scim/v2/Users",
            "queryStringParameters": {"filter": f'userName eq "{person["userName"]}"'},
        },
        {
            "httpMethod": "POST",
            "path": "/scim/v2/Users",
            "body": body[:-5],
        },  # malformed JSON quoting the body
    ):
        response = provisioning.handler(
            {**event, "headers": headers, "requestContext": {"stage": "dev"}}, None
        )
        assert response["statusCode"] < 500, response


def _authorizer_flow(monkeypatch: pytest.MonkeyPatch, stored: str) -> None:
    class Ssm:
        def get_parameter(self, **kwargs: Any) -> dict[str, Any]:
            return {
                "Parameter": {
                    "Type": "SecureString",
                    "Value": stored,
                    "Version": 1,
                    "LastModifiedDate": datetime.now(tz=UTC),
                }
            }

    monkeypatch.setenv("TOKEN_PARAMETER_NAME", "/connect-scim/test/api-token")
    monkeypatch.setattr(authorizer, "ssm_client", Ssm)
    authorizer._default_authorizer.cache_clear()
    arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/scim/v2/Users"
    try:
        assert authorizer.handler(
            {"type": "TOKEN", "authorizationToken": f"Bearer {stored}", "methodArn": arn}, None
        )
        for header in (f"Bearer {stored}x", f"Basic {stored}", ""):
            with pytest.raises(Exception, match=r"^Unauthorized$"):
                authorizer.handler({"type": "TOKEN", "authorizationToken": header, "methodArn": arn}, None)
    finally:
        authorizer._default_authorizer.cache_clear()


@pytest.fixture(scope="module")
def captured(stacks: dict[str, Stack]) -> Iterator[tuple[LogCapture, dict[str, str]]]:
    stack = stacks["okta"]
    monkeypatch = pytest.MonkeyPatch()
    ids: dict[str, str] = {}
    try:
        with capture_all_logs(root_level=logging.INFO) as capture:
            scim = HttpTransport(stack.base_url, stack.token)
            okta, entra = PEOPLE
            ids["okta"] = _okta_flow(scim, okta)
            ids["entra"] = _entra_flow(HttpTransport(stacks["entra"].base_url, stacks["entra"].token), entra)
            for header_token in ("", f"{stack.token}x", stack.token[:-1]):
                wrong = HttpTransport(stack.base_url, header_token)
                assert (
                    wrong.send("GET", "/Users", params={"filter": f'userName eq "{okta["userName"]}"'}).status
                    == 401
                )
            provisioning.install_app(stack.app)
            try:
                _lambda_flow(okta)
            finally:
                provisioning.install_app(None)
            _authorizer_flow(monkeypatch, stack.token)
            stack.emulator.configure(fault_rate=1.0)
            assert (
                scim.send(
                    "POST", "/Users", _okta_body({**okta, "userName": "outage." + okta["userName"]})
                ).status
                == 503
            )
            stack.emulator.configure(fault_rate=0.0)

            def leaky(self: UserService, resource_id: str, *, wants_members: bool = True) -> Any:
                raise RuntimeError(f"boom for {okta['userName']} <{okta['email']}> {okta['phone']}")

            monkeypatch.setattr(UserService, "get", leaky)
            assert scim.send("GET", f"/Users/{ids['okta']}").status == 500
        yield capture, ids
    finally:
        monkeypatch.undo()


def test_no_record_holds_a_token_header_or_personal_data(
    stacks: dict[str, Stack], captured: tuple[LogCapture, dict[str, str]]
) -> None:
    capture, _ = captured
    records = capture.snapshot()
    assert len(records) > 50
    needles = _needles(stacks["okta"].token) + _needles(stacks["entra"].token)
    assert leaks(records, needles) == []
    assert header_dicts(records) == []


def test_security_events_are_structured_records_with_ids_only(
    captured: tuple[LogCapture, dict[str, str]],
) -> None:
    capture, ids = captured
    id_only = {"operation", "user_id", "facets"}

    def events(name: str) -> list[dict[str, Any]]:
        found = [fields_of(record) for record in capture.events(name)]
        for fields in found:
            assert set(fields) <= id_only, (name, fields)
        return found

    assert {f["user_id"] for f in events("user.created")} >= {ids["okta"], ids["entra"]}
    updates = events("user.updated")
    assert any(f["user_id"] == ids["okta"] and "securityProfiles" in f["facets"] for f in updates), updates
    assert any(f["user_id"] == ids["entra"] and "securityProfiles" in f["facets"] for f in updates), updates
    assert {f["user_id"] for f in events("user.deactivated")} == {ids["okta"], ids["entra"]}
    assert {f["user_id"] for f in events("user.reactivated")} == {ids["okta"]}
    assert {f["user_id"] for f in events("user.deleted")} == {ids["entra"]}

    denied = [fields_of(r) for r in capture.events("auth.denied")]
    assert sorted(f["reason"] for f in denied) == ["malformed_header", "token_mismatch", "token_mismatch"]
    assert all(set(f) == {"adapter", "reason"} for f in denied)
    authorizer_denials = [r for r in capture.snapshot() if getattr(r, "event", None) == "authorizer.denied"]
    assert sorted(getattr(r, "reason", "") for r in authorizer_denials) == [
        "missing_token",
        "token_mismatch",
        "wrong_scheme",
    ]


def test_failures_are_logged_as_types_and_frames_not_messages(
    captured: tuple[LogCapture, dict[str, str]],
) -> None:
    capture, _ = captured
    unexpected = [fields_of(r) for r in capture.events("scim.unexpected_error")]
    assert unexpected, "the forced exception was not logged"
    for record in capture.events("scim.unexpected_error"):
        chain = record.scim_exception["chain"]  # type: ignore[attr-defined]
        assert chain[0]["type"] == "builtins.RuntimeError" and chain[0]["frames"]
        assert "message" not in chain[0]
    assert capture.events("connect.call_failed"), "the Connect outage was not logged"


def test_the_search_finds_a_secret_planted_anywhere_in_a_record() -> None:
    """The detector itself: a value hidden in an extra, an argument or an exception is found."""
    email = PEOPLE[0]["email"]
    with capture_all_logs() as capture:
        log = logging.getLogger("connect_scim.planted")
        log.info("plain", extra={"who": {"nested": [email]}})
        log.info("args %s", email.upper())
        try:
            raise ValueError(email)
        except ValueError:
            log.exception("failed")
    found = leaks(capture.snapshot(), [email])
    assert len(found) >= 3, found
    assert any("record.who" in line for line in found) and any("exc_info" in line for line in found)
