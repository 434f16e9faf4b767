"""Name→id indexes for security profiles, routing profiles and hierarchy groups.

IdPs speak names ("Agent", "Basic Routing Profile"); Connect speaks ids. Listing the
profiles costs one paged List* call per kind, so the index lives in memory for a short TTL
(profiles change rarely; a Lambda container serves many requests) and is refreshed at most
once per lookup when a name or id is missing — a profile created a minute ago is found on the
first request that names it, while a stream of requests naming a profile that does not exist
cannot turn into a stream of List* calls (a miss refreshes only data older than
``min_refresh_interval``).

Refreshes are single-flight: threads that find the index stale together (the local server
serves requests concurrently) wait for one List* call instead of each making their own, which
at four concurrent requests cost ten extra List calls per minute of the quota (``make bench``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable


class NameIndex:
    """Bidirectional name↔id map with TTL, refresh-once-on-miss and an injectable clock."""

    def __init__(
        self,
        loader: Callable[[], Iterable[tuple[str, str]]],
        *,
        ttl: float = 60.0,
        min_refresh_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._ttl = ttl
        self._min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._loaded_at: float | None = None
        self._by_name: dict[str, str] = {}
        self._by_folded: dict[str, list[str]] = {}
        self._by_id: dict[str, str] = {}
        self._refreshing = threading.Lock()

    def id_for(self, name: str) -> str | None:
        """The id of the profile called ``name``: exact match first, then a unique case-insensitive one."""
        self._ensure_fresh()
        found = self._match(name)
        if found is None and self._refresh_on_miss():
            found = self._match(name)
        return found

    def name_for(self, item_id: str) -> str | None:
        self._ensure_fresh()
        found = self._by_id.get(item_id)
        if found is None and self._refresh_on_miss():
            found = self._by_id.get(item_id)
        return found

    def entries(self) -> list[tuple[str, str]]:
        """Every (id, name), from the cache while it is fresh (Groups list security profiles)."""
        self._ensure_fresh()
        return list(self._by_id.items())

    def canonical_name(self, name: str) -> str | None:
        """Connect's spelling of ``name`` (e.g. ``agent`` → ``Agent``), or None if unknown."""
        item_id = self.id_for(name)
        return None if item_id is None else self._by_id.get(item_id)

    def invalidate(self) -> None:
        self._loaded_at = None

    def _match(self, name: str) -> str | None:
        exact = self._by_name.get(name)
        if exact is not None:
            return exact
        candidates = self._by_folded.get(name.casefold(), [])
        return candidates[0] if len(candidates) == 1 else None

    def _ensure_fresh(self) -> None:
        if self._older_than(self._ttl):
            with self._refreshing:
                if self._older_than(self._ttl):  # not refreshed by the thread we waited for
                    self._load()

    def _refresh_on_miss(self) -> bool:
        """Reload for a miss unless the data is recent (then it is the answer); True if looked again."""
        if not self._older_than(self._min_refresh_interval):
            return False
        with self._refreshing:
            if self._older_than(self._min_refresh_interval):
                self._load()
        return True

    def _older_than(self, seconds: float) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at >= seconds

    def _load(self) -> None:
        by_name: dict[str, str] = {}
        by_folded: dict[str, list[str]] = {}
        by_id: dict[str, str] = {}
        for item_id, name in self._loader():
            by_name[name] = item_id
            by_id[item_id] = name
            by_folded.setdefault(name.casefold(), []).append(item_id)
        self._by_name, self._by_folded, self._by_id = by_name, by_folded, by_id
        self._loaded_at = self._clock()
