"""The emulator's per-second timeline: what the utilisation chart plots against the quota line."""

from __future__ import annotations

import pytest

from local.emulator.stats import TIMELINE_SECONDS, Stats
from local.emulator.testing import EmulatorHandle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_calls_and_throttles_are_counted_in_the_second_they_arrive_with_quiet_seconds_as_zero() -> None:
    clock = Clock()
    stats = Stats(clock)
    stats.call("SearchUsers")
    clock.now = 0.9
    stats.call("CreateUser")
    stats.outcome("CreateUser", "throttled")
    stats.outcome("CreateUser", "errors")  # errors are not on the timeline
    clock.now = 3.2
    stats.call("DescribeUser")
    assert stats.timeline() == [
        {"second": 0, "calls": 2, "throttled": 1},
        {"second": 1, "calls": 0, "throttled": 0},
        {"second": 2, "calls": 0, "throttled": 0},
        {"second": 3, "calls": 1, "throttled": 0},
    ]


def test_clearing_restarts_the_clock_and_old_seconds_are_dropped() -> None:
    clock = Clock()
    stats = Stats(clock)
    stats.call("SearchUsers")
    clock.now = TIMELINE_SECONDS + 5.0
    stats.call("SearchUsers")
    assert [entry["second"] for entry in stats.timeline()] == [TIMELINE_SECONDS + 5]
    stats.clear()
    assert stats.timeline() == []
    clock.now += 0.5
    stats.call("SearchUsers")
    assert stats.timeline() == [{"second": 0, "calls": 1, "throttled": 0}]


def test_the_stats_endpoint_carries_the_timeline_beside_the_documented_shape(
    emulator: EmulatorHandle,
) -> None:
    emulator.configure(rate=1.0, burst=1)
    client = emulator.connect_client()
    client.describe_instance(InstanceId=emulator.instance_id)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.describe_instance(InstanceId=emulator.instance_id)
    stats = emulator.stats()
    assert set(stats) == {"instanceId", "operations", "timeline"}
    assert sum(entry["calls"] for entry in stats["timeline"]) == 2
    assert sum(entry["throttled"] for entry in stats["timeline"]) == 1
