"""Faults on a chosen call, and the order calls arrived in: for tests that interrupt one step.

The random ``fault_rate``/``drop_rate`` show that a whole workload converges; proving that *each*
step of a multi-call operation can fail and be repaired needs the failure on exactly that step.
A schedule entry names the calls it watches (one operation, every write, or every call), how
many of them to let through first, and what happens to the next ``times`` ones:

* ``fault`` — InternalServiceException 500, nothing applied (like ``fault_rate``);
* ``throttle`` — ThrottlingException 429, nothing applied (like an empty quota bucket);
* ``drop`` — applied, then the connection closes without an answer (like ``drop_rate``;
  only writes can be dropped, reads are answered).

The journal keeps the operation names of the last ``JOURNAL_SIZE`` calls that reached the
schedule (after throttling), in arrival order, so a test can count an operation's steps first.
Both are emptied by ``reset``. Control plane: ``POST /_emulator/faults`` with
``{"schedule": [{"kind": "drop", "operation": "TagResource", "skip": 0, "times": 1}]}`` replaces
the schedule (``[]`` clears it); ``GET /_emulator/faults`` shows what is still pending and the
journal.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["fault", "throttle", "drop"]
KINDS: frozenset[str] = frozenset({"fault", "throttle", "drop"})
#: ``operation`` values that watch more than one operation.
ANY_CALL = "*"
ANY_WRITE = "writes"
JOURNAL_SIZE = 10_000


class ScheduleError(ValueError):
    """A schedule entry is malformed; the message names the entry and the field."""


@dataclass
class _Entry:
    kind: FaultKind
    operation: str
    skip: int
    times: int

    def watches(self, operation: str, is_write: bool) -> bool:
        if self.operation == ANY_CALL:
            return True
        if self.operation == ANY_WRITE:
            return is_write
        return self.operation == operation

    def view(self) -> dict[str, Any]:
        return {"kind": self.kind, "operation": self.operation, "skip": self.skip, "times": self.times}


class FaultSchedule:
    """Thread-safe: concurrent calls each consume their own place in the count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._journal: deque[str] = deque(maxlen=JOURNAL_SIZE)

    def replace(self, entries: Iterable[Mapping[str, Any]]) -> None:
        parsed = [_parse(index, entry) for index, entry in enumerate(entries)]
        with self._lock:
            self._entries = parsed

    def clear(self) -> None:
        with self._lock:
            self._entries = []
            self._journal.clear()

    def next_fault(self, operation: str, *, is_write: bool) -> FaultKind | None:
        """Record the call; the kind of fault scheduled for it, if any (the first entry that fires)."""
        fired: FaultKind | None = None
        with self._lock:
            self._journal.append(operation)
            for entry in self._entries:
                if entry.times <= 0 or not entry.watches(operation, is_write):
                    continue
                if entry.skip > 0:
                    entry.skip -= 1
                    continue
                if fired is None and (entry.kind != "drop" or is_write):
                    entry.times -= 1
                    fired = entry.kind
            self._entries = [entry for entry in self._entries if entry.times > 0]
        return fired

    def view(self) -> dict[str, Any]:
        with self._lock:
            return {
                "schedule": [entry.view() for entry in self._entries],
                "journal": list(self._journal),
            }


def _parse(index: int, entry: Mapping[str, Any]) -> _Entry:
    if not isinstance(entry, Mapping):
        raise ScheduleError(f"schedule[{index}] must be an object")
    unknown = sorted(set(entry) - {"kind", "operation", "skip", "times"})
    if unknown:
        raise ScheduleError(f"schedule[{index}]: unknown fields {', '.join(unknown)}")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ScheduleError(f"schedule[{index}].kind must be one of {', '.join(sorted(KINDS))}")
    operation = entry.get("operation", ANY_CALL)
    if not isinstance(operation, str) or not operation:
        raise ScheduleError(
            f"schedule[{index}].operation must be an operation name, '{ANY_WRITE}' or '{ANY_CALL}'"
        )
    skip, times = entry.get("skip", 0), entry.get("times", 1)
    for name, value, low in (("skip", skip, 0), ("times", times, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ScheduleError(f"schedule[{index}].{name} must be an integer of at least {low}")
    return _Entry(kind=kind, operation=operation, skip=skip, times=times)
