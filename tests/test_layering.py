"""The rooms of ARCHITECTURE.md, enforced: who may import what.

A newcomer learns the layout from folder names; these rules keep the names honest. Imports are
read with ``ast`` (late imports inside functions included), so no code is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AWS_SDK = ("boto3", "botocore")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(*rooms: str) -> list[Path]:
    return sorted(p for room in rooms for p in (ROOT / room).rglob("*.py"))


def _offending(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        n for n in _imports(path) if n in forbidden or n.startswith(tuple(f"{f}." for f in forbidden))
    )


@pytest.mark.parametrize(
    "path",
    _files("runtime/scim", "runtime/mapping", "runtime/service"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_protocol_mapping_and_services_never_import_the_aws_sdk(path: Path) -> None:
    """Only runtime/connect talks to Amazon Connect; the SCIM side stays testable without AWS."""
    assert _offending(path, AWS_SDK) == []


@pytest.mark.parametrize("path", _files("runtime/connect"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_connect_directory_does_not_know_scim(path: Path) -> None:
    assert _offending(path, ("runtime.scim", "runtime.mapping", "runtime.service")) == []


@pytest.mark.parametrize("path", _files("runtime"), ids=lambda p: str(p.relative_to(ROOT)))
def test_lambda_code_never_imports_local_tooling_tests_or_infrastructure(path: Path) -> None:
    """runtime/ is shipped verbatim into the Lambda archive, which holds nothing else."""
    assert _offending(path, ("local", "tests", "bench", "components", "pulumi", "pulumi_aws")) == []


def test_only_the_connect_directory_and_the_authorizer_import_the_aws_sdk() -> None:
    importers = {str(p.relative_to(ROOT)) for p in _files("runtime") if _offending(p, AWS_SDK)}
    allowed = {str(p.relative_to(ROOT)) for p in _files("runtime/connect")} | {
        "runtime/handlers/authorizer.py"
    }
    assert importers <= allowed, f"unexpected AWS SDK importers: {sorted(importers - allowed)}"
    assert "runtime/connect/directory.py" in importers  # the rule above must be able to fail
