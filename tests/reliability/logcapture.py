"""Every log record the process emits, with the ways a secret or a name could hide in one.

``capture_all_logs`` hooks a handler onto the root logger and onto ``connect_scim`` (which does not
propagate), and lowers the runtime's and the local tools' loggers to DEBUG for the duration, so
nothing our code logs escapes, whatever its level. ``leaks`` then looks for needles in each record's
message, in every attribute of the record (recursively through containers, the exception and its
traceback included) and in the record as the runtime's JSON formatter writes it.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from runtime.observability import LOGGER_NAMESPACE, JsonFormatter

#: Loggers of our own code lowered to DEBUG while capturing.
OUR_LOGGERS = (LOGGER_NAMESPACE, "local", "runtime")


class _Collector(logging.Handler):
    def __init__(self, sink: LogCapture) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        with self.sink.lock:
            self.sink.records.append(record)


@dataclass
class LogCapture:
    records: list[logging.LogRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def events(self, name: str) -> list[logging.LogRecord]:
        """Records of one structured event (``log_event(..., "user.created")``)."""
        with self.lock:
            return [r for r in self.records if r.getMessage() == name and isinstance(fields_of(r), dict)]

    def snapshot(self) -> list[logging.LogRecord]:
        with self.lock:
            return list(self.records)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "scim_fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


@contextmanager
def capture_all_logs(*, root_level: int | None = None) -> Iterator[LogCapture]:
    """Capture every record; ``root_level`` also lowers the root logger (third-party DEBUG/INFO)."""
    capture = LogCapture()
    handler = _Collector(capture)
    root = logging.getLogger()
    ours = logging.getLogger(LOGGER_NAMESPACE)
    levels = {name: logging.getLogger(name).level for name in (*OUR_LOGGERS, "")}
    if root_level is not None:
        root.setLevel(root_level)
    root.addHandler(handler)
    ours.addHandler(handler)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        ours.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


_FORMATTER = JsonFormatter()


def texts_of(record: logging.LogRecord) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a record carries that could end up in a log sink."""
    yield "getMessage()", _safe(record.getMessage)
    yield "json", _safe(lambda: _FORMATTER.format(record))
    for name, value in vars(record).items():
        yield from _walk(f"record.{name}", value, 0)


def _walk(where: str, value: Any, depth: int) -> Iterator[tuple[str, str]]:
    if depth > 8:
        return
    if isinstance(value, BaseException):
        yield where, "".join(traceback.format_exception(value))
        return
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):  # exc_info
        yield where, "".join(traceback.format_exception(value[1]))
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, bytes | bytearray):
        yield where, bytes(value).decode("utf-8", "replace")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}[{key!r}]", str(key)
            yield from _walk(f"{where}[{key!r}]", item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _walk(f"{where}[{index}]", item, depth + 1)
    elif value is not None and not isinstance(value, int | float | bool):
        yield where, _safe(lambda: repr(value))


def _safe(render: Any) -> str:
    try:
        return str(render())
    except Exception as exc:  # a record that cannot render is itself worth seeing
        return f"<unrenderable: {type(exc).__name__}>"


def leaks(records: Iterable[logging.LogRecord], needles: Iterable[str], *, limit: int = 20) -> list[str]:
    """``logger: where: needle`` for each needle (case-insensitive) found in a record."""
    words = [n for n in dict.fromkeys(needles) if n]
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    found: list[str] = []
    for record in records:
        for where, text in texts_of(record):
            match = pattern.search(text)
            if match:
                found.append(f"{record.name}: {where}: {match.group()!r} in {text[:160]!r}")
                if len(found) >= limit:
                    return found
    return found


def header_dicts(records: Iterable[logging.LogRecord]) -> list[str]:
    """Records carrying a mapping with an ``authorization`` key (a headers dict) anywhere."""
    found: list[str] = []

    def visit(where: str, value: Any, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and key.lower() == "authorization":
                    found.append(where)
                visit(f"{where}[{key!r}]", item, depth + 1)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                visit(f"{where}[{index}]", item, depth + 1)

    for record in records:
        for name, value in vars(record).items():
            visit(f"{record.name}: record.{name}", value, 0)
    return found
