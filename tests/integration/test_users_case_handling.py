"""userName is case-insensitive (RFC 7643 §4.1.1) whatever Amazon Connect does.

Connect documents neither whether Username uniqueness nor whether SearchUsers EXACT ignores
case; the emulator can do both either way, and every behaviour here must hold in all four
combinations.
"""

from __future__ import annotations

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.scim.errors import Uniqueness
from runtime.service.base import ListQuery, Page
from runtime.service.users import UserService

from .helpers import UsersFactory, user_body

COMBINATIONS = [
    pytest.param(
        (unique_cs, exact_ci), id=f"unique-{'cs' if unique_cs else 'ci'}-exact-{'ci' if exact_ci else 'cs'}"
    )
    for unique_cs in (False, True)
    for exact_ci in (False, True)
]


@pytest.fixture(params=COMBINATIONS)
def service(request: pytest.FixtureRequest, emulator: EmulatorHandle, users: UsersFactory) -> UserService:
    unique_case_sensitive, exact_case_insensitive = request.param
    emulator.configure(
        username_unique_case_sensitive=unique_case_sensitive,
        exact_search_case_insensitive=exact_case_insensitive,
    )
    return users("okta")


def _find(service: UserService, username: str) -> Page:
    return service.list(ListQuery(filter=f'userName eq "{username}"', start_index=1, count=100))


@pytest.mark.parametrize(
    "spelling", ["Alice.Smith@Example.com", "alice.smith@example.com", "ALICE.SMITH@EXAMPLE.COM"]
)
def test_a_scim_created_user_is_found_by_username_in_any_case(service: UserService, spelling: str) -> None:
    created = service.create(user_body("Alice.Smith@Example.com"))
    page = _find(service, spelling)
    assert [r["id"] for r in page.resources] == [created["id"]]
    assert page.resources[0]["userName"] == "Alice.Smith@Example.com"


@pytest.mark.parametrize(
    "spelling", ["alice.smith@example.com", "ALICE.SMITH@EXAMPLE.COM", "Alice.Smith@Example.com"]
)
def test_post_refuses_a_username_differing_only_in_case_with_409_uniqueness(
    service: UserService, emulator: EmulatorHandle, spelling: str
) -> None:
    service.create(user_body("Alice.Smith@Example.com"))
    with pytest.raises(Uniqueness):
        service.create(user_body(spelling))
    assert emulator.calls("CreateUser") == 1  # refused before CreateUser: no second user exists


@pytest.mark.parametrize("spelling", ["console.agent", "CONSOLE.AGENT", "Console.Agent"])
def test_a_user_created_outside_scim_in_lower_case_is_found_in_any_case(
    service: UserService, emulator: EmulatorHandle, spelling: str
) -> None:
    emulator.seed_users(users=[{"Username": "console.agent"}])
    page = _find(service, spelling)
    assert page.total == 1
    assert page.resources[0]["userName"] == "console.agent"


def test_exact_case_clash_with_a_user_created_outside_scim_is_409(
    service: UserService, emulator: EmulatorHandle
) -> None:
    emulator.seed_users(users=[{"Username": "console.agent"}])
    with pytest.raises(Uniqueness):
        service.create(user_body("console.agent"))


def test_a_put_with_the_username_in_other_case_is_not_a_rename_and_reads_back_as_sent(
    service: UserService,
) -> None:
    created = service.create(user_body("Alice.Smith@Example.com"))
    body = {k: v for k, v in created.items() if k not in ("id", "meta")}
    body["userName"] = "alice.smith@example.com"
    replaced = service.replace(created["id"], body)
    assert replaced["userName"] == "alice.smith@example.com"
    assert service.get(created["id"])["userName"] == "alice.smith@example.com"
