"""One Connect emulator and one local SCIM server of its own, for runs that must not share a quota.

The suite's ``emulator`` fixture is one emulator for the whole session; the fault and load runs
each need their own (their own token bucket, faults and users) and run side by side, so they
build ``Stack``s. The server is assembled exactly as ``python -m local serve`` does
(``runtime.wiring.build_app`` + ``LocalScimServer``); in-process runs use ``Stack.app``.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from local.emulator import EmulatorConfig, EmulatorServer
from local.emulator.testing import EmulatorHandle
from local.server import LocalScimServer
from runtime.app import ScimApp
from runtime.settings import Settings
from runtime.wiring import build_app

_SETTINGS_FIELDS = frozenset(field.name for field in dataclasses.fields(Settings))


def make_settings(
    emulator: EmulatorHandle, *, rate: float = 0.0, burst: int = 5, **overrides: Any
) -> Settings:
    """``Settings`` for an app on ``emulator``; the app paces itself to ``rate``/``burst`` (0: off).

    Pacing (``runtime.connect.pacing``) is given the emulator's own quota, as an operator would
    configure it for the real account; settings the runtime does not know yet are left out.
    """
    fields: dict[str, Any] = {
        "instance_id": emulator.instance_id,
        "connect_endpoint_url": emulator.url,
        "region": "us-east-1",
        "connect_rate_limit": rate,
        "connect_burst": burst,
        **overrides,
    }
    for name in ("default_security_profiles",):
        if name in fields:
            fields[name] = tuple(fields[name])
    if fields.get("assignable_security_profiles") is not None:
        fields["assignable_security_profiles"] = frozenset(fields["assignable_security_profiles"])
    return Settings(**{key: value for key, value in fields.items() if key in _SETTINGS_FIELDS})


@dataclass
class Stack:
    emulator: EmulatorHandle
    settings: Settings
    app: ScimApp
    server: LocalScimServer
    token: str

    @property
    def base_url(self) -> str:
        return self.server.base_url


@contextmanager
def running_stack(
    emulator_config: EmulatorConfig | None = None, *, pace_rate: float | None = None, **settings: Any
) -> Iterator[Stack]:
    """An emulator (``emulator_config``, default unthrottled) and a SCIM server on it, both on loopback.

    The app paces itself to ``pace_rate`` requests/s (default: the emulator's rate, as an operator
    configures the account's quota; 0 turns pacing off) with the emulator's burst.
    """
    config = emulator_config or EmulatorConfig(rate=0.0)
    emulator_server = EmulatorServer(config)
    emulator_server.start()
    try:
        handle = EmulatorHandle(emulator_server)
        rate = config.rate if pace_rate is None else pace_rate
        app_settings = make_settings(handle, rate=rate, burst=config.burst, **settings)
        app = build_app(app_settings)
        token = secrets.token_urlsafe(32)
        server = LocalScimServer(app, token=token)
        server.start()
        try:
            yield Stack(emulator=handle, settings=app_settings, app=app, server=server, token=token)
        finally:
            server.stop()
    finally:
        emulator_server.stop()
