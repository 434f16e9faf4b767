"""The report's PNG charts (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.budget import BY_KEY, BudgetRun
from bench.quota import BURST, RATE, UtilisationRun
from bench.seed_baseline import SEED

CALLS_CHART = "calls_vs_users.png"
QUOTA_CHART = "quota_timeline.png"

#: (panel title, our operation, the seed's rows for it)
PANELS = (
    ('GET filter userName eq "x"', "get_username", ("okta_get_username",)),
    ("GET /Users/{id}", "get_id", ("okta_get_id", "azure_get_id")),
    ("POST /Users", "post", ("okta_post", "azure_post")),
    ("PUT /Users/{id}", "put_one_facet", ("okta_put",)),
    ("deactivate (PATCH active=false)", "deactivate", ("okta_patch_active", "azure_patch_active")),
    ("PATCH department (Entra)", "patch_department", ("azure_patch_department",)),
)


def calls_chart(runs: list[BudgetRun], directory: Path) -> Path:
    """Connect calls per operation against N, ours beside the seed's published figures."""
    sizes = [run.users for run in runs]
    figure, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    for axis, (title, key, seed_rows) in zip(axes.flat, PANELS, strict=True):
        ours = [run.total(key) or 0 for run in runs]
        axis.plot(sizes, ours, marker="o", linewidth=2.5, color="#1f77b4", label="connect-scim (measured)")
        for row_key, style in zip(seed_rows, ("--", ":"), strict=False):
            row = SEED[row_key]
            axis.plot(
                sizes,
                [row.calls.get(n, 0) for n in sizes],
                style,
                marker="s",
                color="#d62728" if style == "--" else "#ff7f0e",
                label=f"seed: {row.label} (published)",
            )
        axis.set_title(title, fontsize=10)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_ylim(0.7, 600)
        axis.set_xticks(sizes, [f"{n:,}" for n in sizes])
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7, loc="upper left")
        floor = BY_KEY[key].floor
        axis.axhline(floor, color="#2ca02c", linewidth=0.8, alpha=0.6)
        axis.annotate(
            f"floor {floor}", (sizes[-1], floor), fontsize=7, color="#2ca02c", va="bottom", ha="right"
        )
    for axis in axes[1]:
        axis.set_xlabel("users in the Connect instance (N)")
    for axis in axes[:, 0]:
        axis.set_ylabel("Connect API calls per SCIM request")
    figure.suptitle("Connect calls per SCIM operation vs instance size: connect-scim vs the original (seed)")
    figure.tight_layout()
    path = directory / CALLS_CHART
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def quota_chart(runs: list[UtilisationRun], directory: Path) -> Path:
    """Connect requests per second over the utilisation runs, against the quota line."""
    figure, axes = plt.subplots(len(runs), 1, figsize=(12, 3.3 * len(runs)), sharex=True, squeeze=False)
    for axis, run in zip(axes[:, 0], runs, strict=True):
        seconds = [entry["second"] for entry in run.timeline]
        accepted = [entry["calls"] - entry["throttled"] for entry in run.timeline]
        throttled = [entry["throttled"] for entry in run.timeline]
        axis.bar(seconds, accepted, width=1.0, align="edge", color="#1f77b4", label="Connect calls accepted")
        axis.bar(
            seconds,
            throttled,
            width=1.0,
            align="edge",
            bottom=accepted,
            color="#d62728",
            label="throttled (429)",
        )
        axis.axhline(
            RATE, color="black", linestyle="--", linewidth=1, label=f"quota: {RATE:g}/s (burst {BURST})"
        )
        axis.set_ylabel("requests / s")
        axis.set_title(
            f"concurrency {run.concurrency}: {run.users} onboarded + {run.deactivated} deactivated in "
            f"{run.wall_seconds:.1f} s, {run.needed} calls, {run.throttled} throttled, "
            f"utilisation {run.utilisation:.2f}",
            fontsize=10,
        )
        axis.set_ylim(
            0, max(RATE * 1.6, max((a + t for a, t in zip(accepted, throttled, strict=True)), default=0) + 5)
        )
        axis.grid(True, axis="y", alpha=0.3)
        axis.legend(fontsize=8, loc="upper right")
    axes[-1, 0].set_xlabel("seconds since the run started")
    figure.suptitle("Okta-like onboarding against Connect's quota (emulator at 10x Connect: 20/s, burst 50)")
    figure.tight_layout()
    path = directory / QUOTA_CHART
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
