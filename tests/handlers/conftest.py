"""Fixtures for the provisioning handler: event files, a Lambda context fake, an emulator-backed app."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runtime.handlers import provisioning
from runtime.settings import Settings
from runtime.wiring import build_app

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
PLACEHOLDER_ID = "00000000-0000-0000-0000-00000000f1f1"
API_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


def load_event(name: str, *, user_id: str | None = None) -> dict[str, Any]:
    """A stored API Gateway REST proxy event; ``user_id`` replaces the placeholder id in its paths."""
    event = json.loads((EVENTS / f"apigw-proxy-{name}.json").read_text())
    if user_id is not None:
        text = json.dumps(event).replace(PLACEHOLDER_ID, user_id)
        event = json.loads(text)
    return copy.deepcopy(event)


@dataclass
class FakeLambdaContext:
    function_name: str = "connect-scim-provisioning"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:connect-scim-provisioning"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "8f7a2c1e-55b3-4b7e-9d0c-3e2f1a0b9c8d"
    log_group_name: str = "/aws/lambda/connect-scim-provisioning"
    log_stream_name: str = "2026/03/14/[$LATEST]0123456789abcdef0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@pytest.fixture
def context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def lambda_app(emulator: Any) -> Iterator[Settings]:
    """Install an app over the emulator the way a cold start would build it, then forget it."""
    if hasattr(emulator, "reset"):
        emulator.reset()
    settings = Settings(
        instance_id=emulator.instance_id,
        connect_endpoint_url=emulator.url,
        region="us-east-1",
        connect_rate_limit=0.0,  # the emulator fixture does not throttle
    )
    provisioning.install_app(build_app(settings))
    try:
        yield settings
    finally:
        provisioning.install_app(None)
