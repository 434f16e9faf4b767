"""RFC 7644 startIndex/count over Connect's token paging: remembered tokens make in-order walks cheap."""

from __future__ import annotations

from typing import cast

from runtime.connect.directory import ConnectDirectory
from runtime.connect.model import ConnectUser, InvalidInput, UserPage
from runtime.service.user_paging import TokenCursor, list_page


class FakeSearch:
    """SearchUsers over ``n`` users with integer-offset tokens; counts calls."""

    def __init__(self, n: int) -> None:
        self.users = [ConnectUser(user_id=f"u{i:04d}", arn="", username=f"user{i:04d}") for i in range(n)]
        self.calls: list[tuple[str | None, int]] = []
        self.expired: set[str] = set()

    def search_users(self, *, next_token: str | None = None, max_results: int = 500) -> UserPage:
        self.calls.append((next_token, max_results))
        if next_token in self.expired:
            raise InvalidInput("NextToken expired")
        start = int(next_token) if next_token else 0
        end = min(start + max_results, len(self.users))
        token = str(end) if end < len(self.users) else None
        return UserPage(
            users=tuple(self.users[start:end]), next_token=token, approximate_total=len(self.users)
        )


def page(search: FakeSearch, cursor: TokenCursor, start: int, count: int) -> tuple[int, list[str]]:
    total, users = list_page(cast(ConnectDirectory, search), cursor, start, count)
    return total, [u.user_id for u in users]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pages_walked_in_order_cost_one_search_each() -> None:
    search, cursor = FakeSearch(1000), TokenCursor()
    for start in range(1, 1000, 100):
        before = len(search.calls)
        total, ids = page(search, cursor, start, 100)
        assert (total, ids[0], len(ids)) == (1000, f"u{start - 1:04d}", 100)
        assert len(search.calls) - before == 1


def test_a_jump_pays_in_pages_of_five_hundred_from_the_nearest_token() -> None:
    search, cursor = FakeSearch(2000), TokenCursor()
    total, ids = page(search, cursor, 1201, 10)
    assert (total, ids[0], ids[-1]) == (2000, "u1200", "u1209")
    assert [size for _, size in search.calls] == [500, 500, 210]


def test_count_zero_is_one_search_for_the_total() -> None:
    search, cursor = FakeSearch(42), TokenCursor()
    assert page(search, cursor, 1, 0) == (42, [])
    assert search.calls == [(None, 1)]


def test_a_start_beyond_the_end_is_an_empty_page_with_the_total() -> None:
    search, cursor = FakeSearch(7), TokenCursor()
    assert page(search, cursor, 50, 10) == (7, [])


def test_remembered_tokens_expire_and_an_expired_token_restarts_from_the_top() -> None:
    clock = Clock()
    search, cursor = FakeSearch(300), TokenCursor(ttl=60, clock=clock)
    page(search, cursor, 1, 100)
    clock.now = 61
    assert cursor.nearest(100) == (0, None)
    page(search, cursor, 1, 100)
    search.expired.add("100")
    total, ids = page(search, cursor, 101, 100)
    assert (total, ids[0]) == (300, "u0100")
