"""Fixtures for the authorizer: real TOKEN events, a Stubber-backed SSM client and a fake clock."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from runtime.handlers import authorizer

EVENTS = Path(__file__).resolve().parent.parent / "fixtures" / "events"
PARAMETER = "/connect-scim/dev/api-token"
#: The token inside the fixture events (a made-up value; nothing real is stored in the repo).
TOKEN = "Xq7Lk2Vd9Rw4Tz8Pn3Hs6Jb1Mc5Fg0Ya2Ue7Io4Kl9Qt3Wr"
OLD_TOKEN = "Old0Token1Value2For3Rotation4Tests5abcdefghijklmn"
NOW = 1_800_000_000.0


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"apigw-authorizer-{name}.json").read_text())
    return copy.deepcopy(data)


def parameter_response(
    value: str,
    *,
    version: int = 1,
    modified: float = NOW - 30 * 86_400,
    name: str = PARAMETER,
    type_: str = "SecureString",
) -> dict[str, Any]:
    return {
        "Parameter": {
            "Name": name,
            "Type": type_,
            "Value": value,
            "Version": version,
            "LastModifiedDate": datetime.fromtimestamp(modified, tz=UTC),
            "ARN": f"arn:aws:ssm:us-east-1:123456789012:parameter{PARAMETER}",
            "DataType": "text",
        }
    }


class Ssm:
    """A real boto3 SSM client whose answers come from botocore's Stubber.

    ``expect`` queues one answer *and* the exact parameters the call must carry, so every test
    proves the name (versioned or not) and ``WithDecryption=True``.
    """

    def __init__(self) -> None:
        self.client = boto3.client(
            "ssm", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubber = Stubber(self.client)

    def expect(self, response: dict[str, Any], name: str = PARAMETER) -> None:
        self.stubber.add_response("get_parameter", response, {"Name": name, "WithDecryption": True})

    def expect_error(self, code: str, name: str = PARAMETER, status: int = 400) -> None:
        self.stubber.add_client_error(
            "get_parameter",
            service_error_code=code,
            service_message="stubbed failure",
            http_status_code=status,
            expected_params={"Name": name, "WithDecryption": True},
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ssm() -> Iterator[Ssm]:
    stub = Ssm()
    with stub.stubber:
        yield stub
        stub.stubber.assert_no_pending_responses()


@pytest.fixture
def make_authorizer(ssm: Ssm, clock: FakeClock) -> Callable[..., authorizer.Authorizer]:
    def build(cache_seconds: int = 60, grace_seconds: int = 86_400) -> authorizer.Authorizer:
        config = authorizer.AuthorizerConfig(
            PARAMETER, cache_seconds=cache_seconds, grace_seconds=grace_seconds
        )
        return authorizer.Authorizer(authorizer.TokenStore(ssm.client, config, clock=clock))

    return build
