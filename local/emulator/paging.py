"""NextToken paging that stays correct while the list changes between pages.

A token remembers the sort key of the last item returned, not an offset, so users created or deleted
between two pages neither shift the next page nor repeat items (what a client walking ListUsers or a
SearchUsers paginator expects).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from local.emulator.errors import ConnectError

T = TypeVar("T")
SortKey = tuple[str, ...]


def encode_token(after: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": list(after)}).encode()).decode()


def decode_token(token: str, error_code: str) -> SortKey:
    try:
        document = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = document["after"]
        if not isinstance(after, list) or not all(isinstance(part, str) for part in after):
            raise TypeError
    except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError):
        raise ConnectError(error_code, "NextToken is not a token this operation returned") from None
    return tuple(after)


def paginate(
    items: Sequence[T], key: Callable[[T], SortKey], limit: int, token: str | None, error_code: str
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already sorted by ``key``) and the token for the next, if any."""
    start = 0 if token is None else bisect.bisect_right(items, decode_token(token, error_code), key=key)
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, (encode_token(key(page[-1])) if more and page else None)
