# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""Discovery (RFC 7644 §4; RFC 7643 §5-7 shapes): generated from schema.py, so it tells the truth."""

from typing import Any

import pytest

from runtime.scim import discovery
from runtime.scim.errors import NotFound
from runtime.scim.listing import MAX_COUNT
from runtime.scim.policy import STRICT
from runtime.scim.resource import normalize_resource
from runtime.scim.schema import (
    CONNECT_USER,
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE_USER,
    LIST_RESPONSE,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SCHEMAS,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    USER,
)

BASE = "https://api.example.com/prod/scim/v2/"


def attribute(doc, name):
    return next(a for a in doc["attributes"] if a["name"] == name)


def test_rfc7643_5_service_provider_config():
    spc = discovery.service_provider_config(BASE)
    assert spc["schemas"] == [SERVICE_PROVIDER_CONFIG_SCHEMA]
    assert spc["patch"] == {"supported": True}
    assert spc["filter"] == {"supported": True, "maxResults": MAX_COUNT}
    for feature in ("changePassword", "sort", "etag"):
        assert spc[feature] == {"supported": False}
    assert spc["bulk"]["supported"] is False
    (scheme,) = spc["authenticationSchemes"]
    assert (scheme["type"], scheme["primary"]) == ("oauthbearertoken", True)
    assert spc["meta"] == {
        "resourceType": "ServiceProviderConfig",
        "location": "https://api.example.com/prod/scim/v2/ServiceProviderConfig",
    }
    assert discovery.service_provider_config(BASE, 25)["filter"]["maxResults"] == 25


def test_rfc7644_4_schemas_is_a_list_response_of_every_schema():
    listing = discovery.schemas(BASE)
    assert listing["schemas"] == [LIST_RESPONSE]
    assert listing["totalResults"] == len(listing["Resources"]) == 4
    ids = [doc["id"] for doc in listing["Resources"]]
    assert ids == [CORE_USER, CORE_GROUP, ENTERPRISE_USER, CONNECT_USER]
    for doc in listing["Resources"]:
        assert doc["schemas"] == [SCHEMA_SCHEMA]
        assert doc["meta"] == {
            "resourceType": "Schema",
            "location": f"{BASE.rstrip('/')}/Schemas/{doc['id']}",
        }


def test_rfc7643_7_attribute_documents_carry_every_characteristic():
    user = discovery.schema(BASE, CORE_USER)
    user_name = attribute(user, "userName")
    assert user_name == {
        "name": "userName",
        "type": "string",
        "multiValued": False,
        "description": user_name["description"],
        "required": True,
        "caseExact": False,
        "mutability": "immutable",
        "returned": "always",
        "uniqueness": "server",
    }
    emails = attribute(user, "emails")
    assert emails["multiValued"] is True
    email_type = next(s for s in emails["subAttributes"] if s["name"] == "type")
    assert email_type["canonicalValues"] == ["work", "home", "other"]
    groups = attribute(user, "groups")
    assert groups["mutability"] == "readOnly"
    ref = next(s for s in groups["subAttributes"] if s["name"] == "$ref")
    assert ref["referenceTypes"] == ["User", "Group"]


def test_connect_extension_schema_advertises_its_constraints():
    connect = discovery.schema(BASE, CONNECT_USER)
    assert {a["name"] for a in connect["attributes"]} == {
        "securityProfiles",
        "routingProfile",
        "hierarchyGroup",
        "phoneType",
        "autoAccept",
        "afterContactWorkTimeLimit",
        "deskPhoneNumber",
    }
    assert attribute(connect, "securityProfiles")["multiValued"] is True
    assert attribute(connect, "phoneType")["canonicalValues"] == ["SOFT_PHONE", "DESK_PHONE"]
    assert attribute(connect, "afterContactWorkTimeLimit")["type"] == "integer"


def test_schema_documents_match_what_validation_accepts():
    # Every writable attribute the User schemas advertise is accepted by POST validation.
    for urn in (CORE_USER, ENTERPRISE_USER, CONNECT_USER):
        doc = discovery.schema(BASE, urn)
        for attr in doc["attributes"]:
            if attr["mutability"] == "readOnly" or attr["type"] != "string" or attr["multiValued"]:
                continue
            value = "+15555550100" if attr["name"] == "deskPhoneNumber" else "SOFT_PHONE"
            body: dict[str, Any] = {"schemas": [CORE_USER], "userName": "u"}
            if urn == CORE_USER:
                body[attr["name"]] = value
            else:
                body["schemas"].append(urn)
                body[urn] = {attr["name"]: value}
            normalize_resource(body, USER, STRICT)


def test_schema_lookup_is_case_insensitive_and_unknown_is_404():
    assert discovery.schema(BASE, CORE_USER.upper())["id"] == CORE_USER
    with pytest.raises(NotFound) as err:
        discovery.schema(BASE, "urn:nope")
    assert err.value.status == 404


def test_rfc7643_6_resource_types():
    listing = discovery.resource_types(BASE)
    assert listing["schemas"] == [LIST_RESPONSE]
    assert [rt["id"] for rt in listing["Resources"]] == ["User", "Group"]
    user = discovery.resource_type(BASE, "user")
    assert user == {
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": CORE_USER,
        "schemaExtensions": [
            {"schema": ENTERPRISE_USER, "required": False},
            {"schema": CONNECT_USER, "required": False},
        ],
        "meta": {
            "resourceType": "ResourceType",
            "location": "https://api.example.com/prod/scim/v2/ResourceTypes/User",
        },
    }
    group = discovery.resource_type(BASE, "Group")
    assert (group["endpoint"], group["schema"], group["schemaExtensions"]) == ("/Groups", CORE_GROUP, [])
    with pytest.raises(NotFound):
        discovery.resource_type(BASE, "Printer")


def test_every_served_schema_is_reachable_from_a_resource_type():
    reachable = set()
    for rt in discovery.resource_types(BASE)["Resources"]:
        reachable.add(rt["schema"])
        reachable.update(ext["schema"] for ext in rt["schemaExtensions"])
    assert reachable == {s.id for s in SCHEMAS}
