"""Errors: every ScimError keeps its status, scimType and headers; anything else is a bare 500."""

from __future__ import annotations

import json

import pytest

from runtime.app import ScimApp
from runtime.scim import errors
from runtime.scim.errors import ERROR_SCHEMA

from .conftest import call
from .fakes import FakeUsers

_SIMPLE = [
    errors.InvalidFilter,
    errors.TooMany,
    errors.Uniqueness,
    errors.Mutability,
    errors.InvalidSyntax,
    errors.InvalidPath,
    errors.NoTarget,
    errors.InvalidValue,
    errors.Sensitive,
    errors.Unauthorized,
    errors.Forbidden,
    errors.NotFound,
    errors.MethodNotAllowed,
    errors.Conflict,
    errors.PreconditionFailed,
    errors.PayloadTooLarge,
    errors.UnsupportedMediaType,
    errors.NotImplementedOperation,
]


@pytest.mark.parametrize("error_class", _SIMPLE, ids=lambda cls: cls.__name__)
def test_service_scim_errors_keep_status_and_scim_type(
    app: ScimApp, users: FakeUsers, error_class: type[errors.ScimError]
) -> None:
    users.fail_with = error_class("userName must be unique within the instance")
    response = call(app, "GET", "/Users")
    assert response.status == error_class.status
    assert response.headers["Content-Type"] == "application/scim+json"
    expected = {
        "schemas": [ERROR_SCHEMA],
        "status": str(error_class.status),
        "detail": "userName must be unique within the instance",
    }
    if error_class.scim_type:
        expected["scimType"] = error_class.scim_type
    assert response.body == expected


@pytest.mark.parametrize("error_class", [errors.TooManyRequests, errors.ServiceUnavailable])
def test_retryable_errors_carry_retry_after(
    app: ScimApp,
    users: FakeUsers,
    error_class: type[errors.TooManyRequests] | type[errors.ServiceUnavailable],
) -> None:
    users.fail_with = error_class("Amazon Connect's API quota is exhausted; retry later", retry_after=7)
    response = call(app, "DELETE", "/Users/2819c223-7f76-453a-919d-413861904646")
    assert response.status == error_class.status
    assert response.headers["Retry-After"] == "7"
    assert response.body["status"] == str(error_class.status)


class _Boom(RuntimeError):
    pass


def test_unexpected_exception_is_a_generic_500_without_leaks(
    app: ScimApp, users: FakeUsers, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_detail = "KeyError: 'department' for jane.doe@example.com at /var/task/runtime/service/users.py"
    users.fail_with = _Boom(secret_detail)
    response = call(app, "GET", "/Users")
    assert response.status == 500
    assert response.body["schemas"] == [ERROR_SCHEMA]
    assert response.body["status"] == "500"
    text = json.dumps(response.body)
    for leak in ("jane.doe", "department", "Traceback", "users.py", "_Boom", "RuntimeError"):
        assert leak not in text
    correlation_id = response.headers["X-Correlation-Id"]
    assert correlation_id in response.body["detail"]

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (failure,) = [r for r in records if r["event"] == "scim.unexpected_error"]
    assert failure["correlation_id"] == correlation_id
    assert failure["exception"]["chain"][0]["type"].endswith("_Boom")
    assert any("fakes.py" in frame for frame in failure["exception"]["chain"][0]["frames"])
    assert "jane.doe" not in json.dumps(records)


def test_error_after_create_input_is_not_echoed_in_logs(
    app: ScimApp, users: FakeUsers, capsys: pytest.CaptureFixture[str]
) -> None:
    users.add("taken@example.com")
    response = call(app, "POST", "/Users", body={"schemas": [], "userName": "taken@example.com"})
    assert response.status == 409
    assert response.body["scimType"] == "uniqueness"
    out = capsys.readouterr().out
    assert "taken@example.com" not in out
