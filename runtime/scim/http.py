"""Transport-free request/response values: the seam between adapters (Lambda, local server) and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from runtime.scim.errors import InvalidSyntax

SCIM_CONTENT_TYPE = "application/scim+json"
#: Longest query string (names and values, all parameters) either adapter accepts: a filter is at
#: most 4096 characters (``runtime.scim.filter``) and the other SCIM parameters are short, so
#: anything longer is a mistake or an attack; it is refused with 400 before it is parsed further.
MAX_QUERY_CHARS: Final = 8192


def check_query_length(chars: int) -> None:
    """400 ``invalidSyntax`` when a query string of ``chars`` characters exceeds ``MAX_QUERY_CHARS``."""
    if chars > MAX_QUERY_CHARS:
        raise InvalidSyntax(
            f"the query string is {chars} characters long; the limit is {MAX_QUERY_CHARS} "
            "(a filter may be at most 4096)"
        )


@dataclass(frozen=True)
class ScimRequest:
    """One HTTP request, already stripped of the ``/scim/v2`` prefix.

    ``path`` starts with ``/`` (``/Users/abc``). ``query`` keeps the first value of each
    parameter, as API Gateway's ``queryStringParameters`` does. Header names are lower-case.
    ``base_url`` is the absolute ``.../scim/v2`` URL used for ``Location`` and ``meta.location``.
    """

    method: str
    path: str
    base_url: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class ScimResponse:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.body is not None:
            self.headers.setdefault("Content-Type", SCIM_CONTENT_TYPE)
