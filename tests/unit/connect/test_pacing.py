"""Client-side pacing: callers wait for the quota's next token, in order, and never overdraw it."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect import pacing
from runtime.connect.client import connect_client, pace
from runtime.connect.model import Throttled
from runtime.connect.pacing import Pacer, QuotaBusy, install_pacing, pacer_for
from runtime.settings import Settings, SettingsError
from runtime.wiring import build_app


class FakeTime:
    """A clock that only moves when someone sleeps (thread-safe, like the real one)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def test_the_burst_less_one_token_of_headroom_goes_at_once_then_one_call_per_interval() -> None:
    fake = FakeTime()
    pacer = Pacer(2.0, 5, clock=fake.clock, sleep=fake.sleep)
    assert pacer.capacity == 4
    waits = [pacer.reserve() for _ in range(7)]
    assert waits == [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5]  # debt: each caller owns one more interval


def test_sending_when_told_never_exceeds_capacity_plus_rate_times_elapsed() -> None:
    fake = FakeTime()
    pacer = Pacer(20.0, 50, clock=fake.clock, sleep=fake.sleep)
    start = fake.now
    sent_at: list[float] = []
    for index in range(400):
        pacer.acquire()
        sent_at.append(fake.now - start)
        if index % 7 == 0:
            fake.sleep(0.013)  # callers do some work between calls
    for count, moment in enumerate(sent_at, start=1):
        assert count <= pacer.capacity + 20.0 * moment + 1e-9
    # ...and it does not leave the quota idle: the last call leaves as soon as the bucket allows.
    assert sent_at[-1] == pytest.approx((400 - pacer.capacity) / 20.0, abs=0.02)


