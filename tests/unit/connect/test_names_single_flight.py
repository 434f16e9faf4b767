"""Name caches refresh single-flight: concurrent requests finding them stale share one List* call."""

from __future__ import annotations

import threading
import time

from runtime.connect.names import NameIndex


class SlowLoader:
    """A List* call that takes a while, counting how often it is made."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> list[tuple[str, str]]:
        with self._lock:
            self.calls += 1
        time.sleep(0.05)
        return [("sp-1", "Agent"), ("sp-2", "QualityAnalyst")]


def _together(action: object, threads: int = 8) -> list[object]:
    results: list[object] = []
    start = threading.Barrier(threads)

    def work() -> None:
        start.wait()
        results.append(action())  # type: ignore[operator]

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_a_cold_index_is_loaded_once_by_concurrent_lookups() -> None:
    loader = SlowLoader()
    index = NameIndex(loader)
    assert _together(lambda: index.id_for("Agent")) == ["sp-1"] * 8
    assert loader.calls == 1


def test_an_expired_index_is_refreshed_once_by_concurrent_lookups() -> None:
    loader = SlowLoader()
    now = [0.0]
    index = NameIndex(loader, ttl=60, clock=lambda: now[0])
    index.id_for("Agent")
    now[0] = 61.0
    assert _together(lambda: index.name_for("sp-2")) == ["QualityAnalyst"] * 8
    assert loader.calls == 2


def test_concurrent_misses_share_one_refresh_and_still_see_its_result() -> None:
    loader = SlowLoader()
    now = [0.0]
    index = NameIndex(loader, ttl=60, min_refresh_interval=5, clock=lambda: now[0])
    index.id_for("Agent")
    now[0] = 10.0
    assert _together(lambda: index.id_for("Supervisor")) == [None] * 8
    assert loader.calls == 2
