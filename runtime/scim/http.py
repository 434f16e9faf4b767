"""Transport-free request/response values: the seam between adapters (Lambda, local server) and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCIM_CONTENT_TYPE = "application/scim+json"


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
