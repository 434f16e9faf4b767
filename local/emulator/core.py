"""The emulator without HTTP: one call in, one reply out, with quota, faults and counters applied.

``Emulator.handle`` is what the HTTP server calls for every request; tests and the local dev server
can also use ``stats``, ``reset``, ``configure`` and ``seed_users`` directly, in process.

Order of events for a Connect call, as the real service would see it: route, count the call, take a
token (or answer ThrottlingException), wait the configured latency, consult the fault schedule
(``local.emulator.schedule``), maybe answer a fault, read and validate the input, apply the operation
under the state lock, persist, and maybe drop the reply.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from local.emulator import ops_directory, ops_users
from local.emulator.config import ConfigError, EmulatorConfig
from local.emulator.context import Context, Handler
from local.emulator.errors import INTERNAL, THROTTLING, UNKNOWN_OPERATION, ConnectError, invalid_request
from local.emulator.persistence import write_atomically
from local.emulator.schedule import FaultSchedule, ScheduleError
from local.emulator.state import PACKAGED_SEED, State, StateFileError, load_state_file
from local.emulator.stats import Stats
from local.emulator.throttle import Throttle
from local.emulator.validation import parameter_error_code, validate_input
from local.emulator.wire import (
    OutputShapeError,
    Router,
    error_body,
    operation_model,
    parse_input,
    serialize_output,
    service_model,
)

LOG = logging.getLogger("local.emulator")
CONTROL_PREFIX = "/_emulator/"
HANDLERS: dict[str, Handler] = {**ops_users.HANDLERS, **ops_directory.HANDLERS}
WRITE_OPERATIONS = frozenset(
    {
        "CreateUser",
        "UpdateUserIdentityInfo",
        "UpdateUserSecurityProfiles",
        "UpdateUserRoutingProfile",
        "UpdateUserHierarchy",
        "UpdateUserPhoneConfig",
        "DeleteUser",
        "TagResource",
        "UntagResource",
    }
)
MAX_BULK_USERS = 100_000
BULK_SECURITY_PROFILE = "Agent"
BULK_ROUTING_PROFILE = "Basic Routing Profile"


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    """The raw request target: path and query string, still percent-encoded."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    drop: bool = False
    """Close the connection without answering (a lost response)."""


