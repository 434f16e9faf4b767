"""Target 1: Connect calls per SCIM operation, against the number of users in the instance.

Every operation is sent over HTTP to a fresh app (Okta or Entra profile, as the operation needs)
after one warm-up request has filled the name caches, and its cost is the emulator's counters
before and after. ``FLOORS`` is the budget table: for each operation, the calls we make (by
Connect operation), the theoretical floor, and why. ``tests/bench/test_call_budget.py`` asserts
the measured counts equal it at N=10 and N=1000; the report adds N=10,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bench.harness import ENTERPRISE, GROUP, Bench, Response, ScimClient, entra_user, okta_user, patch
from local.emulator.testing import EmulatorHandle

SIZES = (10, 1_000, 10_000)


@dataclass(frozen=True)
class Floor:
    key: str
    label: str
    ours: Mapping[str, int]
    """The calls we make, by Connect operation (what the test asserts)."""
    floor: int
    """The fewest Connect calls any implementation needs (same guarantees, Connect's API)."""
    why: str
    seed: tuple[str, ...] = ()
    """Rows of the seed baseline this operation is compared with (``bench.seed_baseline``)."""
    groups: bool = False

    @property
    def total(self) -> int:
        return sum(self.ours.values())


FLOORS: tuple[Floor, ...] = (
    Floor(
        "get_id",
        "GET /Users/{id}",
        {"DescribeUser": 1},
        1,
        "The user's whole record is one DescribeUser.",
        seed=("okta_get_id", "azure_get_id"),
    ),
    Floor(
        "get_username",
        'GET /Users?filter=userName eq "x"',
        {"SearchUsers": 1},
        1,
        "One SearchUsers on the case-folded userName key tag (userName is case-insensitive). The "
        "search summary lacks only Mobile, which we mirror in a tag, so it is the whole user.",
        seed=("okta_get_username",),
    ),
    Floor(
        "get_username_miss",
        'GET /Users?filter=userName eq "x" (no such user: Okta\'s probe before POST)',
        {"SearchUsers": 2},
        2,
        "Absence must be proven in both indexes: the key tag (SCIM users, any letter case) and "
        "Username EXACT (users created in Connect's console carry no tag). SearchUsers cannot OR a "
        "TagFilter with a Username condition, so that is two searches.",
    ),
    Floor(
        "get_username_console",
        'GET /Users?filter=userName eq "x" (user created outside SCIM)',
        {"SearchUsers": 2, "DescribeUser": 1},
        2,
        "Above the floor by one call, once per such user: the key-tag search runs first because "
        "it finds SCIM users (the steady state) in one call whatever the letter case; a console "
        "user then needs the Username search and, having no mobile mirror, a DescribeUser. Its "
        "first SCIM write adds both tags, after which it costs 1 (next row).",
    ),
    Floor(
        "get_username_linked",
        'GET /Users?filter=userName eq "x" (console user after its first SCIM write)',
        {"SearchUsers": 1},
        1,
        "The first SCIM write to a console user adds the key and mobile-mirror tags (inside the "
        "tag write it makes anyway), so it is found like any SCIM user.",
    ),
    Floor(
        "get_external_id",
        'GET /Users?filter=externalId eq "x"',
        {"SearchUsers": 1},
        1,
        "One SearchUsers with a TagFilter on the externalId tag; the summary is the whole user.",
    ),
    Floor(
        "list_100",
        "GET /Users?startIndex=1&count=100",
        {"SearchUsers": 1},
        1,
        "One SearchUsers page (up to 500 users per call); a page walk continues from remembered "
        "NextTokens, so each further page is one call too.",
    ),
    Floor(
        "post",
        "POST /Users (Okta: entitlements, roles, mobile, e-mail)",
        {"SearchUsers": 1, "CreateUser": 1},
        1,
        "CreateUser carries the tags, so creation is one call. We add one SearchUsers on the "
        "userName key: Connect's own uniqueness may be case-sensitive (measured below with the "
        "emulator in that mode: without the search a second user differing only in case is "
        "created), and the search is what lets a POST replayed after a lost reply converge to "
        "the user it created instead of failing.",
        seed=("okta_post", "azure_post"),
    ),
    Floor(
        "put_one_facet",
        "PUT /Users/{id} (one changed facet: familyName)",
        {"DescribeUser": 1, "UpdateUserIdentityInfo": 1},
        2,
        "PUT replaces the whole resource: one read to learn which facet differs, then that "
        "facet's call. Writing blind would take a call for each of the six facets.",
        seed=("okta_put",),
    ),
    Floor(
        "patch_name",
        "PATCH replace name.givenName",
        {"DescribeUser": 1, "UpdateUserIdentityInfo": 1},
        2,
        "UpdateUserIdentityInfo replaces the whole identity block (names, mobile, e-mail): the "
        "read supplies the values the PATCH leaves alone, and the answer is the full resource.",
    ),
    Floor(
        "patch_entitlements_add",
        "PATCH add entitlements (Okta)",
        {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1},
        2,
        "Adding needs the current profiles (read), then one UpdateUserSecurityProfiles.",
    ),
    Floor(
        "patch_entitlements_replace",
        "PATCH replace entitlements (Okta)",
        {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1},
        2,
        "The read decides where the profiles go (a deactivated user keeps them remembered, not "
        "live) and provides the 200 body; then one UpdateUserSecurityProfiles.",
    ),
    Floor(
        "patch_department",
        "PATCH replace enterprise department (Entra)",
        {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1},
        2,
        "Same as entitlements: department names the security profiles.",
        seed=("azure_patch_department",),
    ),
    Floor(
        "patch_active_false",
        'PATCH replace active "False" (Entra soft delete)',
        {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1},
        3,
        "Connect has no disabled state: the read learns the profiles to remember, one TagResource "
        "stores them with the inactive marker, one UpdateUserSecurityProfiles swaps in the "
        "no-permission profile. Two different APIs, so two writes.",
        seed=("azure_patch_active",),
    ),
    Floor(
        "patch_dotted",
        'PATCH path-less {"name.givenName", "name.familyName"} (Entra)',
        {"DescribeUser": 1, "UpdateUserIdentityInfo": 1},
        2,
        "Both names are one identity facet: one read, one UpdateUserIdentityInfo.",
    ),
    Floor(
        "patch_email",
        'PATCH replace emails[type eq "work"].value (Entra)',
        {"DescribeUser": 1, "TagResource": 1},
        2,
        "E-mails live in user tags (SAML instances): one read, one TagResource.",
    ),
    Floor(
        "deactivate",
        'PATCH {"op": "replace", "value": {"active": false}} (Okta deactivation)',
        {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1},
        3,
        "As Entra's soft delete: read, remember the profiles (tag), swap them (profiles).",
        seed=("okta_patch_active", "azure_patch_active"),
    ),
    Floor(
        "reactivate",
        'PATCH {"op": "replace", "value": {"active": true}} (Okta reactivation)',
        {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1, "UntagResource": 1},
        3,
        "Read the remembered profiles, restore them, then clear the marker (an UntagResource, as "
        "the change only removes tags). The seed cannot reactivate at all.",
    ),
    Floor(
        "delete",
        "DELETE /Users/{id}",
        {"DeleteUser": 1},
        1,
        "One DeleteUser; Connect's ResourceNotFound is the 404.",
    ),
    Floor(
        "groups_add",
        "PATCH /Groups/{id} add one member",
        {"DescribeUser": 1, "TagResource": 1, "UpdateUserSecurityProfiles": 1},
        2,
        "A group is a security profile: read the member's profiles (DescribeUser), write the new "
        "set (UpdateUserSecurityProfiles; Connect has no add-one call). The member measured here "
        "got its profiles from its entitlements, so its first group join also records which "
        "profiles those attributes own (one TagResource, once per user), or Okta's next "
        "entitlements sync would take the group's profile away (runtime/mapping/profile_sets.py).",
        groups=True,
    ),
    Floor(
        "groups_remove",
        "PATCH /Groups/{id} remove one member",
        {"DescribeUser": 1, "UpdateUserSecurityProfiles": 1},
        2,
        "As adding: one read, one UpdateUserSecurityProfiles.",
        groups=True,
    ),
)

BY_KEY = {floor.key: floor for floor in FLOORS}

#: Calls the first request of an execution environment adds (name caches, kept 60 s).
COLD_CACHE = {"ListSecurityProfiles": 1, "ListRoutingProfiles": 1}


@dataclass
class BudgetRun:
    """Calls per operation measured at one instance size."""

    users: int
    calls: dict[str, dict[str, int]] = field(default_factory=dict)
    cold_cache: dict[str, int] = field(default_factory=dict)
    groups: str = "n/a (Groups not implemented)"
    """``"measured"`` when /Groups answered the member changes, else why not."""

    def total(self, key: str) -> int | None:
        spent = self.calls.get(key)
        return None if spent is None else sum(spent.values())


def _expect(response: Response, *statuses: int) -> Response:
    if response.status not in statuses:
        raise AssertionError(f"expected HTTP {statuses}, got {response.status}: {response.body}")
    return response


def measure_budget(bench: Bench, users: int) -> BudgetRun:
    """Every ``FLOORS`` operation once, on an instance seeded with ``users`` users."""
    bench.reset(users=users)
    run = BudgetRun(users=users)
    with bench.serve("okta") as okta, bench.serve("entra") as entra:

        def measured(key: str, action: Callable[[], Response], *statuses: int) -> Response:
            with bench.measure() as spent:
                response = _expect(action(), *statuses)
            run.calls[key] = dict(spent)
            return response

        # The first request of each app fills its name caches; that one-off cost is reported apart.
        with bench.measure() as cold:
            _expect(okta.request("POST", "/Users", okta_user("warm.okta@example.com", number=1)), 201)
        run.cold_cache = dict(cold - Counter({"SearchUsers": 1, "CreateUser": 1}))
        _expect(entra.request("POST", "/Users", entra_user("warm.entra@contoso.com", number=1)), 201)

        name = "ivy.nguyen@example.com"
        miss = f'userName eq "{name}"'
        measured("get_username_miss", lambda: okta.get_filtered(miss), 200)
        created = measured(
            "post", lambda: okta.request("POST", "/Users", okta_user(name, number=42)), 201
        ).body
        user = f"/Users/{created['id']}"
        found = measured("get_username", lambda: okta.get_filtered(f'userName eq "{name.upper()}"'), 200)
        assert found.body["totalResults"] == 1, found.body
        external = f'externalId eq "{created["externalId"]}"'
        assert measured("get_external_id", lambda: okta.get_filtered(external), 200).body["totalResults"] == 1
        measured("get_id", lambda: okta.request("GET", user), 200)
        measured("list_100", lambda: okta.request("GET", "/Users?startIndex=1&count=100"), 200)

        console = f"seeded.user.{max(1, users // 2)}" if users else None
        if console is not None:
            hit = measured("get_username_console", lambda: okta.get_filtered(f'userName eq "{console}"'), 200)
            assert hit.body["totalResults"] == 1, hit.body
            console_id = hit.body["Resources"][0]["id"]
            title = patch({"op": "replace", "path": "title", "value": "Agent"})
            _expect(okta.request("PATCH", f"/Users/{console_id}", title), 200)
            linked = f'userName eq "{console}"'
            measured("get_username_linked", lambda: okta.get_filtered(linked), 200)

        body = {k: v for k, v in created.items() if k not in ("id", "meta")}
        body["name"] = {**body["name"], "familyName": "Tran"}
        measured("put_one_facet", lambda: okta.request("PUT", user, body), 200)
        given = patch({"op": "replace", "path": "name.givenName", "value": "Ivana"})
        measured("patch_name", lambda: okta.request("PATCH", user, given), 200)
        add = patch({"op": "add", "path": "entitlements", "value": [{"value": "QualityAnalyst"}]})
        measured("patch_entitlements_add", lambda: okta.request("PATCH", user, add), 200)
        replace = patch({"op": "replace", "path": "entitlements", "value": [{"value": "CallCenterManager"}]})
        measured("patch_entitlements_replace", lambda: okta.request("PATCH", user, replace), 200)
        off = patch({"op": "replace", "value": {"active": False}})
        measured("deactivate", lambda: okta.request("PATCH", user, off), 200)
        on = patch({"op": "replace", "value": {"active": True}})
        measured("reactivate", lambda: okta.request("PATCH", user, on), 200)

        _measure_groups(bench, okta, created["id"], run)

        measured("delete", lambda: okta.request("DELETE", user), 204)

        entra_created = _expect(
            entra.request("POST", "/Users", entra_user("tess.user@contoso.com", number=7)), 201
        ).body
        other = f"/Users/{entra_created['id']}"
        department = patch(
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "CallCenterManager"}
        )
        measured("patch_department", lambda: entra.request("PATCH", other, department), 200)
        dotted = patch({"op": "Add", "value": {"name.givenName": "Tess", "name.familyName": "Hu"}})
        measured("patch_dotted", lambda: entra.request("PATCH", other, dotted), 200)
        email = patch({"op": "Replace", "path": 'emails[type eq "work"].value', "value": "tess@contoso.com"})
        measured("patch_email", lambda: entra.request("PATCH", other, email), 200)
        soft_delete = patch({"op": "Replace", "path": "active", "value": "False"})
        measured("patch_active_false", lambda: entra.request("PATCH", other, soft_delete), 200)
    return run


