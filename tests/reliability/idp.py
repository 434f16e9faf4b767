"""An identity provider in miniature: Okta's and Entra's request shapes and retry habits.

What the reliability runs need from an IdP is how it reacts to failure, because that is what
repairs a half-done operation:

* ``429`` and ``5xx`` (except ``501``) are retried after ``Retry-After`` (or a capped exponential
  backoff without it), a bounded number of times; a connection that breaks is retried too.
* A ``POST`` whose answer is lost is sent again (``lose_post_replies`` discards a share of
  successful answers on purpose). The retried POST must come back with the same user.
* A ``409`` on POST makes the IdP look the user up by ``userName`` and update what it finds,
  as both IdPs link existing accounts.
* ``404`` on DELETE, or on a deactivation that already deleted the user, means the work is done;
  ``404`` on a reactivation makes the IdP provision the user again (lookup, then POST).

Okta sends full ``PUT`` bodies with ``entitlements``/``roles`` and deactivates with a path-less
``PATCH``; Entra sends ``PATCH`` operations with ``Replace``/``Add`` and ``"False"`` as a string,
security profiles in the enterprise ``department``. Group pushes use ``/Groups`` when the server
serves security profiles as groups.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from runtime.app import ScimApp
from runtime.scim.http import ScimRequest

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CONNECT = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
IdpKind = Literal["okta", "entra"]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    elapsed: float = 0.0


class TransportError(Exception):
    """The exchange broke before an answer arrived (connection reset, timeout)."""


class Transport:
    def send(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Reply:
        raise NotImplementedError


class HttpTransport(Transport):
    """Real HTTP to a SCIM base URL with the bearer token (urllib, one connection per request)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def send(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Reply:
        url = self.base_url + path + (("?" + urlencode(params)) if params else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/scim+json"}
        if data is not None:
            headers["Content-Type"] = "application/scim+json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw_headers, payload = response.status, response.getheaders(), response.read()
        except urllib.error.HTTPError as err:
            status, raw_headers, payload = err.code, list(err.headers.items()), err.read()
        except (OSError, urllib.error.URLError) as exc:
            raise TransportError(type(exc).__name__) from exc
        elapsed = time.monotonic() - started
        parsed = json.loads(payload) if payload else None
        return Reply(status, {k.lower(): v for k, v in raw_headers}, parsed, elapsed)


class AppTransport(Transport):
    """The SCIM core in process: the same ``ScimApp.handle`` the local server and Lambda call."""

    def __init__(self, app: ScimApp, base_url: str = "http://scim.test/scim/v2") -> None:
        self.app = app
        self.base_url = base_url

    def send(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Reply:
        split = urlsplit(path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        query.update(params or {})
        raw = b"" if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/scim+json"} if body is not None else {}
        started = time.monotonic()
        response = self.app.handle(
            ScimRequest(
                method=method, path=split.path, base_url=self.base_url, query=query, headers=headers, body=raw
            )
        )
        elapsed = time.monotonic() - started
        # Through JSON and back, exactly as a client would read it.
        parsed = json.loads(json.dumps(response.body)) if response.body is not None else None
        return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, parsed, elapsed)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    """Attempts per request, the first included."""
    max_wait: float = 6.0
    """Longest single wait, whatever Retry-After says (keeps test runs bounded)."""
    backoff: float = 0.25
    """First wait when the answer names none; doubles per attempt."""


class GaveUp(Exception):
    """The IdP ran out of attempts; a real one would report the task as failed."""


@dataclass
class Person:
    """What the IdP believes about one user, and so what Connect must end up holding."""

    index: int
    user_name: str
    external_id: str | None
    given: str
    family: str
    email: str
    profiles: list[str]
    routing: str
    active: bool = True
    present: bool = False
    scim_id: str | None = None
    connect: dict[str, Any] = field(default_factory=dict)
    """Attributes of the amazonconnect extension to send too (hierarchyGroup, phoneType...)."""
    title: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.given} {self.family}"


def is_retryable(status: int) -> bool:
    return status == 429 or (status >= 500 and status != 501)


@dataclass
class IdpStats:
    requests: int = 0
    attempts: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    lost_post_replies: int = 0
    latencies: list[float] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Idp:
    """Sends one IdP's requests through ``transport`` and repairs failures the way that IdP does."""

    def __init__(
        self,
        transport: Transport,
        kind: IdpKind,
        *,
        policy: RetryPolicy | None = None,
        lose_post_replies: float = 0.0,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[Reply | None], None] | None = None,
    ) -> None:
        self.transport = transport
        self._on_retry = on_retry
        self.kind = kind
        self.policy = policy or RetryPolicy()
        self.lose_post_replies = lose_post_replies
        self.stats = IdpStats()
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._sleep = sleep

    # ---- transport with the IdP's retry habits ------------------------------------------------

    def send(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Reply:
        """One logical request: retried on 429/5xx/broken connections, bounded; else GaveUp."""
        last = "nothing"
        with self.stats.lock:
            self.stats.requests += 1
        for attempt in range(1, self.policy.attempts + 1):
            try:
                reply = self.transport.send(method, path, body, params)
            except TransportError as exc:
                last = f"transport {exc}"
                self._count(None, "transport", 0.0)
                self._sleep(self._backoff(attempt, None))
                if self._on_retry is not None:
                    self._on_retry(None)
                continue
            self._count(reply.status, None, reply.elapsed)
            if not is_retryable(reply.status):
                return reply
            last = f"status {reply.status}"
            with self.stats.lock:
                self.stats.retried[str(reply.status)] += 1
            if attempt < self.policy.attempts:
                self._sleep(self._backoff(attempt, reply.headers.get("retry-after")))
                if self._on_retry is not None:
                    self._on_retry(reply)
        with self.stats.lock:
            self.stats.gave_up.append(f"{method} {path.split('?', maxsplit=1)[0]}: {last}")
        raise GaveUp(f"{method} {path}: gave up after {self.policy.attempts} attempts ({last})")

    def _count(self, status: int | None, failure: str | None, elapsed: float) -> None:
        with self.stats.lock:
            self.stats.attempts += 1
            if status is not None:
                self.stats.statuses[status] += 1
                self.stats.latencies.append(elapsed)
            if failure is not None:
                self.stats.retried[failure] += 1

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(self.policy.max_wait, max(0.0, float(retry_after)))
            except ValueError:
                pass
        with self._random_lock:
            jitter = self._random.uniform(0.5, 1.0)
        wait: float = self.policy.backoff * 2 ** (attempt - 1) * jitter
        return min(self.policy.max_wait, wait)

    def _lose(self) -> bool:
        with self._random_lock:
            return self._random.random() < self.lose_post_replies

    # ---- lookups --------------------------------------------------------------------------------

    def find(self, user_name: str) -> dict[str, Any] | None:
        params = {"filter": f'userName eq "{user_name}"'}
        if self.kind == "okta":
            params.update({"startIndex": "1", "count": "100"})
        reply = self.send("GET", "/Users", params=params)
        _expect(reply, 200, "lookup")
        found = reply.body["Resources"]
        if len(found) > 1:
            raise AssertionError(f"duplicate users for one userName: {[r['id'] for r in found]}")
        return dict(found[0]) if found else None

    # ---- provisioning --------------------------------------------------------------------------

    def provision(self, person: Person) -> None:
        """Assign the user: look it up, create it if absent, link and update it if present."""
        existing = self.find(person.user_name)
        if existing is not None:
            person.scim_id = existing["id"]
            person.present = True
            self.update(person)
            return
        body = self.user_body(person)
        reply = self.send("POST", "/Users", body)
        if reply.status == 201 and self._lose():
            # The answer never reached the IdP: it sends the same POST again.
            with self.stats.lock:
                self.stats.lost_post_replies += 1
            first_id = reply.body["id"]
            reply = self.send("POST", "/Users", body)
            if reply.status in (200, 201) and reply.body["id"] != first_id:
                raise AssertionError(
                    f"a replayed POST created a second user ({first_id}, {reply.body['id']})"
                )
        if reply.status == 409:
            existing = self.find(person.user_name)
            if existing is None:
                raise AssertionError(f"POST said 409 but no user {person.index} is found")
            person.scim_id = existing["id"]
            person.present = True
            self.update(person)
            return
        _expect(reply, (200, 201), "create")
        person.scim_id = reply.body["id"]
        person.present = True

    def update(self, person: Person) -> None:
        """Send the person's current attributes (Okta: PUT; Entra: PATCH Replace operations)."""
        assert person.scim_id is not None
        if self.kind == "okta":
            reply = self.send("PUT", f"/Users/{person.scim_id}", self.user_body(person))
        else:
            reply = self.send("PATCH", f"/Users/{person.scim_id}", _patch(*self._entra_replace(person)))
        _expect(reply, 200, "update")

    def set_active(self, person: Person, active: bool, *, deletes: bool) -> None:
        """Deactivate or reactivate; ``deletes``: the server deletes on deactivation."""
        assert person.scim_id is not None
        person.active = active
        if self.kind == "okta":
            operation: dict[str, Any] = {"op": "replace", "value": {"active": active}}
        else:
            operation = {"op": "Replace", "path": "active", "value": "True" if active else "False"}
        reply = self.send("PATCH", f"/Users/{person.scim_id}", _patch(operation))
        if reply.status == 404 and not active and deletes:
            person.present = False  # a retried deactivation after the deleting one succeeded
            return
        if reply.status == 404 and active:
            person.present = False
            person.scim_id = None
            self.provision(person)  # the user is gone (delete mode): provision it again
            return
        _expect(reply, 200, "activation")
        if deletes and not active:
            person.present = False

    def delete(self, person: Person) -> None:
        assert person.scim_id is not None
        reply = self.send("DELETE", f"/Users/{person.scim_id}")
        if reply.status not in (204, 404):
            _expect(reply, 204, "delete")
        person.present = False

    # ---- groups (security profiles) --------------------------------------------------------------

    def find_group(self, display_name: str) -> str | None:
        """The id of the group called ``display_name``; None when the server serves no such group."""
        reply = self.send("GET", "/Groups", params={"filter": f'displayName eq "{display_name}"'})
        if reply.status != 200 or not reply.body.get("Resources"):
            return None
        return str(reply.body["Resources"][0]["id"])

    def add_members(self, group_id: str, user_ids: list[str]) -> Reply:
        members = [{"value": user_id} for user_id in user_ids]
        op = "add" if self.kind == "okta" else "Add"
        return self.send(
            "PATCH", f"/Groups/{group_id}", _patch({"op": op, "path": "members", "value": members})
        )

    def remove_members(self, group_id: str, user_ids: list[str]) -> Reply:
        ops: list[dict[str, Any]]
        if self.kind == "okta":
            ops = [{"op": "remove", "path": f'members[value eq "{user_id}"]'} for user_id in user_ids]
        else:
            ops = [{"op": "Remove", "path": "members", "value": [{"value": user_id} for user_id in user_ids]}]
        return self.send("PATCH", f"/Groups/{group_id}", _patch(*ops))

    # ---- bodies ---------------------------------------------------------------------------------

    def user_body(self, person: Person) -> dict[str, Any]:
        email = [{"primary": True, "value": person.email, "type": "work"}]
        body: dict[str, Any]
        if self.kind == "okta":
            body = {
                "schemas": [CORE],
                "userName": person.user_name,
                "externalId": person.external_id,
                "name": {"givenName": person.given, "familyName": person.family},
                "emails": email,
                "displayName": person.display_name,
                "active": person.active,
                "groups": [],
                "entitlements": [{"value": name} for name in person.profiles],
                "roles": [{"value": person.routing}],
            }
            if person.connect:
                body["schemas"].append(CONNECT)
                body[CONNECT] = dict(person.connect)
        else:
            body = {
                "schemas": [CORE, ENTERPRISE, CONNECT],
                "externalId": person.external_id,
                "userName": person.user_name,
                "active": person.active,
                "displayName": person.display_name,
                "emails": email,
                "name": {
                    "givenName": person.given,
                    "familyName": person.family,
                    "formatted": person.display_name,
                },
                ENTERPRISE: {"department": ", ".join(person.profiles)},
                CONNECT: {"routingProfile": person.routing, **person.connect},
            }
        if person.external_id is None:
            del body["externalId"]
        if person.title is not None:
            body["title"] = person.title
        return body

    def _entra_replace(self, person: Person) -> list[dict[str, Any]]:
        ops = [
            {"op": "Replace", "path": "displayName", "value": person.display_name},
            {"op": "Replace", "path": "name.givenName", "value": person.given},
            {"op": "Replace", "path": "name.familyName", "value": person.family},
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": ", ".join(person.profiles)},
            {"op": "Replace", "path": f"{CONNECT}:routingProfile", "value": person.routing},
        ]
        ops += [{"op": "Replace", "path": f"{CONNECT}:{k}", "value": v} for k, v in person.connect.items()]
        if person.title is not None:
            ops.append({"op": "Replace", "path": "title", "value": person.title})
        return ops


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _expect(reply: Reply, status: int | tuple[int, ...], what: str) -> None:
    wanted = (status,) if isinstance(status, int) else status
    if reply.status not in wanted:
        raise AssertionError(f"{what}: expected {wanted}, got {reply.status}: {reply.body}")
