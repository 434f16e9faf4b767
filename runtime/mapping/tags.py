"""User tags as storage for what Connect has no field for, within Connect's tag limits.

Connect keeps at most 50 tags per user, each value at most 256 characters, keys from a small
character set (no ``#``, no ``aws:``). Our keys all start with ``scim:``; tags without that
prefix belong to someone else and are never touched, but they count against the 50.

* Text attributes (``title``, ``displayName``…) take one tag; a longer value is refused with
  400 ``invalidValue`` naming the attribute and the limit — never truncated.
* JSON attributes (``emails``, ``phoneNumbers``…) are stored compactly and may span up to
  ``MAX_CHUNKS`` tags (``key``, ``key/2``, …), because one work address or two e-mails
  already approach 256 characters. Beyond that: 400, naming the attribute.
* Id lists (remembered security profiles: 10 UUIDs are 369 characters) are split at id
  boundaries over ``key``, ``key/2``…
* A removed value is written as ``""`` in the same TagResource call as the other changes, so
  a change costs one call whatever it adds and removes; ``""`` reads as absent. The service
  untags such leftovers only when they would push the user over the 50-tag limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from runtime.scim.errors import InvalidValue

PREFIX = "scim:"
MAX_TAGS = 50
MAX_VALUE = 256
MAX_CHUNKS = 4
CHUNK_SEPARATOR = "/"

# Keys the service owns (state, not attributes).
USERNAME_KEY = "scim:userNameKey"
ACTIVE = "scim:active"
CREATED = "scim:created"
SAVED_SECURITY_PROFILES = "scim:savedSecurityProfileIds"
#: Connect's Mobile as of our last write (``NO_MOBILE`` when none). SearchUsers summaries leave
#: Mobile out; with this mirror a summary is the whole user and a filtered GET needs no
#: DescribeUser (see ``runtime.service.user_lookup.summary_as_described``).
MOBILE = "scim:mobile"
NO_MOBILE = "none"


def is_ours(key: str) -> bool:
    return key.startswith(PREFIX)


def username_key(username: str) -> str:
    """RFC 7643 §2.1 makes userName case-insensitive: the lookup key is its case fold."""
    return username.casefold()


def chunk_keys(key: str) -> list[str]:
    return [key, *(f"{key}{CHUNK_SEPARATOR}{n}" for n in range(2, MAX_CHUNKS + 1))]


def put_text(tags: dict[str, str], key: str, value: str | None, path: str) -> None:
    if not value:
        return
    if len(value) > MAX_VALUE:
        raise InvalidValue(
            f"'{path}' is {len(value)} characters long; Amazon Connect keeps at most {MAX_VALUE} "
            "characters in the user tag where connect-scim stores it"
        )
    tags[key] = value


def get_text(tags: Mapping[str, str], key: str) -> str | None:
    return tags.get(key) or None


def dump_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def put_json(tags: dict[str, str], key: str, value: Any, path: str) -> None:
    """Store ``value`` as compact JSON over up to ``MAX_CHUNKS`` tags."""
    text = dump_json(value)
    limit = MAX_VALUE * MAX_CHUNKS
    if len(text) > limit:
        raise InvalidValue(
            f"'{path}' needs {len(text)} characters of storage; connect-scim keeps at most {limit} "
            f"characters of it in Amazon Connect user tags ({MAX_CHUNKS} tags of {MAX_VALUE})"
        )
    for index, start in enumerate(range(0, len(text), MAX_VALUE)):
        tags[chunk_keys(key)[index]] = text[start : start + MAX_VALUE]


def get_json(tags: Mapping[str, str], key: str) -> Any:
    """The stored value, or None when absent or unreadable (e.g. a tag edited in the console)."""
    text = _joined(tags, key)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def put_ids(tags: dict[str, str], key: str, ids: Iterable[str]) -> None:
    """Space-separated ids over as many chunks as needed, never splitting an id."""
    chunks: list[str] = []
    current = ""
    for item in ids:
        candidate = f"{current} {item}" if current else item
        if len(candidate) > MAX_VALUE and current:
            chunks.append(current)
            current = item
        else:
            current = candidate
    if current:
        chunks.append(current)
    if len(chunks) > MAX_CHUNKS:
        raise InvalidValue(f"too many security profile ids to remember in {MAX_CHUNKS} user tags")
    for index, chunk in enumerate(chunks):
        tags[chunk_keys(key)[index]] = chunk


def get_ids(tags: Mapping[str, str], key: str) -> tuple[str, ...]:
    parts: list[str] = []
    for chunk_key in chunk_keys(key):
        value = tags.get(chunk_key)
        if not value:
            break
        parts.extend(value.split())
    return tuple(parts)


def _joined(tags: Mapping[str, str], key: str) -> str:
    parts: list[str] = []
    for chunk_key in chunk_keys(key):
        value = tags.get(chunk_key)
        if not value:
            break
        parts.append(value)
    return "".join(parts)


def tag_changes(current: Mapping[str, str], desired: Mapping[str, str]) -> tuple[dict[str, str], set[str]]:
    """What to write so that our tags equal ``desired``: (values to set, keys to clear).

    Only ``scim:`` keys are compared; others are left alone. A key present now (non-empty)
    and absent from ``desired`` is to be cleared.
    """
    to_set = {key: value for key, value in desired.items() if value and current.get(key) != value}
    to_clear = {key for key, value in current.items() if is_ours(key) and value and not desired.get(key)}
    return to_set, to_clear


def check_budget(current: Mapping[str, str], desired: Mapping[str, str]) -> None:
    """Refuse before writing when the user would need more than 50 tags with ``desired``."""
    foreign = sum(1 for key in current if not is_ours(key))
    ours = sum(1 for value in desired.values() if value)
    if foreign + ours > MAX_TAGS:
        largest = _largest_attributes(desired)
        raise InvalidValue(
            f"this user would need {foreign + ours} Amazon Connect tags ({ours} for SCIM attributes, "
            f"{foreign} set outside SCIM); Connect allows {MAX_TAGS} per user. Largest stored "
            f"attributes: {', '.join(largest)}"
        )


def _largest_attributes(desired: Mapping[str, str]) -> list[str]:
    sizes: dict[str, int] = {}
    for key, value in desired.items():
        base = key.split(CHUNK_SEPARATOR, 1)[0].removeprefix(PREFIX)
        sizes[base] = sizes.get(base, 0) + len(value)
    return [name for name, _ in sorted(sizes.items(), key=lambda item: -item[1])[:3]]
