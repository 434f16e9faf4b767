"""Figures the reliability runs produce, printed at the end of the pytest run and kept in ``build/``.

Tests ``record(section, data)``; the ``pytest_terminal_summary`` hook in this folder's conftest
prints every section and writes them to ``build/reliability-report.json`` so they can be quoted.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

REPORT_PATH = Path(__file__).resolve().parents[2] / "build" / "reliability-report.json"
_sections: dict[str, Any] = {}
_lock = threading.Lock()


def record(section: str, data: Any) -> None:
    with _lock:
        _sections[section] = data
        REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
        previous: dict[str, Any] = {}
        if REPORT_PATH.exists():
            try:
                loaded = json.loads(REPORT_PATH.read_text())
                previous = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                previous = {}
        previous.update(_sections)
        REPORT_PATH.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")


def sections() -> dict[str, Any]:
    with _lock:
        return dict(_sections)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]