def _measure_groups(bench: Bench, okta: ScimClient, user_id: str, run: BudgetRun) -> None:
    """Member add/remove on the group for security profile ``QualityAnalyst``, if /Groups exists."""
    probe = okta.request("GET", "/Groups?filter=" + quote('displayName eq "QualityAnalyst"'))
    if probe.status != 200:
        run.groups = f"n/a (GET /Groups answered {probe.status})"
        return
    groups = probe.body.get("Resources") or []
    if not groups:
        created = okta.request("POST", "/Groups", {"schemas": [GROUP], "displayName": "QualityAnalyst"})
        if created.status == 501:
            run.groups = "n/a (Groups not implemented)"
            return
        if created.status != 201:
            run.groups = f"n/a (POST /Groups answered {created.status})"
            return
        groups = [created.body]
    group = f"/Groups/{groups[0]['id']}"
    add = patch({"op": "add", "path": "members", "value": [{"value": user_id}]})
    remove = patch({"op": "remove", "path": f'members[value eq "{user_id}"]'})
    for key, body in (("groups_add", add), ("groups_remove", remove)):
        with bench.measure() as spent:
            response = okta.request("PATCH", group, body)
        if response.status not in (200, 204):
            run.groups = f"n/a (PATCH /Groups answered {response.status})"
            run.calls.pop("groups_add", None)
            return
        run.calls[key] = dict(spent)
    run.groups = "measured"


