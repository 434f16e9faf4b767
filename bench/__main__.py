"""``python -m bench`` (``make bench``): measure, check against the targets, and report.

Prints the report, writes ``report.md``, ``report.json`` and the PNG charts to ``bench/out/``
(``--out`` to change), ``--json FILE`` writes the figures to FILE as well, and ``--publish`` copies
the report and charts to ``docs/bench/`` (what the README links). Exit status 1 when a target
fails, so CI can run it. ``--only`` runs a subset (``calls,quota,cold,overhead``) while iterating.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("calls", "quota", "cold", "overhead")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="output directory")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON here")
    parser.add_argument("--publish", action="store_true", help="copy report.md and charts to docs/bench/")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections (default: all of {','.join(SECTIONS)})",
    )
    return parser


def _quiet_runtime_logs() -> None:
    """The runtime logs every request as a JSON line on stdout; the report is what matters here."""
    from runtime.observability import get_logger

    get_logger("bench")
    logging.getLogger("connect_scim").setLevel(logging.WARNING)
    logging.getLogger("local").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        print(
            f"bench: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}",
            file=sys.stderr,
        )
        return 2
    _quiet_runtime_logs()

    from bench import budget, charts, coldstart, overhead, quota
    from bench.harness import Bench
    from bench.report import Results, as_json, render, verdicts

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results = Results()
    started = time.monotonic()
    with Bench() as bench:
        if "calls" in only:
            for size in budget.SIZES:
                _progress(f"calls per operation at N={size:,}")
                results.budget.append(budget.measure_budget(bench, size))
            results.uniqueness = budget.case_sensitive_uniqueness_demo(bench)
            results.charts["calls"] = charts.calls_chart(results.budget, out).name
        if "quota" in only:
            expected: dict[str, dict[str, object]] = {}
            for concurrency in quota.CONCURRENCIES:
                _progress(f"quota utilisation at concurrency {concurrency} (about 75 s)")
                run, expected = quota.run_utilisation(bench, concurrency)
                results.utilisation.append(run)
            _progress("steady-state re-sync")
            results.resync = quota.run_resync(bench, expected)
            for concurrency in quota.UNPACED_CONCURRENCIES:
                _progress(
                    f"the same work unpaced (botocore retries only), concurrency {concurrency}, smaller"
                )
                unpaced, _ = quota.run_utilisation(
                    bench,
                    concurrency,
                    users=quota.UNPACED_USERS,
                    deactivate=quota.UNPACED_DEACTIVATE,
                    paced=False,
                )
                results.unpaced.append(unpaced)
            results.charts["quota"] = charts.quota_chart(results.utilisation, out).name
        if "cold" in only:
            _progress("cold start (fresh interpreters)")
            results.cold_start = coldstart.measure_cold_start(bench)
        if "overhead" in only:
            _progress("core overhead")
            results.overhead = overhead.measure_overhead(bench)
    results.seconds = time.monotonic() - started

    text = render(results)
    (out / "report.md").write_text(text, encoding="utf-8")
    document = as_json(results)
    (out / "report.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if args.publish:
        docs = ROOT / "docs" / "bench"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / "report.md", docs / "report.md")
        for name in results.charts.values():
            shutil.copy2(out / name, docs / name)
    sys.stdout.write(text)
    sys.stdout.write(f"\nWritten to {out}{' and docs/bench' if args.publish else ''}.\n")
    return 1 if any(verdict == "FAIL" for _, verdict, _ in verdicts(results)) else 0


def _progress(message: str) -> None:
    print(f"bench: {message}...", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
