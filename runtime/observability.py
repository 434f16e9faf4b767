"""Structured JSON logs that cannot carry tokens or personal data.

SCIM traffic is full of secrets and personal data: the Authorization header, userNames and
e-mails in bodies, filters and query values. The seed logged whole events (tokens included).
Here every record is one JSON line built from an *allowlist* of field names whose values are
ids, operation names, statuses and timings; any other field is replaced by ``"[redacted]"``,
and string values are scrubbed of anything shaped like a bearer token, an e-mail address or a
JWT before they are written. Exception messages are never logged (they may quote request
data); a failure is logged as its exception types and stack frames, which is what a person
debugging needs.

Usage::

    log = get_logger("runtime.app")
    log_event(log, "scim.request", method="GET", route="/Users/{id}", status=200)
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Mapping
from typing import Any, Final

LOGGER_NAMESPACE: Final = "connect_scim"
REDACTED: Final = "[redacted]"

#: Field names a record may carry. Values are ids, names of operations, statuses and timings.
#: Extend with ``allow_fields`` when a module needs another *non-personal* field.
_ALLOWED_FIELDS: set[str] = {
    "event",
    "level",
    "logger",
    "method",
    "route",
    "status",
    "latency_ms",
    "correlation_id",
    "resource_type",
    "resource_id",
    "operation",
    "scim_type",
    "error_type",
    "exception",
    "instance_id",
    "idp",
    "deactivation",
    "calls",
    "attempt",
    "retry_after",
    "count",
    "start_index",
    "total",
    "adapter",
    "cold_start",
    "config_error",
}

_MAX_STRING: Final = 256

# Things that must never reach a log line whatever field they hide in.
_SCRUBBERS: Final = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),  # JWTs
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail addresses
)


def allow_fields(*names: str) -> None:
    """Let another module log extra non-personal fields (ids, counters, operation names)."""
    _ALLOWED_FIELDS.update(names)


def scrub(text: str) -> str:
    """Remove token- and e-mail-shaped substrings and bound the length."""
    for pattern in _SCRUBBERS:
        text = pattern.sub(REDACTED, text)
    if len(text) > _MAX_STRING:
        text = text[:_MAX_STRING] + "…"
    return text


def _clean(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value[:20]]
    # Dicts and arbitrary objects are how bodies and events sneak into logs: refuse them.
    return REDACTED


def redact(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The guard: keep allowlisted fields (cleaned), replace every other value."""
    return {key: (_clean(value) if key in _ALLOWED_FIELDS else REDACTED) for key, value in fields.items()}


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Exception types and stack frames of a failure and its causes, without any message text."""
    chain: list[dict[str, Any]] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        frames = [
            f"{frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(current.__traceback__)
        ]
        chain.append({"type": f"{type(current).__module__}.{type(current).__qualname__}", "frames": frames})
        current = current.__cause__ or current.__context__
    return {"chain": chain}


class _StdoutHandler(logging.Handler):
    """Writes to whatever ``sys.stdout`` is at emit time (Lambda's stream, or a test's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only the ``fields`` passed through ``log_event`` are rendered."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {"level": record.levelname, "logger": record.name}
        fields["event"] = scrub(record.getMessage())
        # ``logger.info(msg, extra={...})`` from code that does not use log_event: same guard.
        plain_extra = {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRIBUTES}
        fields.update(redact(plain_extra))
        extra = getattr(record, "scim_fields", None)
        if isinstance(extra, dict):
            fields.update(redact(extra))
        exception = getattr(record, "scim_exception", None)
        if not isinstance(exception, dict) and record.exc_info and record.exc_info[1] is not None:
            exception = describe_exception(record.exc_info[1])  # logger.exception(): no message text
        if isinstance(exception, dict):
            fields["exception"] = exception
        return json.dumps(fields, separators=(",", ":"), default=lambda _: REDACTED)


_RECORD_ATTRIBUTES: Final = frozenset(
    {
        *logging.LogRecord("", 0, "", 0, "", (), None).__dict__,
        "message",
        "asctime",
        "scim_fields",
        "scim_exception",
    }
)


def get_logger(name: str) -> logging.Logger:
    """A logger under our namespace writing JSON lines to stdout (CloudWatch in Lambda).

    The namespace logger does not propagate to the root logger, so the Lambda runtime's own
    handler (or a test's) never re-renders our records in a non-redacting format.
    """
    root = logging.getLogger(LOGGER_NAMESPACE)
    if not getattr(root, "_connect_scim_configured", False):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
        root._connect_scim_configured = True  # type: ignore[attr-defined]
    return logging.getLogger(f"{LOGGER_NAMESPACE}.{name}")


def set_level(level: str) -> None:
    """Apply ``LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR) to every connect-scim logger.

    An unknown name is refused rather than ignored: a setting that silently does nothing is how
    a debug session ends up with no logs, or production with per-call DEBUG lines.
    """
    resolved = logging.getLevelName(level.upper())
    if not isinstance(resolved, int):
        raise ValueError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got {level!r})")
    get_logger("observability")  # make sure the namespace logger and its handler exist
    logging.getLogger(LOGGER_NAMESPACE).setLevel(resolved)


def log_event(
    logger: logging.Logger,
    event: str,
    *,
    level: int = logging.INFO,
    exc: BaseException | None = None,
    **fields: Any,
) -> None:
    """Log one structured record. ``event`` is a constant name such as ``scim.request``."""
    extra: dict[str, Any] = {"scim_fields": fields}
    if exc is not None:
        extra["scim_exception"] = describe_exception(exc)
    logger.log(level, event, extra=extra)
