"""Users service + real ConnectDirectory + boto3 against the Connect emulator (``emulator`` fixture).

``users(idp=..., **settings)`` builds a ``UserService`` exactly as the app wires it (our own
``connect_client`` with its retry config). ``budget`` measures Connect calls per operation
from the emulator's counters, which count every request received, retries included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect.client import connect_client
from runtime.connect.directory import ConnectDirectory
from runtime.service.users import UserService
from runtime.settings import IdpType, Settings

from .helpers import Budget, boto_session


@pytest.fixture
def users(emulator: EmulatorHandle) -> Callable[..., UserService]:
    def build(idp: IdpType = "okta", max_attempts: int = 3, **settings: Any) -> UserService:
        client = connect_client(endpoint_url=emulator.url, max_attempts=max_attempts, session=boto_session())
        directory = ConnectDirectory(client, emulator.instance_id)
        return UserService(directory, Settings(instance_id=emulator.instance_id, idp=idp, **settings))

    return build


@pytest.fixture
def budget(emulator: EmulatorHandle) -> Budget:
    return Budget(emulator)