def test_tokens_saved_while_idle_are_capped_at_the_capacity() -> None:
    fake = FakeTime()
    pacer = Pacer(1.0, 3, clock=fake.clock, sleep=fake.sleep)
    fake.sleep(60)
    assert [pacer.reserve() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_concurrent_callers_each_get_their_own_slot() -> None:
    fake = FakeTime()
    pacer = Pacer(10.0, 1, headroom=0, max_wait=None, clock=fake.clock, sleep=lambda _: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            wait = pacer.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The clock never moved: 400 reservations must be exactly the slots 0, 0.1, ... 39.9 s.
    assert sorted(round(w, 6) for w in waits) == [round(i / 10, 6) for i in range(400)]
    assert math.isclose(pacer.waited, sum(waits))


def test_a_token_further_than_max_wait_is_refused_as_throttled_without_booking_it() -> None:
    fake = FakeTime()
    pacer = Pacer(1.0, 1, headroom=0, max_wait=2.0, clock=fake.clock, sleep=fake.sleep)
    assert [pacer.reserve() for _ in range(3)] == [0.0, 1.0, 2.0]
    for _ in range(2):  # refused calls book nothing: the next one is refused the same way
        with pytest.raises(QuotaBusy) as refused:
            pacer.reserve()
        assert isinstance(refused.value, Throttled)
        assert (refused.value.wait, refused.value.retry_after) == (3.0, 3)
    fake.sleep(1.0)
    assert pacer.reserve() == 2.0


def test_an_oversubscribed_app_answers_429_with_retry_after_instead_of_hanging(
    emulator: EmulatorHandle,
) -> None:
    from runtime.scim.http import ScimRequest

    client = connect_client(endpoint_url=emulator.url)
    settings = Settings(instance_id=emulator.instance_id, connect_rate_limit=0.05, connect_burst=1)
    app = build_app(settings, client)
    request = ScimRequest(
        method="GET",
        path="/Users",
        base_url="http://localhost/scim/v2",
        query={"count": "1"},
        headers={"accept": "application/scim+json"},
        body=b"",
    )
    assert app.handle(request).status == 200  # the one token: one SearchUsers page
    second = app.handle(request)  # the next token is 20 s away: more than the 10 s max wait
    assert second.status == 429
    assert 10 < int(second.headers["Retry-After"]) <= 20
    searches = emulator.stats()["operations"]["SearchUsers"]
    assert (searches["calls"], searches["throttled"]) == (1, 0)  # the refused call was never sent


def test_a_rate_of_zero_means_no_pacer_and_bad_values_are_refused() -> None:
    assert pacer_for(0, 5) is None
    assert isinstance(pacer_for(2, 5), Pacer)
    with pytest.raises(ValueError, match="positive rate"):
        Pacer(0, 5)
    with pytest.raises(ValueError, match="burst"):
        Pacer(1, 0)
    assert Pacer(1, 1).capacity == 1  # a burst of one cannot spare a token


class Counting(Pacer):
    """A pacer that counts acquisitions and never sleeps."""

    def __init__(self) -> None:
        super().__init__(1000.0, 1000)
        self.acquired = 0

    def acquire(self) -> float:
        self.acquired += 1
        return 0.0


def test_every_attempt_is_paced_retries_included(emulator: EmulatorHandle) -> None:
    client = connect_client(endpoint_url=emulator.url, max_attempts=3)
    pacer = Counting()
    install_pacing(client, pacer)
    client.describe_instance(InstanceId=emulator.instance_id)
    assert pacer.acquired == 1
    emulator.configure(fault_rate=1.0)  # 500s: botocore retries them (50 ms base backoff)
    with pytest.raises(Exception, match="InternalServiceException"):
        client.describe_instance(InstanceId=emulator.instance_id)
    assert pacer.acquired == 1 + 3 == emulator.calls("DescribeInstance")


def test_installing_again_replaces_the_pacer_and_none_removes_it(emulator: EmulatorHandle) -> None:
    client = connect_client(endpoint_url=emulator.url)
    first, second = Counting(), Counting()
    install_pacing(client, first)
    install_pacing(client, second)
    client.describe_instance(InstanceId=emulator.instance_id)
    assert (first.acquired, second.acquired) == (0, 1)
    install_pacing(client, None)
    client.describe_instance(InstanceId=emulator.instance_id)
    assert second.acquired == 1


def test_paced_calls_against_the_same_quota_are_never_throttled(emulator: EmulatorHandle) -> None:
    emulator.configure(rate=50.0, burst=5)
    client = connect_client(endpoint_url=emulator.url, max_attempts=1)
    assert pace(client, 50.0, 5) is not None
    for _ in range(40):  # 8x the burst: unpaced, most of these would be throttled
        client.describe_instance(InstanceId=emulator.instance_id)
    stats = emulator.stats()["operations"]["DescribeInstance"]
    assert (stats["calls"], stats["throttled"]) == (40, 0)


def test_build_app_paces_the_client_it_is_given(emulator: EmulatorHandle, monkeypatch: Any) -> None:
    acquired: list[float] = []

    def record(self: Pacer) -> float:
        acquired.append(self.rate)
        return 0.0

    monkeypatch.setattr(pacing.Pacer, "acquire", record)
    client = connect_client(endpoint_url=emulator.url)
    settings = Settings(instance_id=emulator.instance_id, connect_rate_limit=7.0, connect_burst=9)
    build_app(settings, client)
    client.describe_instance(InstanceId=emulator.instance_id)
    assert acquired == [7.0]
    build_app(Settings(instance_id=emulator.instance_id, connect_rate_limit=0), client)
    client.describe_instance(InstanceId=emulator.instance_id)
    assert acquired == [7.0]  # rate 0: the earlier pacer is removed, nothing waits


def test_settings_read_the_pacing_variables_with_connects_defaults() -> None:
    defaults = Settings.from_env({})
    assert (defaults.connect_rate_limit, defaults.connect_burst) == (2.0, 5)
    tuned = Settings.from_env({"CONNECT_RATE_LIMIT": "0.5", "CONNECT_BURST": "3"})
    assert (tuned.connect_rate_limit, tuned.connect_burst) == (0.5, 3)
    assert Settings.from_env({"CONNECT_RATE_LIMIT": "0"}).connect_rate_limit == 0


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"CONNECT_RATE_LIMIT": "fast"}, "CONNECT_RATE_LIMIT"),
        ({"CONNECT_RATE_LIMIT": "-1"}, "CONNECT_RATE_LIMIT"),
        ({"CONNECT_RATE_LIMIT": "nan"}, "CONNECT_RATE_LIMIT"),
        ({"CONNECT_BURST": "0"}, "CONNECT_BURST"),
        ({"CONNECT_BURST": "2.5"}, "CONNECT_BURST"),
    ],
)
def test_bad_pacing_variables_fail_naming_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(environ)


def test_serve_paces_with_the_same_quota_it_gives_the_embedded_emulator() -> None:
    from local.server import build_parser, settings_from_args

    args = build_parser().parse_args(["--connect-rate", "7.5", "--connect-burst", "9"])
    settings = settings_from_args(args, "11111111-2222-3333-4444-555555555555", None)
    assert (settings.connect_rate_limit, settings.connect_burst) == (7.5, 9)
    off = settings_from_args(build_parser().parse_args(["--connect-rate", "0"]), "i", None)
    assert off.connect_rate_limit == 0
