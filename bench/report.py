"""The report: every figure in Markdown (printed, and written to ``report.md``) and in JSON.

Verdicts are computed here from the measurements, never written by hand: one line per target,
``PASS``/``FAIL`` with the measured figure (target 5 is a regression figure: ``INFO``).
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.budget import COLD_CACHE, FLOORS, BudgetRun, budget_verdict
from bench.coldstart import ARCHIVE_LIMIT, IMPORT_SHARE_LIMIT, ColdStart
from bench.overhead import Overhead
from bench.quota import BURST, RATE, ResyncRun, UtilisationRun
from bench.seed_baseline import SEED, SOURCE

UTILISATION_TARGET = 0.85


@dataclass
class Results:
    budget: list[BudgetRun] = field(default_factory=list)
    uniqueness: dict[str, Any] = field(default_factory=dict)
    utilisation: list[UtilisationRun] = field(default_factory=list)
    unpaced: list[UtilisationRun] = field(default_factory=list)
    resync: ResyncRun | None = None
    cold_start: ColdStart | None = None
    overhead: list[Overhead] = field(default_factory=list)
    seconds: float = 0.0
    charts: dict[str, str] = field(default_factory=dict)


def verdicts(results: Results) -> list[tuple[str, str, str]]:
    """(target, PASS/FAIL/INFO/SKIP, measured figure) per target."""
    lines: list[tuple[str, str, str]] = []
    if results.budget:
        ok, figure = budget_verdict(results.budget)
        lines.append(("1 calls per operation vs N", "PASS" if ok else "FAIL", figure))
    else:
        lines.append(("1 calls per operation vs N", "SKIP", "not run"))
    if results.utilisation:
        worst = min(run.utilisation for run in results.utilisation)
        failed = sum(run.failed for run in results.utilisation)
        server = sum(run.responses_5xx for run in results.utilisation)
        throttled = sum(run.throttled for run in results.utilisation)
        ok = worst >= UTILISATION_TARGET and failed == 0 and server == 0
        per = ", ".join(
            f"c={run.concurrency}: {run.utilisation:.3f} (strict {run.strict_utilisation:.3f})"
            for run in results.utilisation
        )
        lines.append(
            (
                "2 quota utilisation >= 0.85",
                "PASS" if ok else "FAIL",
                f"{per}; {failed} failed operations, {server} 5xx, {throttled} Connect calls throttled",
            )
        )
    else:
        lines.append(("2 quota utilisation >= 0.85", "SKIP", "not run"))
    if results.resync is not None:
        r = results.resync
        ok = r.writes == 0 and r.reads == r.users and r.failed == 0
        lines.append(
            (
                "3 steady-state re-sync",
                "PASS" if ok else "FAIL",
                f"{r.users} users: {r.reads} reads ({r.reads_per_user:.2f}/user), {r.writes} writes, "
                f"{r.patches_sent} PATCHes sent",
            )
        )
    else:
        lines.append(("3 steady-state re-sync", "SKIP", "not run"))
    if results.cold_start is not None:
        c = results.cold_start
        # Like for like: boto3's figure is with bytecode, so ours is too. The as-shipped figure
        # (our sources compiled on every Lambda cold start) is reported beside it, not hidden.
        share_ok = c.own_share_bytecode <= IMPORT_SHARE_LIMIT
        size_ok = c.archive_bytes <= ARCHIVE_LIMIT
        lines.append(
            (
                "4 cold start: own import <= 20% of boto3, archive <= 256 KiB",
                "PASS" if share_ok and size_ok else "FAIL",
                f"{c.own_share_bytecode:.0%} (provisioning {c.provisioning_bytecode_ms:.1f} ms, authorizer "
                f"{c.authorizer_bytecode_ms:.1f} ms vs boto3 {c.boto3_ms:.1f} ms, all with bytecode); as "
                f"shipped to Lambda, sources compiled on import: {c.own_share:.0%} (section 4); archive "
                f"{c.archive_bytes / 1024:.1f} KiB",
            )
        )
    else:
        lines.append(("4 cold start", "SKIP", "not run"))
    if results.overhead:
        summary = ", ".join(f"{o.operation} {o.p50_ms:.2f}/{o.p99_ms:.2f}" for o in results.overhead[:3])
        lines.append(("5 core overhead (regression figure)", "INFO", f"p50/p99 ms: {summary}, ... (table 5)"))
    else:
        lines.append(("5 core overhead (regression figure)", "SKIP", "not run"))
    return lines


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _composition(calls: dict[str, int]) -> str:
    return " + ".join(f"{count} {op}" if count > 1 else op for op, count in sorted(calls.items())) or "0"


def render(results: Results) -> str:
    out: list[str] = []
    add = out.append
    add("# connect-scim benchmark report")
    add("")
    add(
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by `make bench` in "
        f"{results.seconds:.0f} s on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}. Everything runs against the Connect emulator over loopback "
        "HTTP through the real runtime (the local server in-process; the Lambda handler in fresh "
        "interpreters for cold start); Connect calls are read from `GET /_emulator/stats`."
    )
    add("")
    add("## Verdicts")
    add("")
    for target, verdict, figure in verdicts(results):
        add(f"- **{verdict}** {target}: {figure}")
    add("")
    if results.budget:
        _budget_section(results, add)
    if results.utilisation:
        _utilisation_section(results, add)
    if results.resync is not None:
        _resync_section(results.resync, add)
    if results.cold_start is not None:
        _cold_start_section(results.cold_start, add)
    if results.overhead:
        _overhead_section(results.overhead, add)
    return "\n".join(out) + "\n"


def _budget_section(results: Results, add: Any) -> None:
    runs = results.budget
    sizes = [run.users for run in runs]
    add("## 1. Connect calls per SCIM operation vs instance size")
    add("")
    add(
        "Each operation is sent once over HTTP, on an instance bulk-seeded with N users, after one "
        "warm-up request (name caches full). The floor is the fewest calls any implementation "
        "needs with Connect's API and the same guarantees; where ours is higher the reason is given."
    )
    add("")
    header = " | ".join(f"N={n:,}" for n in sizes)
    add(f"| operation | {header} | Connect calls | floor | why |")
    add("|---|" + "---|" * len(sizes) + "---|---|---|")
    for floor in FLOORS:
        cells = " | ".join(_n(run.total(floor.key)) for run in runs)
        measured = next((run.calls[floor.key] for run in runs if floor.key in run.calls), None)
        if floor.groups:
            status = runs[0].groups if runs else "not run"
            if measured is None:
                add(f"| {floor.label} | {cells} | {status} | {floor.floor} | {floor.why} |")
            else:
                mark = " ⬆" if sum(measured.values()) > floor.floor else ""
                composition = _composition(measured)
                add(f"| {floor.label} | {cells} | {composition} | {floor.floor}{mark} | {floor.why} |")
            continue
        mark = " ⬆" if floor.total > floor.floor else ""
        add(
            f"| {floor.label} | {cells} | {_composition(measured or dict(floor.ours))} | "
            f"{floor.floor}{mark} | {floor.why} |"
        )
    add("")
    if runs and runs[0].cold_cache:
        add(
            f"Once per execution environment (and per 60 s of name-cache TTL), the first request adds "
            f"{_composition(runs[0].cold_cache)} (documented: {_composition(COLD_CACHE)})."
        )
        add("")
    if results.uniqueness:
        u = results.uniqueness
        add(
            "Why POST searches before CreateUser (measured, emulator with case-sensitive Username "
            f"uniqueness): our POST of `CASE.USER@example.com` beside `case.user@example.com` answered "
            f"{u['ourStatus']} for {_composition(u['ourCalls'])}; CreateUser alone accepted the "
            f"duplicate: {u['createUserAloneAccepted']}."
        )
        add("")
    add(f"Against the original system ({SOURCE}; its figures, not re-measured):")
    add("")
    add("| seed operation | seed N=10 / 1,000 / 10,000 | ours N=10 / 1,000 / 10,000 | seed result |")
    add("|---|---|---|---|")
    for floor in FLOORS:
        for key in floor.seed:
            row = SEED[key]
            seed_cells = " / ".join(_n(row.calls.get(n)) for n in (10, 1_000, 10_000))
            ours = " / ".join(_n(run.total(floor.key)) for run in runs)
            add(f"| {row.label} | {seed_cells} | {ours} ({floor.label}) | {row.result} |")
    add("")
    if "calls" in results.charts:
        add(f"![Connect calls per operation vs N]({results.charts['calls']})")
        add("")


def _utilisation_section(results: Results, add: Any) -> None:
    add("## 2. Quota utilisation (Okta-like onboarding)")
    add("")
    add(
        f"Emulator throttled at {RATE:g} requests/s, burst {BURST} (10x Connect); the app paces its "
        "Connect client to the same quota (`runtime/connect/pacing.py`). Utilisation = calls needed "
        f"(not throttled) / ({RATE:g}/s x wall time); strict = calls needed / ({BURST} + {RATE:g}/s x wall)."
    )
    add("")
    add(
        "| client | concurrency | users + deactivations | wall s | Connect calls | throttled | utilisation "
        "| strict | IdP operations | failed | 429 seen | 5xx seen |"
    )
    add("|---|---|---|---|---|---|---|---|---|---|---|---|")
    shown = [*results.utilisation, *results.unpaced]
    for run in shown:
        client = "paced" if run.paced else "**unpaced** (botocore retries only)"
        add(
            f"| {client} | {run.concurrency} | {run.users} + {run.deactivated} | {run.wall_seconds:.1f} | "
            f"{run.calls:,} | {run.throttled} | {run.utilisation:.3f} | {run.strict_utilisation:.3f} | "
            f"{run.operations} | {run.failed} | {run.responses_429} | {run.responses_5xx} |"
        )
    add("")
    for run in shown:
        parts = ", ".join(
            f"{op} {v['calls']}" + (f" ({v['throttled']} throttled)" if v["throttled"] else "")
            for op, v in sorted(run.by_operation.items())
        )
        add(f"- {'paced' if run.paced else 'unpaced'}, concurrency {run.concurrency}: {parts}")
        for failure in run.failures:
            add(f"  - failure: {failure}")
    add("")
    if results.unpaced:
        rows = "; ".join(
            f"concurrency {u.concurrency}: {u.throttled} of {u.calls} calls throttled "
            f"({u.throttled / u.calls:.0%}), {u.responses_429} SCIM 429 answer(s) reached the IdP, "
            f"utilisation {u.utilisation:.2f} (strict {u.strict_utilisation:.2f})"
            for u in results.unpaced
        )
        add(
            f"**Without pacing** (botocore's standard retries alone, smaller runs): {rows}. Measured, "
            "the quota-time is not what unpaced clients lose here: a throttled call takes no token, and "
            "the bucket (2.5 s of quota, at 10x as at Connect's 2/s burst 5) stores what accrues during "
            "a 0-1 s backoff, so the calls that follow catch up. What pacing removes is every throttled "
            "round trip and retry, and the SCIM 429s that surface when bounded retries run out (an IdP "
            "then stops for its Retry-After, and Okta's own rate-limit backoff is longer than ours)."
        )
        add("")
    add(
        "Per user, Okta's onboarding is 4 calls (GET miss: 2 SearchUsers; POST: SearchUsers + "
        "CreateUser) and a deactivation 3 (DescribeUser + TagResource + UpdateUserSecurityProfiles)."
    )
    add("")
    if "quota" in results.charts:
        add(f"![Connect requests per second against the quota]({results.charts['quota']})")
        add("")


def _resync_section(r: ResyncRun, add: Any) -> None:
    add("## 3. Steady-state re-sync (Entra's periodic cycle over unchanged users)")
    add("")
    add(
        "After the onboarding run: GET each user by `userName eq`, compare every attribute the IdP "
        "sent (and `active`), PATCH only differences. Throttling off (this counts calls)."
    )
    add("")
    add("| users | reads | reads/user | writes | PATCHes sent | Connect calls |")
    add("|---|---|---|---|---|---|")
    add(
        f"| {r.users} | {r.reads} | {r.reads_per_user:.2f} | {r.writes} | {r.patches_sent} | "
        f"{_composition(r.by_operation)} |"
    )
    add("")
    add(
        "A filtered GET is one SearchUsers: the search summary lacks only Mobile, which the service "
        "mirrors in the `scim:mobile` tag, so the summary is the whole resource "
        "(`runtime/service/user_lookup.py`). Before the mirror this cost SearchUsers + DescribeUser "
        "(2 reads per user per cycle). The price: a mobile change costs one TagResource more, and "
        "filtered results omit `meta.lastModified` (as listed ones do)."
    )
    add("")


def _cold_start_section(c: ColdStart, add: Any) -> None:
    add("## 4. Cold start (fresh interpreters, the real Lambda archive)")
    add("")
    add("| figure | ms |")
    add("|---|---|")
    rows = [
        ("`import boto3` alone (reference)", c.boto3_ms),
        ("provisioning handler after boto3, as shipped (sources compiled on import)", c.provisioning_ms),
        ("provisioning handler after boto3, with bytecode", c.provisioning_bytecode_ms),
        ("authorizer handler after boto3, as shipped", c.authorizer_ms),
        ("authorizer handler after boto3, with bytecode", c.authorizer_bytecode_ms),
        ("provisioning handler alone (it does not import boto3)", c.provisioning_alone_ms),
        ("rest of the runtime the first request imports, as shipped", c.rest_of_runtime_ms),
        ("first request (GET /Users/{id}: builds the app, boto3 client, name caches)", c.first_request_ms),
        ("tenth request", c.tenth_request_ms),
        ("median of requests 2-10", c.warm_median_ms),
    ]
    for label, value in rows:
        add(f"| {label} | {value:.1f} |")
    add("")
    add(
        f"Our own import cost is {c.own_share_bytecode:.0%} of boto3's like for like (both with bytecode: "
        f"the verdict) and {c.own_share:.0%} as shipped. Lambda unpacks the archive into a read-only "
        "`/var/task` and the archive holds sources only, so our modules are compiled on every cold start "
        "while the runtime's boto3 comes with bytecode; the difference between the two rows is that "
        f"compilation ({c.provisioning_ms - c.provisioning_bytecode_ms:.1f} ms for the provisioning "
        "handler's import path, about 12 ms of it measured by `compile()` on the same sources). Shipping "
        "bytecode would need the runtime's own interpreter (python3.13) at build time and a "
        "byte-reproducible pyc (hash-based, fixed hash seed); until then the as-shipped figure is the "
        "one Lambda sees. The first request pays for the rest of the runtime, boto3 and the client."
    )
    add("")
    add(
        f"Lambda archive: {c.archive_bytes:,} bytes ({c.archive_bytes / 1024:.1f} KiB) deflated at a fixed "
        f"level; stored it would be {c.archive_stored_bytes:,} bytes. Deflate output depends on the zlib "
        "build, so the archive is byte-identical on a given machine, not across machines with different "
        "zlib builds (see `components/packaging.py`)."
    )
    add("")


def _overhead_section(overhead: list[Overhead], add: Any) -> None:
    add("## 5. Core overhead (CPU per SCIM request, instant Connect)")
    add("")
    add(
        "The Lambda handler in-process with its real boto3 client; each Connect request is answered by "
        "the emulator's core in the same thread (no sockets), and the emulator's own CPU time is "
        "subtracted. A regression figure, not a target."
    )
    add("")
    add("| operation | p50 ms | p99 ms | samples |")
    add("|---|---|---|---|")
    for item in overhead:
        add(f"| {item.operation} | {item.p50_ms:.3f} | {item.p99_ms:.3f} | {item.samples} |")
    add("")


def as_json(results: Results) -> dict[str, Any]:
    return {
        "generatedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(results.seconds, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "verdicts": [{"target": t, "verdict": v, "figure": f} for t, v, f in verdicts(results)],
        "callsPerOperation": {
            "runs": [asdict(run) for run in results.budget],
            "floors": [
                {"key": f.key, "operation": f.label, "calls": dict(f.ours), "floor": f.floor, "why": f.why}
                for f in FLOORS
            ],
            "postUniquenessDemo": results.uniqueness,
            "seed": {
                key: {"label": row.label, "calls": row.calls, "result": row.result}
                for key, row in SEED.items()
            },
        },
        "utilisation": [run.as_json() for run in results.utilisation],
        "utilisationUnpaced": [run.as_json() for run in results.unpaced],
        "resync": results.resync.as_json() if results.resync else None,
        "coldStart": results.cold_start.as_json() if results.cold_start else None,
        "overhead": [asdict(item) for item in results.overhead],
        "charts": results.charts,
    }