class ControlError(Exception):
    """A control-plane request the emulator refuses; answered with HTTP 400 and the message."""


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._initial_config = config or EmulatorConfig()
        self._config = self._initial_config
        self._lock = threading.RLock()
        self._router = Router(service_model())
        self._stats = Stats()
        self._schedule = FaultSchedule()
        # Reproducible draws for fault tests, not secrets.
        self._draws = random.Random(self._config.random_seed)  # noqa: S311
        self._ids = random.Random(self._config.random_seed)  # noqa: S311
        self._throttle = self._new_throttle(self._config)
        self._seed_document = _read_seed(self._config)
        state_path = self._config.state_path
        if state_path is not None and state_path.exists():
            self._state = load_state_file(state_path, self._config.username_unique_case_sensitive)
        else:
            self._state = self._seeded_state()
            self._persist()

    # ------------------------------------------------------------------------------- public surface

    @property
    def config(self) -> EmulatorConfig:
        return self._config

    @property
    def instance_id(self) -> str:
        return self._state.instance.id

    def stats(self) -> dict[str, Any]:
        return {
            "instanceId": self.instance_id,
            "operations": self._stats.snapshot(),
            "timeline": self._stats.timeline(),
        }

    def reset(self) -> None:
        """Back to the seed data with counters cleared, buckets full and draws replayed; config kept."""
        with self._lock:
            self._state = self._seeded_state()
            self._stats.clear()
            self._schedule.clear()
            self._reseed(self._config)
            self._throttle = self._new_throttle(self._config)
            self._persist()

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change runtime settings (see ``RUNTIME_SETTINGS``); raises ``ConfigError`` naming a bad one."""
        with self._lock:
            return self._apply_config(self._config.with_changes(changes))

    def restore_config(self) -> EmulatorConfig:
        """Back to the settings the emulator was started with."""
        with self._lock:
            return self._apply_config(self._initial_config)

    def schedule_faults(self, entries: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Replace the fault schedule (see ``local.emulator.schedule``); ``[]`` clears it."""
        self._schedule.replace(entries)
        return self._schedule.view()

    def faults(self) -> dict[str, Any]:
        """The entries still pending and the journal of calls that reached the schedule."""
        return self._schedule.view()

    def state_document(self) -> dict[str, Any]:
        with self._lock:
            return self._state.to_json()

    def seed_users(self, spec: Mapping[str, Any]) -> list[str]:
        """Put users straight into state: not counted, never throttled, exempt from the users quota.

        ``{"count": N, "prefix": "bench-user-", "start": 1, "template": {...}}`` makes users named
        prefix+number; ``{"users": [{...}, ...]}`` takes explicit specs. Specs use CreateUser's member
        names without InstanceId; SecurityProfileIds default to Agent and RoutingProfileId to the Basic
        Routing Profile. All-or-nothing: a bad spec adds no user and names its index.
        """
        entries = _bulk_entries(spec)
        with self._lock:
            context = self._context(self._config)
            create_model = operation_model("CreateUser")
            allowed = set(create_model.input_shape.members) - {"InstanceId"}
            added: list[str] = []
            try:
                for index, entry in enumerate(entries):
                    params = self._bulk_params(entry, index, allowed)
                    try:
                        validate_input(create_model, params)
                        user = ops_users.build_user(context, params)
                    except ConnectError as exc:
                        raise ControlError(f"users[{index}]: {exc.code}: {exc.message}") from None
                    ops_users.insert_user(context, user, enforce_quota=False)
                    added.append(user.id)
            except BaseException:
                for user_id in added:
                    self._state.remove_user(user_id)
                raise
            self._persist()
            return added

    # ----------------------------------------------------------------------------------- Connect API

    def handle(self, request: Request) -> Reply:
        path, _, query_text = request.target.partition("?")
        if path.startswith(CONTROL_PREFIX):
            return self._control(request.method, path[len(CONTROL_PREFIX) :], request.body)
        match = self._router.match(request.method, path)
        if match is None:
            return _error(UNKNOWN_OPERATION, f"No Connect operation answers {request.method} {path}")
        operation = match.operation
        config = self._config
        self._stats.call(operation)
        if not self._throttle.allow(operation):
            self._stats.outcome(operation, "throttled")
            self._stats.outcome(operation, "errors")
            return _error(THROTTLING, "Rate exceeded")
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000)
        scheduled = self._schedule.next_fault(operation, is_write=operation in WRITE_OPERATIONS)
        if scheduled == "throttle":
            self._stats.outcome(operation, "throttled")
            self._stats.outcome(operation, "errors")
            return _error(THROTTLING, "Rate exceeded (scheduled)")
        if scheduled == "fault" or self._draw(config.fault_rate):
            self._stats.outcome(operation, "faults")
            self._stats.outcome(operation, "errors")
            return _error(INTERNAL, "Injected fault: the request was not applied")
        try:
            body = self._run(operation, match.labels, query_text, request, config)
        except ConnectError as exc:
            self._stats.outcome(operation, "errors")
            LOG.info("%s answered %s", operation, exc.code)
            return _error(exc.code, exc.message)
        except (OutputShapeError, OSError) as exc:
            self._stats.outcome(operation, "errors")
            LOG.exception("%s failed inside the emulator", operation)
            return _error(INTERNAL, f"Emulator failure: {type(exc).__name__}")
        if operation in WRITE_OPERATIONS and (scheduled == "drop" or self._draw(config.drop_rate)):
            self._stats.outcome(operation, "dropped")
            return Reply(0, {}, b"", drop=True)
        return Reply(200, {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}, body)

    def _run(
        self,
        operation: str,
        labels: dict[str, str],
        query_text: str,
        request: Request,
        config: EmulatorConfig,
    ) -> bytes:
        handler = HANDLERS.get(operation)
        if handler is None:
            raise invalid_request(f"operation {operation} is not emulated by connect-scim's emulator")
        op_model = operation_model(operation)
        query = parse_qs(query_text, keep_blank_values=True)
        params = parse_input(
            op_model,
            labels=labels,
            query=query,
            headers=request.headers,
            body=request.body,
            error_code=parameter_error_code(op_model),
        )
        validate_input(op_model, params)
        with self._lock:
            result = handler(self._context(config), params)
            if operation in WRITE_OPERATIONS:
                self._persist()
        return serialize_output(op_model, result)

    # --------------------------------------------------------------------------------- control plane

    def _control(self, method: str, name: str, body: bytes) -> Reply:
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "stats"): self.stats,
            ("POST", "reset"): self._control_reset,
            ("GET", "config"): self._config.runtime_view,
            ("POST", "config"): lambda: self.configure(**_json_object(body)).runtime_view(),
            ("POST", "users"): lambda: _created(self.seed_users(_json_object(body))),
            ("GET", "state"): self.state_document,
            ("GET", "faults"): self.faults,
            ("POST", "faults"): lambda: self.schedule_faults(_schedule_entries(body)),
        }
        action = routes.get((method, name))
        if action is None:
            return _control_reply(404, {"message": f"no control endpoint {method} {CONTROL_PREFIX}{name}"})
        try:
            return _control_reply(200, action())
        except (ConfigError, ControlError, ScheduleError) as exc:
            return _control_reply(400, {"message": str(exc)})

    def _control_reset(self) -> dict[str, Any]:
        self.reset()
        return {"instanceId": self.instance_id}

    # ---------------------------------------------------------------------------------------- inside

    def _context(self, config: EmulatorConfig) -> Context:
        return Context(state=self._state, config=config, now=time.time(), new_user_id=self._new_user_id)

    def _new_user_id(self) -> str:
        while True:
            candidate = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            if candidate not in self._state.users:
                return candidate

    def _draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._draws.random() < rate

    def _seeded_state(self) -> State:
        return State.from_json(self._seed_document, self._config.username_unique_case_sensitive)

    def _persist(self) -> None:
        if self._config.state_path is not None:
            write_atomically(self._config.state_path, self._state.to_json())

    def _reseed(self, config: EmulatorConfig) -> None:
        self._draws.seed(config.random_seed)
        self._ids.seed(config.random_seed)

    def _new_throttle(self, config: EmulatorConfig) -> Throttle:
        return Throttle(config.rate, config.burst, config.per_operation_throttle)

    def _apply_config(self, new: EmulatorConfig) -> EmulatorConfig:
        old, self._config = self._config, new
        if (old.rate, old.burst, old.per_operation_throttle) != (
            new.rate,
            new.burst,
            new.per_operation_throttle,
        ):
            self._throttle = self._new_throttle(new)
        if old.username_unique_case_sensitive != new.username_unique_case_sensitive:
            self._state.index_usernames(new.username_unique_case_sensitive)
        if old.random_seed != new.random_seed:
            self._reseed(new)
        return new

    def _bulk_params(self, entry: Any, index: int, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(entry, dict):
            raise ControlError(f"users[{index}] must be an object")
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise ControlError(f"users[{index}]: unknown CreateUser members {', '.join(unknown)}")
        params: dict[str, Any] = {"InstanceId": self._state.instance.id}
        agent = [p.id for p in self._state.security_profiles.values() if p.name == BULK_SECURITY_PROFILE]
        basic = [p.id for p in self._state.routing_profiles.values() if p.name == BULK_ROUTING_PROFILE]
        if agent:
            params["SecurityProfileIds"] = agent[:1]
        if basic:
            params["RoutingProfileId"] = basic[0]
        return params | entry


def _read_seed(config: EmulatorConfig) -> dict[str, Any]:
    path = config.seed_path or PACKAGED_SEED
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StateFileError(f"cannot read seed {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"seed {path} is not a JSON document: {exc}") from None
    if not isinstance(document, dict):
        raise StateFileError(f"seed {path} must be a JSON object")
    try:
        State.from_json(document)  # refuse a bad seed at start, not at the first reset
    except StateFileError as exc:
        raise StateFileError(f"seed {path}: {exc}") from None
    return document


def _bulk_entries(spec: Mapping[str, Any]) -> list[Any]:
    if "users" in spec:
        entries = spec["users"]
        if not isinstance(entries, list):
            raise ControlError("users must be a list of CreateUser-shaped objects")
        if len(entries) > MAX_BULK_USERS:
            raise ControlError(f"at most {MAX_BULK_USERS} users per call")
        return entries
    count, prefix, start = spec.get("count"), spec.get("prefix", "bench-user-"), spec.get("start", 1)
    template = spec.get("template", {})
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_BULK_USERS:
        raise ControlError(f"count must be an integer between 0 and {MAX_BULK_USERS}")
    if not isinstance(prefix, str) or isinstance(start, bool) or not isinstance(start, int):
        raise ControlError("prefix must be a string and start an integer")
    if not isinstance(template, dict):
        raise ControlError("template must be an object of CreateUser members")
    return [
        {
            "Username": f"{prefix}{number}",
            "IdentityInfo": {"FirstName": "Seeded", "LastName": f"User {number}"},
        }
        | template
        for number in range(start, start + count)
    ]


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(document, dict):
        raise ControlError("the body must be a JSON object")
    return document


def _schedule_entries(body: bytes) -> list[Any]:
    entries = _json_object(body).get("schedule")
    if not isinstance(entries, list):
        raise ControlError('the body must be {"schedule": [...]}')
    return entries


def _created(user_ids: list[str]) -> dict[str, Any]:
    return {"created": len(user_ids), "userIds": user_ids}


def _error(code: str, message: str) -> Reply:
    status, headers, body = error_body(code, message)
    headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return Reply(status, headers, body)


def _control_reply(status: int, document: Any) -> Reply:
    return Reply(status, {"Content-Type": "application/json"}, json.dumps(document).encode())