def case_sensitive_uniqueness_demo(bench: Bench) -> dict[str, Any]:
    """Why POST searches first: on a Connect whose Username uniqueness is case-sensitive, CreateUser
    alone accepts "ALICE" beside "alice"; our POST refuses it (409) for one SearchUsers."""
    bench.reset()
    bench.emulator.configure(username_unique_case_sensitive=True)
    with bench.serve("okta") as okta:
        _expect(okta.request("POST", "/Users", okta_user("case.user@example.com", number=3)), 201)
        with bench.measure() as spent:
            refused = okta.request("POST", "/Users", okta_user("CASE.USER@example.com", number=4))
    handle = EmulatorHandle(bench.server)
    direct = handle.connect_client().create_user(
        InstanceId=bench.instance_id,
        Username="CASE.USER@example.com",
        SecurityProfileIds=[handle.security_profile_id("Agent")],
        RoutingProfileId=handle.routing_profile_id("Basic Routing Profile"),
        PhoneConfig={"PhoneType": "SOFT_PHONE"},
    )
    return {
        "ourStatus": refused.status,
        "ourCalls": dict(spent),
        "createUserAloneAccepted": bool(direct.get("UserId")),
    }


def budget_table(runs: list[BudgetRun]) -> list[dict[str, Any]]:
    """One row per operation: calls at each N, the documented count, the floor."""
    rows = []
    for floor in FLOORS:
        measured = {run.users: run.total(floor.key) for run in runs}
        composition = next((run.calls[floor.key] for run in runs if floor.key in run.calls), None)
        rows.append(
            {
                "key": floor.key,
                "operation": floor.label,
                "calls": measured,
                "composition": composition if composition is not None else dict(floor.ours),
                "documented": floor.total if not floor.groups else None,
                "floor": floor.floor if not floor.groups else None,
                "why": floor.why,
                "groups": floor.groups,
            }
        )
    return rows


