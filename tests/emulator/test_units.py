"""The emulator's pieces on their own: buckets, paging tokens, the output guard, patterns, config."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local.emulator import ConfigError, Emulator, EmulatorConfig, Request
from local.emulator.core import HANDLERS
from local.emulator.errors import ConnectError
from local.emulator.paging import decode_token, encode_token, paginate
from local.emulator.throttle import Throttle, TokenBucket
from local.emulator.validation import PATTERN_CHECKS, pattern_check
from local.emulator.wire import OutputShapeError, error_status, operation_model, serialize_output


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_spends_its_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=5, clock=clock)
    assert [bucket.try_take() for _ in range(6)] == [True] * 5 + [False]
    clock.now += 0.5
    assert bucket.try_take()
    assert not bucket.try_take()
    clock.now += 100
    assert [bucket.try_take() for _ in range(6)] == [True] * 5 + [False]


def test_account_throttle_shares_one_bucket_and_per_operation_splits_them() -> None:
    shared = Throttle(rate=1, burst=1, per_operation=False, clock=FakeClock())
    assert shared.allow("CreateUser")
    assert not shared.allow("ListUsers")
    split = Throttle(rate=1, burst=1, per_operation=True, clock=FakeClock())
    assert split.allow("CreateUser")
    assert split.allow("ListUsers")
    assert not split.allow("ListUsers")


def test_paging_tokens_round_trip_and_garbage_is_refused() -> None:
    assert decode_token(encode_token(("b", "2")), "X") == ("b", "2")
    for garbage in ("", "!!!", encode_token(("a",))[:-3], "eyJ4IjogMX0="):
        with pytest.raises(ConnectError) as caught:
            decode_token(garbage, "InvalidParameterException")
        assert caught.value.code == "InvalidParameterException"


def test_paginate_resumes_after_the_last_key_returned() -> None:
    items = [("a",), ("b",), ("c",), ("d",), ("e",)]
    page, token = paginate(items, lambda item: item, 2, None, "X")
    assert page == [("a",), ("b",)]
    page, token = paginate([i for i in items if i != ("a",)], lambda item: item, 2, token, "X")
    assert page == [("c",), ("d",)]
    page, token = paginate(items, lambda item: item, 2, token, "X")
    assert (page, token) == ([("e",)], None)


def test_the_output_guard_refuses_members_and_types_the_shape_does_not_have() -> None:
    describe = operation_model("DescribeUser")
    with pytest.raises(OutputShapeError, match="Emial"):
        serialize_output(describe, {"User": {"Id": "u", "Emial": "typo"}})
    with pytest.raises(OutputShapeError, match="SecurityProfileIds"):
        serialize_output(describe, {"User": {"SecurityProfileIds": "not-a-list"}})
    with pytest.raises(OutputShapeError, match="has no output"):
        serialize_output(operation_model("DeleteUser"), {"Deleted": True})
    assert serialize_output(
        describe, {"User": {"Id": "u", "LastModifiedTime": 1.5, "HierarchyGroupId": None}}
    ) == (b'{"User": {"Id": "u", "LastModifiedTime": 1.5}}')


def walk_patterns(shape: Any, seen: set[str], visited: set[str]) -> None:
    if shape.name in visited:
        return
    visited.add(shape.name)
    if "pattern" in shape.metadata:
        seen.add(shape.metadata["pattern"])
    children = {
        "structure": lambda: list(shape.members.values()),
        "list": lambda: [shape.member],
        "map": lambda: [shape.key, shape.value],
    }.get(shape.type_name, list)()
    for child in children:
        walk_patterns(child, seen, visited)


def test_every_input_pattern_of_an_emulated_operation_can_be_checked() -> None:
    patterns: set[str] = set()
    for name in HANDLERS:
        input_shape = operation_model(name).input_shape
        if input_shape is not None:
            walk_patterns(input_shape, patterns, set())
    for pattern in patterns:
        assert pattern in PATTERN_CHECKS or re.compile(pattern)
        assert callable(pattern_check(pattern))


@pytest.mark.parametrize(
    ("pattern_value", "ok"),
    [("+14155550100", True), ("+1", False), ("14155550100", False), ("x+14155550100", False)],
)
def test_both_spellings_of_the_e164_pattern_are_full_matches(pattern_value: str, ok: bool) -> None:
    for pattern in (r"\\+[1-9]\\d{1,14}$", r"\+[1-9]\d{1,14}$"):
        assert pattern_check(pattern)(pattern_value) is ok


def test_error_statuses_come_from_the_model() -> None:
    assert error_status("DuplicateResourceException") == 409
    assert error_status("LimitExceededException") == 429
    assert error_status("ThrottlingException") == 429
    assert error_status("AccessDeniedException") == 403
    assert error_status("UnknownOperationException") == 404


@pytest.mark.parametrize(
    "settings",
    [
        {"rate": -0.5},
        {"burst": 0},
        {"fault_rate": 2},
        {"drop_rate": -1},
        {"latency_ms": 10**9},
        {"max_users": -1},
    ],
)
def test_config_refuses_out_of_range_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(settings))):
        EmulatorConfig(**settings)


def test_generated_user_ids_are_reproducible_from_the_random_seed() -> None:
    def first_user_id(seed: int) -> str:
        emulator = Emulator(EmulatorConfig(rate=0, random_seed=seed))
        body = (
            b'{"Username": "a", "SecurityProfileIds": ["1635224e-bf86-5e92-8627-4d07969d596e"],'
            b' "RoutingProfileId": "0afa0ce5-8ed7-52e6-a1c7-ddf732f17d7c"}'
        )
        reply = emulator.handle(Request("PUT", f"/users/{emulator.instance_id}", {}, body))
        assert reply.status == 200, reply.body
        return str(json.loads(reply.body)["UserId"])

    assert first_user_id(3) == first_user_id(3)
    assert first_user_id(3) != first_user_id(4)
