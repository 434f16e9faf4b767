"""Reliability and security tests: faults, hostile input, load, secrets (issue 7).

Long runs are marked ``slow`` (still part of ``make test``). The figures they measure (fault-run
outcomes per IdP and deactivation mode, load latencies, property-test counts) are printed in the
terminal summary and written to ``build/reliability-report.json``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from . import report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    sections = report.sections()
    if not sections:
        return
    terminalreporter.section("connect-scim reliability figures")
    for name, data in sorted(sections.items()):
        terminalreporter.write_line(f"{name}: {json.dumps(data, sort_keys=True)}")
    terminalreporter.write_line(f"(also in {report.REPORT_PATH})")