def budget_verdict(runs: list[BudgetRun]) -> tuple[bool, str]:
    """PASS when every operation costs the same at every N and exactly the documented calls."""
    problems = []
    for floor in FLOORS:
        if floor.groups:
            continue
        for run in runs:
            spent = run.calls.get(floor.key)
            if spent is None and floor.key.startswith("get_username_") and run.users == 0:
                continue
            if spent != dict(floor.ours):
                problems.append(f"{floor.key} at N={run.users}: {spent} != {dict(floor.ours)}")
    groups = [f for f in FLOORS if f.groups]
    groups_measured = all(run.groups == "measured" for run in runs)
    if groups_measured:
        for floor in groups:
            counts = {run.users: run.calls.get(floor.key) for run in runs}
            if len({repr(c) for c in counts.values()}) != 1:
                problems.append(f"{floor.key} differs with N: {counts}")
            elif next(iter(counts.values())) != dict(floor.ours):
                problems.append(f"{floor.key}: {counts} != {dict(floor.ours)}")
    above = [f.key for f in FLOORS if not f.groups and f.total > f.floor]
    sizes = "/".join(f"{run.users:,}" for run in runs)
    if problems:
        return False, "; ".join(problems)
    at_floor = sum(1 for f in FLOORS if not f.groups and f.total == f.floor)
    groups_note = (
        "Groups member add/remove identical at every N too"
        if groups_measured
        else (runs[0].groups if runs else "Groups not measured")
    )
    return True, (
        f"identical at N={sizes} and as documented for {sum(1 for f in FLOORS if not f.groups)} user "
        f"operations; {at_floor} at the theoretical floor, above it (explained): {', '.join(above)}; "
        f"{groups_note}"
    )
