"""A full provisioning lifecycle under Connect faults converges, with nothing lost or duplicated.

Four runs side by side, one per IdP (Okta, Entra) and deactivation mode (disable, delete), each
with its own emulator (its own quota) and local SCIM server, all faults on:

* 10 % of Connect calls answer InternalServiceException (nothing applied);
* 5 % of writes are applied but their reply is lost (the connection closes);
* a 5 requests/s quota with a burst of 10, and the server paces itself at 1.2 times that, as if
  another tool shared the account's quota, so throttling happens and is absorbed;
* 20 ms added to every call;
* and the IdP loses 5 % of its successful POST answers and sends the POST again.

The IdP retries 429/5xx after ``Retry-After`` (``tests.reliability.idp``). Afterwards Connect's
own state, read through boto3, must be exactly what the IdP intended: every user present once,
with its security profiles, routing profile, names and tags; deactivated users holding only the
no-permission profile and remembering the others; deleted users gone; no user with zero
security profiles. Every log record of the runs is kept and searched for tokens and names.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from local.emulator import EmulatorConfig

from . import report
from .connect_state import differences, read_users
from .idp import HttpTransport, Idp
from .lifecycle import Outcome, Plan, run_lifecycle
from .logcapture import LogCapture, capture_all_logs, fields_of, header_dicts, leaks
from .stack import running_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

COMBINATIONS = [("okta", "disable"), ("okta", "delete"), ("entra", "disable"), ("entra", "delete")]
RATE, BURST = 5.0, 10
PLAN = Plan(workers=6)


@dataclass
class Run:
    idp: str
    deactivation: str
    outcome: Outcome
    problems: list[str]
    figures: dict[str, Any]
    token: str


@dataclass
class FaultRuns:
    runs: dict[tuple[str, str], Run]
    capture: LogCapture
    elapsed: float


def _tag(idp: str, deactivation: str) -> str:
    return f"{idp[:2].upper()}{deactivation[:3]}"


def _one_run(idp_kind: str, deactivation: str, seed: int) -> Run:
    config = EmulatorConfig(
        rate=RATE, burst=BURST, fault_rate=0.10, drop_rate=0.05, latency_ms=20, random_seed=seed
    )
    with running_stack(config, pace_rate=RATE * 1.2, idp=idp_kind, deactivation=deactivation) as stack:
        idp = Idp(HttpTransport(stack.base_url, stack.token), idp_kind, lose_post_replies=0.05, seed=seed)  # type: ignore[arg-type]
        started = time.monotonic()
        outcome = run_lifecycle(
            idp, PLAN, _tag(idp_kind, deactivation), deletes_on_deactivation=deactivation == "delete"
        )
        elapsed = time.monotonic() - started
        connect_stats = stack.emulator.stats()["operations"]
        # Faults off only to read the verdict; the run itself is over.
        stack.emulator.configure(rate=0, fault_rate=0, drop_rate=0, latency_ms=0)
        problems = differences(outcome.people, read_users(stack.emulator), deactivation=deactivation)
        totals = {
            key: sum(entry[key] for entry in connect_stats.values())
            for key in ("calls", "throttled", "faults", "dropped")
        }
        figures = {
            "seconds": round(elapsed, 1),
            "phases": outcome.phases,
            "groups": outcome.groups_used,
            "scim_requests": idp.stats.requests,
            "scim_attempts": idp.stats.attempts,
            "scim_statuses": {str(k): v for k, v in sorted(idp.stats.statuses.items())},
            "idp_retries": dict(idp.stats.retried),
            "idp_lost_post_replies": idp.stats.lost_post_replies,
            "idp_gave_up": len(idp.stats.gave_up),
            "connect": totals,
            "failures": len(outcome.failures),
            "state_differences": len(problems),
        }
        return Run(idp_kind, deactivation, outcome, problems, figures, stack.token)


@pytest.fixture(scope="module")
def fault_runs() -> FaultRuns:
    started = time.monotonic()
    with capture_all_logs() as capture, ThreadPoolExecutor(max_workers=len(COMBINATIONS)) as pool:
        futures = {
            combo: pool.submit(_one_run, combo[0], combo[1], seed)
            for seed, combo in enumerate(COMBINATIONS, start=7)
        }
        runs = {combo: future.result() for combo, future in futures.items()}
    result = FaultRuns(runs=runs, capture=capture, elapsed=time.monotonic() - started)
    report.record(
        "faults",
        {
            "wall_seconds": round(result.elapsed, 1),
            "plan": vars(PLAN),
            **{f"{idp}/{mode}": run.figures for (idp, mode), run in runs.items()},
        },
    )
    return result


@pytest.mark.parametrize(("idp", "deactivation"), COMBINATIONS)
def test_lifecycle_under_faults_converges_to_the_intended_connect_state(
    fault_runs: FaultRuns, idp: str, deactivation: str
) -> None:
    run = fault_runs.runs[(idp, deactivation)]
    assert run.outcome.failures == [], run.outcome.failures[:10]
    assert run.problems == [], run.problems[:20]
    assert run.outcome.groups_used, "the lifecycle must push group memberships (it found no group)"
    connect = run.figures["connect"]
    # The faults were real: some calls failed, some replies were lost, the quota bit.
    assert connect["faults"] > 50 and connect["dropped"] > 10 and connect["throttled"] > 0, connect
    statuses = run.figures["scim_statuses"]
    assert not any(int(status) >= 500 and int(status) not in (503,) for status in statuses), statuses
    present = sum(1 for p in run.outcome.people if p.present and (p.active or deactivation == "disable"))
    assert present > PLAN.users - PLAN.deleted - PLAN.deactivated  # the lifecycle really kept users


def test_fault_runs_overlapped_within_the_wall_clock_budget(fault_runs: FaultRuns) -> None:
    slowest = max(run.figures["seconds"] for run in fault_runs.runs.values())
    assert fault_runs.elapsed < slowest + 60  # concurrent, not one after another
    assert fault_runs.elapsed < 15 * 60


def test_fault_run_logs_hold_no_token_header_or_personal_data(fault_runs: FaultRuns) -> None:
    records = fault_runs.capture.snapshot()
    assert len(records) > 1000  # the capture saw the runs (requests, Connect calls, failures)
    needles = ["Zephyrine", "Quillfeather", "example.org", "ext-ok", "ext-en"]
    for run in fault_runs.runs.values():
        needles += [run.token, run.token[:16], f"Bearer {run.token}"]
    assert leaks(records, needles) == []
    assert header_dicts(records) == []


def test_fault_run_logged_the_security_events_with_ids_only(fault_runs: FaultRuns) -> None:
    capture = fault_runs.capture
    ids = {p.scim_id for run in fault_runs.runs.values() for p in run.outcome.people if p.scim_id}
    # A CreateUser whose answer was lost three times is found by the IdP's retried POST: that
    # creation is logged as "user.create_replayed" (same user id), not "user.created".
    created = capture.events("user.created") + capture.events("user.create_replayed")
    assert ids <= {fields_of(r)["user_id"] for r in created}
    for name in ("user.created", "user.deactivated", "user.deleted", "user.reactivated", "user.updated"):
        records = capture.events(name)
        assert records, name
        for record in records:
            assert set(fields_of(record)) <= {"operation", "user_id", "facets"}, fields_of(record)
