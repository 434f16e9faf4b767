"""Parse a request body into a JSON object, refusing everything that could hurt later.

``json.loads`` alone accepts things a SCIM service must not: ``NaN``/``Infinity``, integers
with thousands of digits (``int()`` raises ``ValueError`` past 4300 digits), nesting deep enough
to hit the recursion limit, duplicate keys (silently last-wins; SCIM names are
case-insensitive, so ``userName`` and ``username`` are duplicates too), and escaped lone
surrogates that later fail to encode. Every such body is a 400 ``invalidSyntax`` (or 413 for
size) with a detail that says where; nothing else leaves this module.

Documented limits (the app may pass tighter or looser ones):

* ``MAX_BODY_BYTES`` = 64 KiB: a user is a few KiB; a group PATCH with hundreds of member
  changes still fits.
* ``MAX_DEPTH`` = 16 nested arrays/objects: no SCIM payload nests deeper than ~5.
* ``MAX_INTEGER_DIGITS`` = 19: anything larger is no SCIM integer we store.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from runtime.scim.errors import InvalidSyntax, PayloadTooLarge

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 16
MAX_INTEGER_DIGITS = 19


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class _Refused(Exception):
    """Raised inside json hooks; turned into InvalidSyntax by the caller."""


def parse_json_object(
    raw: bytes | bytearray | str, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """Decode ``raw`` (UTF-8 JSON) into a dict, or raise a ``ScimError`` (413 or 400)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the request body is larger than the {max_bytes}-byte limit")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte order mark carries no meaning (RFC 8259 §8.1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSyntax(f"the request body is not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise InvalidSyntax("the request body is empty; send a JSON object")
    _check_depth(text, max_depth)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
        )
    except json.JSONDecodeError as exc:
        raise InvalidSyntax(
            f"the request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} "
            f"(character {exc.pos})"
        ) from None
    except _Refused as exc:
        raise InvalidSyntax(f"the request body is refused: {exc}") from None
    except (ValueError, RecursionError):  # pragma: no cover - guarded above; belt and braces
        raise InvalidSyntax("the request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidSyntax(f"the request body must be a JSON object, not {_kind(value)}")
    _check_strings(value)
    return value


def _check_depth(text: str, max_depth: int) -> None:
    """Count bracket nesting outside strings before json.loads can recurse into it.

    Strings are blanked out first (regex, C speed), then only brackets are visited. An
    unterminated string leaves its brackets counted, which can only make us stricter, and
    json.loads reports the real error anyway.
    """
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise InvalidSyntax(f"the request body nests deeper than {max_depth} levels")
        else:
            depth -= 1


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in pairs:
        folded = key.lower()
        if folded in seen:
            raise _Refused(
                f"the key '{_clip(key)}' appears twice in one object (SCIM names are case-insensitive)"
            )
        seen.add(folded)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > 64:
        raise _Refused("a number is longer than 64 characters")
    number = float(text)
    if not math.isfinite(number):
        raise _Refused("a number is too large to represent")
    return number


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates (``"\\ud800"``): they cannot be encoded as UTF-8 downstream."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidSyntax("the request body contains an unpaired UTF-16 surrogate escape") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
