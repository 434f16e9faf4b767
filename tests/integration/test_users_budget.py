"""Connect calls per SCIM operation, measured on the emulator's counters, at N=10 and N=1000 users.

The counts are the contract in ``runtime/service/users.py``: lookups cost O(1) calls whatever
the number of users (the seed's ListUsers scans cost N/100), PUT/PATCH cost one read plus one
call per changed facet, and an unchanged re-sync costs the read alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.service.base import ListQuery
from runtime.service.users import UserService

from .helpers import CONNECT, ENTERPRISE, Budget, Seeded, UsersFactory, patch_body, user_body

SIZES = [10, 1000]


@pytest.fixture(params=SIZES, ids=lambda n: f"N={n}")
def seeded(request: pytest.FixtureRequest, emulator: EmulatorHandle, users: UsersFactory) -> Seeded:
    emulator.configure(max_users=request.param + 100)
    emulator.seed_users(count=request.param)
    service = users("okta")
    # Warm the name caches the way the first request of a container does.
    created = service.create(user_body("warm.up@example.com", externalId="00u-warm"))
    assert service.names.hierarchy_group_id("Support")
    return service, created


def _create(service: UserService, name: str = "alice@example.com", **extra: Any) -> dict[str, Any]:
    return service.create(user_body(name, externalId=f"ext-{name}", **extra))


def test_post_is_one_uniqueness_search_and_one_create_user(seeded: Seeded, budget: Budget) -> None:
    service, _ = seeded
    with budget.measure() as calls:
        _create(service, entitlements=[{"value": "Agent"}], title="Lead", emails=[{"value": "a@x.com"}])
    assert calls == {"SearchUsers": 1, "CreateUser": 1}


def test_get_by_id_is_one_describe_user(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    with budget.measure() as calls:
        service.get(created["id"])
    assert calls == {"DescribeUser": 1}


@pytest.mark.parametrize("spelling", ["warm.up@example.com", "WARM.UP@EXAMPLE.COM"])
def test_filter_username_eq_is_one_search_in_any_case(seeded: Seeded, budget: Budget, spelling: str) -> None:
    service, created = seeded
    with budget.measure() as calls:
        page = service.list(ListQuery(filter=f'userName eq "{spelling}"', start_index=1, count=100))
    assert [r["id"] for r in page.resources] == [created["id"]]
    assert calls == {"SearchUsers": 1}  # the summary is the whole user (mobile mirrored in a tag)


def test_filter_username_for_user_created_outside_scim_adds_one_username_search(
    seeded: Seeded, emulator: EmulatorHandle, budget: Budget
) -> None:
    service, _ = seeded
    emulator.seed_users(users=[{"Username": "console.user"}])
    with budget.measure() as calls:
        page = service.list(ListQuery(filter='userName eq "console.user"', start_index=1, count=100))
    assert page.total == 1
    assert calls == {"SearchUsers": 2, "DescribeUser": 1}


def test_filter_username_without_match_is_two_searches_and_an_empty_page(
    seeded: Seeded, budget: Budget
) -> None:
    service, _ = seeded
    with budget.measure() as calls:
        page = service.list(ListQuery(filter='userName eq "nobody@example.com"', start_index=1, count=100))
    assert (page.total, page.resources) == (0, [])
    assert calls == {"SearchUsers": 2}


def test_filter_external_id_eq_is_one_search(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    with budget.measure() as calls:
        page = service.list(ListQuery(filter='externalId eq "00u-warm"', start_index=1, count=100))
    assert [r["id"] for r in page.resources] == [created["id"]]
    assert calls == {"SearchUsers": 1}


def test_filter_id_eq_is_one_describe(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    with budget.measure() as calls:
        page = service.list(ListQuery(filter=f'id eq "{created["id"]}"', start_index=1, count=100))
    assert page.total == 1
    assert calls == {"DescribeUser": 1}


def test_filter_or_of_lookups_costs_the_sum_of_the_lookups(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    other = _create(service, "bob@example.com")
    query = f'externalId eq "00u-warm" or id eq "{other["id"]}"'
    with budget.measure() as calls:
        page = service.list(ListQuery(filter=query, start_index=1, count=100))
    assert {r["id"] for r in page.resources} == {created["id"], other["id"]}
    assert calls == {"SearchUsers": 1, "DescribeUser": 1}


def test_count_zero_with_filter_skips_describe(seeded: Seeded, budget: Budget) -> None:
    service, _ = seeded
    with budget.measure() as calls:
        page = service.list(ListQuery(filter='externalId eq "00u-warm"', start_index=1, count=0))
    assert (page.total, page.resources) == (1, [])
    assert calls == {"SearchUsers": 1}


def test_unfiltered_list_pages_cost_one_search_each_when_walked_in_order(
    seeded: Seeded, budget: Budget, request: pytest.FixtureRequest
) -> None:
    service, _ = seeded
    n = request.node.callspec.params["seeded"] + 1
    with budget.measure() as calls:
        first = service.list(ListQuery(filter=None, start_index=1, count=5))
    assert calls == {"SearchUsers": 1}
    assert first.total == n and len(first.resources) == 5
    with budget.measure() as calls:
        second = service.list(ListQuery(filter=None, start_index=6, count=5))
    assert calls == {"SearchUsers": 1}
    assert {r["id"] for r in first.resources}.isdisjoint(r["id"] for r in second.resources)
    with budget.measure() as calls:
        total_only = service.list(ListQuery(filter=None, start_index=1, count=0))
    assert (total_only.total, calls) == (n, {"SearchUsers": 1})


def test_put_changing_one_attribute_is_one_read_and_one_write(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    body = {k: v for k, v in created.items() if k not in ("id", "meta")}
    body["title"] = "Supervisor"
    with budget.measure() as calls:
        result = service.replace(created["id"], body)
    assert result["title"] == "Supervisor"
    assert calls == {"DescribeUser": 1, "TagResource": 1}


def test_put_or_patch_without_changes_costs_the_read_only(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    body = {k: v for k, v in created.items() if k not in ("id", "meta")}
    with budget.measure() as calls:
        service.replace(created["id"], body)
        service.patch(
            created["id"], patch_body({"op": "replace", "path": "name.givenName", "value": "Alice"})
        )
    assert calls == {"DescribeUser": 2}


PATCH_KINDS = [
    ("identity", {"op": "replace", "path": "name.familyName", "value": "Jones"}, "UpdateUserIdentityInfo"),
    (
        "mobile",
        {"op": "add", "path": "phoneNumbers", "value": [{"value": "+14155550100", "type": "mobile"}]},
        "UpdateUserIdentityInfo",
    ),
    (
        "security profiles",
        {"op": "replace", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]},
        "UpdateUserSecurityProfiles",
    ),
    (
        "routing profile",
        {"op": "replace", "path": "roles", "value": [{"value": "Sales Routing Profile"}]},
        "UpdateUserRoutingProfile",
    ),
    (
        "hierarchy",
        {"op": "add", "path": f"{CONNECT}:hierarchyGroup", "value": "Support"},
        "UpdateUserHierarchy",
    ),
    (
        "phone",
        {"op": "replace", "path": f"{CONNECT}:afterContactWorkTimeLimit", "value": 30},
        "UpdateUserPhoneConfig",
    ),
    ("tags", {"op": "replace", "path": f"{ENTERPRISE}:costCenter", "value": "CC-7"}, "TagResource"),
    ("tag removal", {"op": "remove", "path": "externalId"}, "UntagResource"),
]


@pytest.mark.parametrize(("kind", "operation", "connect_call"), PATCH_KINDS, ids=[k[0] for k in PATCH_KINDS])
def test_patch_of_each_facet_is_one_read_and_that_facets_call(
    seeded: Seeded, budget: Budget, kind: str, operation: dict[str, Any], connect_call: str
) -> None:
    service, created = seeded
    with budget.measure() as calls:
        service.patch(created["id"], patch_body(operation))
    expected = {"DescribeUser": 1, connect_call: 1}
    if kind == "mobile":
        expected["TagResource"] = 1  # the mobile's mirror tag, which spares every filtered GET a read
    assert calls == expected


def test_deactivate_and_reactivate_cost_three_calls_each(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    with budget.measure() as calls:
        off = service.patch(created["id"], patch_body({"op": "replace", "value": {"active": False}}))
    assert off["active"] is False
    assert calls == {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1}
    with budget.measure() as calls:
        on = service.patch(created["id"], patch_body({"op": "replace", "value": {"active": True}}))
    assert on["active"] is True
    # Reactivation only removes tags (the marker and the remembered ids): one UntagResource.
    assert calls == {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1, "UntagResource": 1}


def test_delete_is_one_delete_user(seeded: Seeded, budget: Budget) -> None:
    service, created = seeded
    with budget.measure() as calls:
        service.delete(created["id"])
    assert calls == {"DeleteUser": 1}
