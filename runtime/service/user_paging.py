"""RFC 7644 index pagination (``startIndex``/``count``) over SearchUsers' token paging.

Connect pages with opaque ``NextToken``s (up to 500 users per SearchUsers call) and knows no
offsets. Reaching ``startIndex`` from scratch costs ceil((startIndex - 1 + count) / 500) calls,
so the token that ends each page served is remembered (per container, ``ttl`` seconds) under
the offset it leads to. An IdP walking the list page by page (Okta's import:
``startIndex=1, 101, 201…`` with ``count=100``) then pays one SearchUsers per page; a jump to a
random offset pays from the nearest remembered token. ``count=0`` costs one SearchUsers with
``MaxResults=1`` (its ``ApproximateTotalCount`` is the total).

Users come back as SearchUsers summaries: Connect leaves out Mobile and LastModifiedTime
there, so listed users carry no mobile number (unless a raw form is stored) and no
``meta.lastModified``; ``GET /Users/{id}`` or a filtered GET shows them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from runtime.connect.directory import SEARCH_PAGE_MAX, ConnectDirectory
from runtime.connect.model import ConnectUser, InvalidInput


class TokenCursor:
    """offset → NextToken that continues the user list from that offset."""

    def __init__(self, *, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic, limit: int = 256):
        self._ttl = ttl
        self._clock = clock
        self._limit = limit
        self._tokens: dict[int, tuple[str, float]] = {}

    def nearest(self, offset: int) -> tuple[int, str | None]:
        now = self._clock()
        best: tuple[int, str | None] = (0, None)
        for start, (token, stamp) in list(self._tokens.items()):
            if now - stamp > self._ttl:
                self._tokens.pop(start, None)
            elif best[0] < start <= offset:
                best = (start, token)
        return best

    def remember(self, offset: int, token: str) -> None:
        if len(self._tokens) >= self._limit and self._tokens:
            self._tokens.pop(min(self._tokens), None)
        self._tokens[offset] = (token, self._clock())

    def clear(self) -> None:
        self._tokens.clear()


def list_page(
    directory: ConnectDirectory, cursor: TokenCursor, start_index: int, count: int
) -> tuple[int, list[ConnectUser]]:
    """(total, users at 1-based positions startIndex .. startIndex+count-1)."""
    if count <= 0:
        page = directory.search_users(max_results=1)
        if page.approximate_total is not None:
            return page.approximate_total, []
        return _count_all(directory, page.users, page.next_token), []
    try:
        return _walk(directory, cursor, start_index - 1, start_index - 1 + count)
    except InvalidInput:
        cursor.clear()  # a remembered token expired: start over once
        return _walk(directory, cursor, start_index - 1, start_index - 1 + count)


def _walk(
    directory: ConnectDirectory, cursor: TokenCursor, skip: int, end: int
) -> tuple[int, list[ConnectUser]]:
    offset, token = cursor.nearest(skip)
    collected: list[ConnectUser] = []
    total: int | None = None
    while offset < end:
        page = directory.search_users(next_token=token, max_results=min(SEARCH_PAGE_MAX, end - offset))
        total = page.approximate_total
        for index, user in enumerate(page.users, start=offset):
            if skip <= index < end:
                collected.append(user)
        offset += len(page.users)
        token = page.next_token
        if token is None or not page.users:
            return (total if total is not None else offset), collected
        cursor.remember(offset, token)
    return (total if total is not None else offset), collected


def _count_all(directory: ConnectDirectory, first: tuple[ConnectUser, ...], token: str | None) -> int:
    counted = len(first)
    while token:
        page = directory.search_users(next_token=token)
        counted += len(page.users)
        token = page.next_token
    return counted
