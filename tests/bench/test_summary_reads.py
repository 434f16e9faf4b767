"""A filtered GET answered from the SearchUsers summary shows what GET /Users/{id} shows.

The mobile number, which summaries lack, is mirrored in the ``scim:mobile`` tag by every write
that sets it; this is what lets an IdP's periodic re-sync cost one Connect read per user. These
tests pin that the shortcut is exact (the resource is the same but for ``meta.lastModified``),
kept up to date by writes, and never taken for users that carry no mirror.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.connect.client import connect_client
from runtime.connect.directory import ConnectDirectory
from runtime.mapping import tags as t
from runtime.service.base import ListQuery
from runtime.service.users import UserService
from runtime.settings import Settings

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def service(emulator: EmulatorHandle) -> UserService:
    client = connect_client(endpoint_url=emulator.url)
    settings = Settings(instance_id=emulator.instance_id, idp="entra", connect_rate_limit=0)
    return UserService(ConnectDirectory(client, emulator.instance_id), settings)


@contextmanager
def spent(emulator: EmulatorHandle) -> Iterator[Counter[str]]:
    def snapshot() -> Counter[str]:
        return Counter({op: e["calls"] for op, e in emulator.stats()["operations"].items()})

    before = snapshot()
    result: Counter[str] = Counter()
    yield result
    result.update(snapshot() - before)


def by_filter(service: UserService, text: str) -> dict[str, Any]:
    page = service.list(ListQuery(filter=text, start_index=1, count=100))
    assert page.total == 1
    return page.resources[0]


def without_last_modified(resource: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in resource["meta"].items() if k != "lastModified"}
    return {**resource, "meta": meta}


def entra_user(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [CORE, ENTERPRISE],
        "userName": name,
        "externalId": f"ext-{name}",
        "name": {"givenName": "Tess", "familyName": "Hu"},
        "emails": [{"type": "work", "value": f"{name}@contoso.com", "primary": True}],
        ENTERPRISE: {"department": "Agent, QualityAnalyst"},
        **extra,
    }


@pytest.mark.parametrize(
    "phones",
    [
        None,
        [{"type": "mobile", "value": "+14255550199"}],
        [{"type": "mobile", "value": "+1 425 555 0199"}, {"type": "work", "value": "+1 425 555 0100"}],
    ],
    ids=["no phone", "e164 mobile", "formatted mobile and work phone"],
)
def test_filtered_results_equal_get_by_id_for_one_search(
    service: UserService, emulator: EmulatorHandle, phones: list[dict[str, str]] | None
) -> None:
    extra = {"phoneNumbers": phones} if phones else {}
    created = service.create(entra_user("tess", **extra))
    described = service.get(created["id"])
    with spent(emulator) as calls:
        found = by_filter(service, 'userName eq "TESS"')
        also = by_filter(service, 'externalId eq "ext-tess"')
    assert calls == {"SearchUsers": 2}
    assert found == also == without_last_modified(described)
    assert found.get("phoneNumbers") == phones


def test_a_mobile_change_updates_the_mirror_so_filtered_results_follow(
    service: UserService, emulator: EmulatorHandle
) -> None:
    created = service.create(entra_user("ann", phoneNumbers=[{"type": "mobile", "value": "+14255550199"}]))
    change = {"op": "Replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+14255550111"}
    with spent(emulator) as calls:
        service.patch(created["id"], {"schemas": [PATCH_OP], "Operations": [change]})
    assert calls == {"DescribeUser": 1, "UpdateUserIdentityInfo": 1, "TagResource": 1}
    removal = {"op": "Remove", "path": "phoneNumbers"}
    assert by_filter(service, 'userName eq "ann"')["phoneNumbers"] == [
        {"type": "mobile", "value": "+14255550111"}
    ]
    service.patch(created["id"], {"schemas": [PATCH_OP], "Operations": [removal]})
    found = by_filter(service, 'userName eq "ann"')
    assert "phoneNumbers" not in found
    assert found == without_last_modified(service.get(created["id"]))


def test_users_without_a_mirror_are_described_and_not_rewritten_for_it(
    service: UserService, emulator: EmulatorHandle
) -> None:
    # A user written before the mirror existed: drop the tag behind the service's back.
    created = service.create(entra_user("old", phoneNumbers=[{"type": "mobile", "value": "+14255550199"}]))
    client = emulator.connect_client()
    arn = client.describe_user(InstanceId=emulator.instance_id, UserId=created["id"])["User"]["Arn"]
    client.untag_resource(resourceArn=arn, tagKeys=[t.MOBILE])
    with spent(emulator) as calls:
        found = by_filter(service, 'userName eq "old"')
    assert calls == {"SearchUsers": 1, "DescribeUser": 1}
    assert found["phoneNumbers"] == [{"type": "mobile", "value": "+14255550199"}]
    body = {k: v for k, v in service.get(created["id"]).items() if k not in ("id", "meta")}
    with spent(emulator) as calls:
        service.replace(created["id"], body)
    assert calls == {"DescribeUser": 1}  # no TagResource just to add the mirror
    title = {"op": "Replace", "path": "title", "value": "Lead"}
    with spent(emulator) as calls:
        service.patch(created["id"], {"schemas": [PATCH_OP], "Operations": [title]})
    assert calls == {"DescribeUser": 1, "TagResource": 1}  # ...but it rides in one made anyway
    with spent(emulator) as calls:
        found = by_filter(service, 'userName eq "old"')
    assert calls == {"SearchUsers": 1}
    assert found == without_last_modified(service.get(created["id"]))


def test_a_mobile_set_outside_scim_is_not_hidden_by_a_stale_mirror_on_get_by_id(
    service: UserService, emulator: EmulatorHandle
) -> None:
    created = service.create(entra_user("con", phoneNumbers=[{"type": "mobile", "value": "+14255550199"}]))
    emulator.connect_client().update_user_identity_info(
        InstanceId=emulator.instance_id,
        UserId=created["id"],
        IdentityInfo={"FirstName": "Tess", "LastName": "Hu", "Mobile": "+14255550000"},
    )
    # The documented trade-off: filtered results show the mirror until SCIM writes the mobile
    # again; GET /Users/{id} (and every PATCH/PUT, which start from DescribeUser) see Connect's.
    assert service.get(created["id"])["phoneNumbers"] == [{"type": "mobile", "value": "+14255550000"}]
    assert by_filter(service, 'userName eq "con"')["phoneNumbers"] == [
        {"type": "mobile", "value": "+14255550199"}
    ]
    fix = {"op": "Replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+14255550199"}
    service.patch(created["id"], {"schemas": [PATCH_OP], "Operations": [fix]})
    assert service.get(created["id"])["phoneNumbers"] == [{"type": "mobile", "value": "+14255550199"}]
