"""Builds the Lambda archive from ``runtime/``, byte-for-byte reproducibly.

Why reproducible: the function's ``source_code_hash`` is the archive's SHA-256, so an archive
that changed only because of timestamps, file order or permissions would make every
``pulumi up`` update both functions for nothing. Entries are therefore sorted, dated
1980-01-01 (the zip epoch), given fixed permissions, and deflated at a fixed level
(``COMPRESSION_LEVEL``).

Deflate rather than store: the archive shrinks about fourfold (the runtime's ~300 KB of sources
to well under 100 KB), which is what Lambda downloads and unpacks on every cold start. The
trade-off: deflate's output is a function of the zlib build as well as of the input, and zlib
builds differ (zlib, zlib-ng, Apple's). The same machine always produces the same bytes, so
repeated ``pulumi up`` runs are no-ops; two admins deploying one stack from machines with
different zlib builds would each see the functions updated once (same code, new hash) when
they take turns. Storing would avoid that at four times the size; ``make bench`` reports both.

Only ``runtime/`` ships. ``components``, ``local``, tests and caches never enter the archive.
This module is plain Python (no Pulumi import) so tests can run it directly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: The package shipped in the archive (imported as ``runtime.handlers.<name>``).
RUNTIME_PACKAGE = "runtime"
ARCHIVE_NAME = "lambda.zip"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: rw-r--r-- regular file; Lambda only needs to read the sources.
FILE_MODE = stat.S_IFREG | 0o644
#: Fixed deflate level: the bytes depend on it, so it never follows zlib's default.
COMPRESSION_LEVEL = 9

#: Third-party packages copied into the archive beside ``runtime/``. Deliberately empty: the
#: runtime imports only the standard library and boto3/botocore, which the Lambda Python runtime
#: provides. A pure-Python dependency added later must be listed here (its import name), and the
#: packaging test imports the handlers with nothing but boto3's own dependencies on the path, so
#: forgetting to list one fails the tests rather than the first request in AWS.
VENDORED_PACKAGES: tuple[str, ...] = ()

#: Directory names never shipped: bytecode, tests, caches, local tooling.
EXCLUDED_DIRS = frozenset(
    {
        "__pycache__",
        "tests",
        "test",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        ".venv",
        "venv",
        ".git",
        ".idea",
        ".vscode",
        "build",
        "dist",
    }
)
#: File suffixes never shipped: compiled bytecode, editor and OS droppings, local notes.
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swo", ".orig", ".rej", ".log", "~")
EXCLUDED_FILES = frozenset({".DS_Store", "Thumbs.db", "conftest.py", ".coverage"})


class PackagingError(RuntimeError):
    """The runtime tree cannot be packaged as it is (for example a symlink leaving it)."""


@dataclass(frozen=True)
class LambdaArchive:
    """A built archive: where it is, what Lambda will report as ``CodeSha256``, and what it holds."""

    path: Path
    sha256_base64: str
    size: int
    entries: tuple[str, ...]


def _excluded(relative: PurePosixPath) -> bool:
    if any(part in EXCLUDED_DIRS or part.endswith(".egg-info") for part in relative.parts[:-1]):
        return True
    name = relative.name
    return (
        name in EXCLUDED_FILES
        or name.endswith(EXCLUDED_SUFFIXES)
        or (name.startswith("test_") and name.endswith(".py"))
        or (name.startswith(".") and name != ".")
    )


def _collect(root: Path, package: str) -> dict[str, Path]:
    """Archive name → file on disk for every shippable file under ``root/package``."""
    base = root / package
    if not (base / "__init__.py").is_file():
        raise PackagingError(f"{base} is not a Python package (no __init__.py)")
    files: dict[str, Path] = {}
    for directory, dirnames, filenames in os.walk(base):
        here = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS and not d.endswith(".egg-info"))
        for filename in filenames:
            path = here / filename
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if _excluded(relative):
                continue
            if path.is_symlink():
                raise PackagingError(f"{relative} is a symlink; the archive ships regular files only")
            if not path.is_file():
                continue
            files[str(relative)] = path
    return files


def _vendored(names: tuple[str, ...]) -> dict[str, Path]:
    """Archive name → file for each vendored package, found on the current interpreter's path."""
    files: dict[str, Path] = {}
    for name in names:
        for entry in sys.path:
            candidate = Path(entry or ".") / name
            if (candidate / "__init__.py").is_file():
                files.update(_collect(candidate.parent, name))
                break
            module = candidate.with_suffix(".py")
            if module.is_file():
                files[module.name] = module
                break
        else:
            raise PackagingError(f"vendored package {name!r} is not installed in this environment")
    return files


def archive_bytes(files: dict[str, Path], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The zip of ``files`` (archive name → path), identical for identical contents (and zlib).

    ``compression=zipfile.ZIP_STORED`` gives the zlib-independent form (the benchmark compares).
    """
    import io

    level = COMPRESSION_LEVEL if compression == zipfile.ZIP_DEFLATED else None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=level) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = compression
            info.create_system = 3  # Unix, so external_attr is read as a mode
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, files[name].read_bytes(), compress_type=compression, compresslevel=level)
    return buffer.getvalue()


def build_lambda_archive(
    project_dir: Path,
    build_dir: Path,
    *,
    package: str = RUNTIME_PACKAGE,
    vendored: tuple[str, ...] = VENDORED_PACKAGES,
) -> LambdaArchive:
    """Write ``build_dir/lambda.zip`` from ``project_dir/<package>`` (+ vendored packages).

    The file is rewritten only when its bytes change, so its mtime (and Pulumi's view of it)
    stays put for an unchanged runtime.
    """
    files = _collect(project_dir, package)
    for name, path in _vendored(vendored).items():
        if name in files:
            raise PackagingError(f"vendored file {name} would overwrite a runtime file")
        files[name] = path
    data = archive_bytes(files)
    build_dir.mkdir(parents=True, exist_ok=True)
    target = build_dir / ARCHIVE_NAME
    if not target.is_file() or target.read_bytes() != data:
        staging = build_dir / f".{ARCHIVE_NAME}.tmp"
        staging.write_bytes(data)
        shutil.move(staging, target)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return LambdaArchive(path=target, sha256_base64=digest, size=len(data), entries=tuple(sorted(files)))
