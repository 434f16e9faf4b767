"""An IdP-like SCIM client: Okta's onboarding and deactivation, Entra's periodic re-sync.

It behaves the way the IdPs' provisioning engines do with a rate-limited app: a 429 is waited
out for its ``Retry-After`` (1 s if absent) and retried, without limit on the number of waits but
within an overall deadline; a 5xx is retried a few times with a short backoff and then counted as
a failed operation. Every 429 and 5xx is counted, so the report can say whether any occurred.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Response, ScimClient, okta_user, patch

MAX_5XX_RETRIES = 3
SERVER_ERROR_BACKOFF = 0.5
OPERATION_DEADLINE = 120.0


class OperationFailed(Exception):
    """An IdP operation that did not succeed after the IdP's own retries."""


@dataclass
class DriverStats:
    operations: int = 0
    failed: int = 0
    responses_429: int = 0
    responses_5xx: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def fail(self, reason: str) -> None:
        with self._lock:
            self.failed += 1
            if len(self.failures) < 10:
                self.failures.append(reason)


class IdpDriver:
    def __init__(self, client: ScimClient, stats: DriverStats | None = None) -> None:
        self.client = client
        self.stats = stats or DriverStats()

    def call(self, method: str, path: str, body: Any = None, *, ok: Iterable[int]) -> Response:
        """One SCIM request the way an IdP sends it: 429 waited out, 5xx retried a few times."""
        expected = set(ok)
        server_errors = 0
        deadline = time.monotonic() + OPERATION_DEADLINE
        while True:
            self.stats.add("requests")
            response = self.client.request(method, path, body)
            if response.status == 429:
                self.stats.add("responses_429")
                wait = _retry_after(response)
                if time.monotonic() + wait > deadline:
                    raise OperationFailed(f"{method} {path}: still 429 after {OPERATION_DEADLINE:g} s")
                time.sleep(wait)
                continue
            if response.status >= 500:
                self.stats.add("responses_5xx")
                server_errors += 1
                if server_errors > MAX_5XX_RETRIES:
                    raise OperationFailed(
                        f"{method} {path}: {response.status} after {MAX_5XX_RETRIES} retries"
                    )
                time.sleep(SERVER_ERROR_BACKOFF * server_errors)
                continue
            if response.status not in expected:
                raise OperationFailed(f"{method} {path}: unexpected {response.status} {response.body}")
            return response

    def run(self, tasks: Sequence[Callable[[], None]], concurrency: int) -> None:
        """Run IdP operations on ``concurrency`` workers; each failure is counted, not raised."""

        def guarded(task: Callable[[], None]) -> None:
            self.stats.add("operations")
            try:
                task()
            except OperationFailed as exc:
                self.stats.fail(str(exc))

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(guarded, tasks))

    # ---- Okta ----------------------------------------------------------------------------------

    def okta_onboard(self, name: str, number: int, created: dict[str, dict[str, Any]]) -> None:
        """Okta's assignment: look the user up by userName, create it when absent."""
        found = self.call("GET", _filter_path(f'userName eq "{name}"'), ok=(200,)).body
        if found["totalResults"]:
            created[name] = found["Resources"][0]
            return
        body = okta_user(name, number=number)
        created[name] = self.call("POST", "/Users", body, ok=(201,)).body

    def okta_deactivate(self, user_id: str) -> None:
        """Okta's unassignment: PATCH active=false with its path-less form."""
        self.call(
            "PATCH", f"/Users/{user_id}", patch({"op": "replace", "value": {"active": False}}), ok=(200,)
        )

    # ---- Entra ---------------------------------------------------------------------------------

    def entra_resync(self, expected: dict[str, Any]) -> int:
        """Entra's periodic cycle for one user: GET by filter, compare, PATCH only what differs.

        Returns the number of PATCH operations sent (0 when the user round-tripped exactly).
        """
        name = expected["userName"]
        found = self.call("GET", _filter_path(f'userName eq "{name}"'), ok=(200,)).body
        if found["totalResults"] != 1:
            raise OperationFailed(f"re-sync: {found['totalResults']} users match one userName")
        current = found["Resources"][0]
        operations = [
            {"op": "replace", "path": attribute, "value": value}
            for attribute, value in expected.items()
            if attribute not in ("schemas", "meta", "id") and current.get(attribute) != value
        ]
        if operations:
            self.call("PATCH", f"/Users/{current['id']}", patch(*operations), ok=(200,))
        return len(operations)


def _filter_path(expression: str) -> str:
    from urllib.parse import quote

    return f"/Users?filter={quote(expression)}&startIndex=1&count=100"


def _retry_after(response: Response) -> float:
    raw = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 1.0
