"""Discovery tells the truth about Groups (RFC 7644 §4): the resource type exists, ``displayName``
is immutable (profiles are renamed in Connect), members are users, and a user's ``groups`` is
read-only. Entra reads ``/Schemas`` to build its attribute list, so what it says must hold.
"""

from __future__ import annotations

from typing import Any

from .conftest import ScimHttp
from .groups_support import CORE_GROUP, CORE_USER


def attribute(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in schema["attributes"] if a["name"] == name)
    return found


def test_group_resource_type_and_schema_describe_security_profiles(scim: ScimHttp) -> None:
    status, _, types = scim.request("GET", "/ResourceTypes")
    assert status == 200
    group_type = next(r for r in types["Resources"] if r["id"] == "Group")
    assert (group_type["endpoint"], group_type["schema"]) == ("/Groups", CORE_GROUP)
    assert scim.request("GET", "/ResourceTypes/Group")[2]["endpoint"] == "/Groups"

    status, _, schema = scim.request("GET", f"/Schemas/{CORE_GROUP}")
    assert status == 200
    display = attribute(schema, "displayName")
    assert (display["required"], display["mutability"], display["uniqueness"]) == (
        True,
        "immutable",
        "server",
    )
    members = attribute(schema, "members")
    subs = {sub["name"]: sub for sub in members["subAttributes"]}
    assert members["multiValued"] is True and members["mutability"] == "readWrite"
    assert subs["type"]["canonicalValues"] == ["User"]
    assert subs["$ref"]["referenceTypes"] == ["User"]
    assert subs["display"]["mutability"] == "readOnly"


def test_user_schema_lists_groups_as_read_only(scim: ScimHttp) -> None:
    schema = scim.request("GET", f"/Schemas/{CORE_USER}")[2]
    groups = attribute(schema, "groups")
    assert (groups["mutability"], groups["multiValued"]) == ("readOnly", True)
    assert {sub["name"] for sub in groups["subAttributes"]} >= {"value", "$ref", "display"}


def test_service_provider_config_advertises_patch_and_filter_used_by_group_push(scim: ScimHttp) -> None:
    config = scim.request("GET", "/ServiceProviderConfig")[2]
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
