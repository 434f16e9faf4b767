"""LOG_LEVEL is applied by build_app: a read-but-ignored setting would silently drop or flood logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from runtime.observability import LOGGER_NAMESPACE, set_level
from runtime.settings import Settings
from runtime.wiring import build_app


@pytest.fixture
def restore_level() -> Iterator[None]:
    namespace = logging.getLogger(LOGGER_NAMESPACE)
    before = namespace.level
    yield
    namespace.setLevel(before)


def test_build_app_applies_the_configured_log_level(restore_level: None, emulator: Any) -> None:
    settings = Settings.from_env({"CONNECT_INSTANCE_ID": emulator.instance_id, "LOG_LEVEL": "warning"})
    build_app(settings, emulator.connect_client())
    assert logging.getLogger(LOGGER_NAMESPACE).level == logging.WARNING
    assert not logging.getLogger(f"{LOGGER_NAMESPACE}.app").isEnabledFor(logging.INFO)


def test_debug_level_enables_per_call_records(restore_level: None) -> None:
    set_level("DEBUG")
    assert logging.getLogger(f"{LOGGER_NAMESPACE}.connect.directory").isEnabledFor(logging.DEBUG)


def test_an_unknown_level_is_refused(restore_level: None) -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        set_level("chatty")
