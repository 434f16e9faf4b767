"""Shared pieces of the Groups end-to-end tests: IdP payload fixtures, call counting, lookups.

The PATCH and POST bodies are the captured Okta and Entra payloads of ``tests/unit/scim/fixtures``
(each cites its source); ``idp_body`` swaps their sample ids and names for this run's.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .conftest import ScimHttp

FIXTURES = Path(__file__).parents[1] / "unit" / "scim" / "fixtures"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
WRITES = ("UpdateUserSecurityProfiles", "TagResource", "UntagResource", "DeleteUser", "CreateUser")


def idp_body(name: str, **replace: str) -> Any:
    """The fixture's body with each ``old=new`` text replaced (sample ids and names)."""
    text = json.dumps(json.loads((FIXTURES / f"{name}.json").read_text())["body"])
    for old, new in replace.items():
        text = text.replace(old, new)
    return json.loads(text)


def calls(scim: ScimHttp) -> Counter[str]:
    return Counter({op: entry["calls"] for op, entry in scim.emulator.stats()["operations"].items()})


def spent(scim: ScimHttp, before: Counter[str]) -> dict[str, int]:
    after = calls(scim)
    return {op: after[op] - before[op] for op in after if after[op] != before[op]}


def find_group(scim: ScimHttp, name: str, extra: str = "") -> tuple[int, Any]:
    text = quote(f'displayName eq "{name}"')
    status, _, body = scim.request("GET", f"/Groups?filter={text}{extra}")
    return status, body


def group_id(scim: ScimHttp, name: str) -> str:
    status, body = find_group(scim, name, "&excludedAttributes=members")
    assert (status, body["totalResults"]) == (200, 1), body
    found: str = body["Resources"][0]["id"]
    return found


def members(scim: ScimHttp, gid: str) -> list[str]:
    status, _, body = scim.request("GET", f"/Groups/{gid}")
    assert status == 200, body
    return sorted(member["value"] for member in body.get("members", []))


def groups_of(scim: ScimHttp, user_id: str) -> list[str]:
    status, _, body = scim.request("GET", f"/Users/{user_id}")
    assert status == 200, body
    return [group["display"] for group in body.get("groups", [])]


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}
