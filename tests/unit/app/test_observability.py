"""The logging guard: only allowlisted, scrubbed fields reach a log line; one line per request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.app import ScimApp
from runtime.observability import REDACTED, get_logger, log_event, redact, scrub

from .conftest import call
from .fakes import FakeUsers


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_fields_outside_the_allowlist_are_redacted() -> None:
    cleaned = redact({"route": "/Users/{id}", "authorization": "Bearer abc", "body": {"userName": "x"}})
    assert cleaned == {"route": "/Users/{id}", "authorization": REDACTED, "body": REDACTED}


def test_allowlisted_fields_cannot_smuggle_dicts_tokens_or_emails() -> None:
    cleaned = redact(
        {
            "resource_id": {"userName": "jane"},
            "operation": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
            "error_type": "failed for jane.doe@example.com",
        }
    )
    assert cleaned["resource_id"] == REDACTED
    assert "eyJ" not in cleaned["operation"]
    assert "jane.doe@example.com" not in cleaned["error_type"]


def test_scrub_bounds_length() -> None:
    assert len(scrub("a" * 10_000)) < 300


def test_log_event_writes_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    log_event(get_logger("test"), "unit.event", operation="CreateUser", password="hunter2")
    (record,) = lines(capsys)
    assert record["event"] == "unit.event"
    assert record["operation"] == "CreateUser"
    assert record["password"] == REDACTED
    assert record["level"] == "INFO"


def test_one_request_record_with_route_template_and_no_personal_data(
    app: ScimApp, users: FakeUsers, capsys: pytest.CaptureFixture[str]
) -> None:
    user = users.add("private.person@example.com")
    capsys.readouterr()
    call(
        app,
        "GET",
        "/Users",
        query={"filter": 'userName eq "private.person@example.com"'},
        headers={"Authorization": "Bearer s3cr3t-token-value"},
    )
    call(app, "GET", f"/Users/{user['id']}", headers={"Authorization": "Bearer s3cr3t-token-value"})
    records = lines(capsys)
    assert [r["event"] for r in records] == ["scim.request", "scim.request"]
    first, second = records
    assert (first["method"], first["route"], first["status"]) == ("GET", "/Users", 200)
    assert second["route"] == "/Users/{id}"
    assert second["resource_id"] == user["id"]
    assert isinstance(first["latency_ms"], float | int)
    assert first["correlation_id"]
    text = json.dumps(records)
    assert "private.person" not in text
    assert "s3cr3t" not in text


def test_plain_logging_extras_and_exceptions_pass_the_same_guard(capsys: pytest.CaptureFixture[str]) -> None:
    log = get_logger("plain")
    log.warning("denied for %s", "jane.doe@example.com", extra={"operation": "Authorize", "token": "abc"})
    try:
        raise ValueError("secret detail jane.doe@example.com")
    except ValueError:
        log.exception("failed")
    denied, failed = lines(capsys)
    assert denied["operation"] == "Authorize"
    assert denied["token"] == REDACTED
    assert "jane.doe" not in json.dumps(denied)
    assert failed["exception"]["chain"][0]["type"] == "builtins.ValueError"
    assert "secret detail" not in json.dumps(failed)
