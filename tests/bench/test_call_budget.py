"""The call-count targets of ``make bench``, as tests: counts are deterministic, so they are asserted.

Every SCIM operation costs exactly the Connect calls documented in ``bench.budget.FLOORS`` (the
budget table the report prints, with the floor and the reason for each), and the same at N=10 and
N=1,000 users; an Entra-style re-sync of unchanged users reads each user once and writes nothing.
Timing targets (utilisation, cold start, overhead) stay in the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.budget import (
    BY_KEY,
    FLOORS,
    BudgetRun,
    budget_verdict,
    case_sensitive_uniqueness_demo,
    measure_budget,
)
from bench.harness import Bench, okta_user
from bench.idp import DriverStats, IdpDriver
from bench.quota import run_resync, user_name

SIZES = (10, 1_000)


@pytest.fixture(scope="module")
def bench() -> Iterator[Bench]:
    with Bench() as running:
        yield running


@pytest.fixture(scope="module")
def runs(bench: Bench) -> dict[int, BudgetRun]:
    return {size: measure_budget(bench, size) for size in SIZES}


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"N={n}")
@pytest.mark.parametrize("key", [f.key for f in FLOORS if not f.groups])
def test_each_operation_costs_exactly_its_documented_calls(
    runs: dict[int, BudgetRun], key: str, size: int
) -> None:
    assert runs[size].calls[key] == dict(BY_KEY[key].ours)


def test_counts_do_not_depend_on_the_number_of_users(runs: dict[int, BudgetRun]) -> None:
    small, large = (runs[size] for size in SIZES)
    assert small.calls == large.calls
    ok, figure = budget_verdict(list(runs.values()))
    assert ok, figure


def test_groups_member_changes_cost_exactly_their_documented_calls_at_every_size(
    runs: dict[int, BudgetRun],
) -> None:
    assert [run.groups for run in runs.values()] == ["measured"] * len(SIZES)
    for key in ("groups_add", "groups_remove"):
        for run in runs.values():
            assert run.calls[key] == dict(BY_KEY[key].ours), key


def test_the_floor_table_is_consistent() -> None:
    for floor in FLOORS:
        assert floor.total >= floor.floor, floor.key  # never claim to beat the floor
        assert floor.why.strip(), floor.key
    above = {f.key for f in FLOORS if f.total > f.floor}
    assert above == {"get_username_console", "post", "groups_add"}  # each explained in the report


def test_a_fresh_environment_lists_the_profiles_once(runs: dict[int, BudgetRun]) -> None:
    for run in runs.values():
        assert run.cold_cache == {"ListSecurityProfiles": 1, "ListRoutingProfiles": 1}


def test_post_searches_because_connect_alone_would_accept_a_case_variant(bench: Bench) -> None:
    demo = case_sensitive_uniqueness_demo(bench)
    assert demo == {"ourStatus": 409, "ourCalls": {"SearchUsers": 1}, "createUserAloneAccepted": True}


def test_an_unchanged_resync_reads_each_user_once_and_writes_nothing(bench: Bench) -> None:
    bench.reset()
    expected = {}
    with bench.serve("okta") as client:
        driver = IdpDriver(client, DriverStats())
        created: dict[str, dict[str, object]] = {}
        for number in range(1, 21):
            driver.okta_onboard(user_name(number), number, created)
        for number in range(1, 6):
            driver.okta_deactivate(str(created[user_name(number)]["id"]))
    for number in range(1, 21):
        record = okta_user(user_name(number), number=number)
        record["active"] = number > 5
        expected[user_name(number)] = record
    resync = run_resync(bench, expected)
    assert (resync.reads, resync.writes, resync.patches_sent, resync.failed) == (20, 0, 0, 0)
    assert resync.by_operation == {"SearchUsers": 20}
