"""The Lambda archive: reproducible bytes, runtime files only, importable with nothing but boto3 around it."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from components import packaging
from components.packaging import LambdaArchive, PackagingError, build_lambda_archive

ROOT = Path(__file__).resolve().parents[2]
#: What the Lambda Python runtime provides besides the standard library: boto3 and its dependencies.
LAMBDA_PROVIDED = ("boto3", "botocore", "jmespath", "dateutil", "urllib3", "six", "s3transfer")
#: Lambda's direct-upload limit for a zipped deployment package.
LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> LambdaArchive:
    return build_lambda_archive(ROOT, tmp_path_factory.mktemp("build"))


def test_building_twice_gives_identical_bytes(archive: LambdaArchive, tmp_path: Path) -> None:
    again = build_lambda_archive(ROOT, tmp_path / "other")
    assert again.path.read_bytes() == archive.path.read_bytes()
    assert again.sha256_base64 == archive.sha256_base64


def test_hash_is_what_lambda_reports_as_code_sha256(archive: LambdaArchive) -> None:
    data = archive.path.read_bytes()
    assert archive.sha256_base64 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert archive.size == len(data)


def test_archive_fits_lambdas_upload_limit(
    archive: LambdaArchive, record_property: Callable[[str, object], None]
) -> None:
    record_property("lambda_zip_bytes", archive.size)
    assert archive.size < LAMBDA_ZIP_LIMIT


def test_deflating_keeps_the_archive_under_a_quarter_mebibyte_and_smaller_than_storing(
    archive: LambdaArchive,
) -> None:
    stored = packaging.archive_bytes(packaging._collect(ROOT, "runtime"), compression=zipfile.ZIP_STORED)
    assert archive.size <= 256 * 1024
    assert archive.size < len(stored) / 2


def shippable_runtime_files() -> set[str]:
    files = set()
    for path in (ROOT / "runtime").rglob("*"):
        relative = path.relative_to(ROOT)
        if not path.is_file() or "__pycache__" in relative.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        files.add(relative.as_posix())
    return files


def test_archive_holds_exactly_the_runtime_sources(archive: LambdaArchive) -> None:
    with zipfile.ZipFile(archive.path) as zf:
        names = zf.namelist()
    assert set(names) == shippable_runtime_files()
    assert all(name.startswith("runtime/") for name in names)
    assert {"runtime/__init__.py", "runtime/handlers/__init__.py", "runtime/handlers/authorizer.py"} <= set(
        names
    )
    for name in names:
        assert "__pycache__" not in name and not name.endswith((".pyc", ".pyo"))
        assert "/tests/" not in name and not Path(name).name.startswith("test_")


def test_entries_are_sorted_dated_1980_deflated_and_read_only(archive: LambdaArchive) -> None:
    with zipfile.ZipFile(archive.path) as zf:
        infos = zf.infolist()
        assert zf.testzip() is None  # every entry inflates back to its CRC
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o100644
        assert info.create_system == 3


def make_tree(root: Path) -> None:
    pkg = root / "runtime"
    for relative, text in {
        "__init__.py": "",
        "core.py": "VALUE = 1\n",
        "data/profile.json": "{}\n",
        "sub/__init__.py": "",
        "sub/mod.py": "",
        "__pycache__/core.cpython-311.pyc": "x",
        "sub/legacy.pyc": "x",
        "tests/test_core.py": "",
        "test_inline.py": "",
        "conftest.py": "",
        ".mypy_cache/x.json": "",
        ".pytest_cache/v": "",
        ".DS_Store": "",
        "core.py.swp": "",
        "notes.egg-info/PKG-INFO": "",
    }.items():
        path = pkg / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def names(archive: LambdaArchive) -> set[str]:
    with zipfile.ZipFile(archive.path) as zf:
        return set(zf.namelist())


def test_bytecode_tests_caches_and_tooling_are_left_out(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    built = build_lambda_archive(tmp_path / "src", tmp_path / "out")
    assert names(built) == {
        "runtime/__init__.py",
        "runtime/core.py",
        "runtime/data/profile.json",
        "runtime/sub/__init__.py",
        "runtime/sub/mod.py",
    }


def test_timestamps_and_permissions_do_not_change_the_archive(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    first = build_lambda_archive(tmp_path / "src", tmp_path / "a")
    core = tmp_path / "src" / "runtime" / "core.py"
    os.utime(core, (1_000_000_000, 1_000_000_000))
    core.chmod(0o600)
    second = build_lambda_archive(tmp_path / "src", tmp_path / "b")
    assert second.sha256_base64 == first.sha256_base64


def test_a_content_change_changes_the_hash(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    first = build_lambda_archive(tmp_path / "src", tmp_path / "out")
    (tmp_path / "src" / "runtime" / "core.py").write_text("VALUE = 2\n")
    second = build_lambda_archive(tmp_path / "src", tmp_path / "out")
    assert second.sha256_base64 != first.sha256_base64


def test_an_unchanged_rebuild_leaves_the_file_untouched(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    first = build_lambda_archive(tmp_path / "src", tmp_path / "out")
    os.utime(first.path, (1_000_000_000, 1_000_000_000))
    build_lambda_archive(tmp_path / "src", tmp_path / "out")
    assert first.path.stat().st_mtime == 1_000_000_000


def test_a_symlink_in_the_runtime_is_refused(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    (tmp_path / "src" / "runtime" / "link.py").symlink_to(tmp_path / "src" / "runtime" / "core.py")
    with pytest.raises(PackagingError, match="symlink"):
        build_lambda_archive(tmp_path / "src", tmp_path / "out")


def test_a_directory_that_is_not_a_package_is_refused(tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    with pytest.raises(PackagingError, match="not a Python package"):
        build_lambda_archive(tmp_path, tmp_path / "out")


def test_nothing_is_vendored_today_and_the_list_is_explicit() -> None:
    assert packaging.VENDORED_PACKAGES == ()


def test_a_vendored_package_lands_beside_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "src")
    site = tmp_path / "site"
    (site / "purelib").mkdir(parents=True)
    (site / "purelib" / "__init__.py").write_text("")
    (site / "purelib" / "__pycache__").mkdir()
    (site / "purelib" / "__pycache__" / "x.pyc").write_text("")
    monkeypatch.syspath_prepend(str(site))
    built = build_lambda_archive(tmp_path / "src", tmp_path / "out", vendored=("purelib",))
    assert "purelib/__init__.py" in names(built)
    assert not any("__pycache__" in n for n in names(built))
    with pytest.raises(PackagingError, match="not installed"):
        build_lambda_archive(tmp_path / "src", tmp_path / "out", vendored=("no_such_package_here",))


def lambda_like_path(tmp_path: Path) -> Path:
    """A directory holding only what the Lambda runtime adds to the standard library."""
    deps = tmp_path / "lambda-provided"
    deps.mkdir()
    for name in LAMBDA_PROVIDED:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (deps / source.name).symlink_to(source)
    return deps


IMPORT_CHECK = """
import importlib, json, sys
unpacked, provided, modules = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
assert "site" not in sys.modules, "site-packages must not be importable"
sys.path[:0] = [unpacked, provided]
loaded = {m: callable(getattr(importlib.import_module(m), "handler", None)) for m in modules}
stray = sorted(
    name for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
    and not module.__file__.startswith((unpacked, provided, sys.base_prefix, sys.prefix))
)
print(json.dumps({"loaded": loaded, "stray": stray}))
"""


def import_in_fresh_interpreter(
    archive: LambdaArchive, tmp_path: Path, modules: list[str]
) -> dict[str, object]:
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with zipfile.ZipFile(archive.path) as zf:
        zf.extractall(unpacked)
    provided = lambda_like_path(tmp_path)
    # -I: no PYTHON* variables, no user site, no cwd on the path; -S: no site-packages at all.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", IMPORT_CHECK, str(unpacked), str(provided), json.dumps(modules)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1", "LANG": "C.UTF-8"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_authorizer_imports_from_the_unpacked_archive_with_only_lambda_provided_packages(
    archive: LambdaArchive, tmp_path: Path
) -> None:
    answer = import_in_fresh_interpreter(archive, tmp_path, ["runtime.handlers.authorizer"])
    assert answer == {"loaded": {"runtime.handlers.authorizer": True}, "stray": []}


def test_provisioning_imports_from_the_unpacked_archive_with_only_lambda_provided_packages(
    archive: LambdaArchive, tmp_path: Path
) -> None:
    answer = import_in_fresh_interpreter(archive, tmp_path, ["runtime.handlers.provisioning"])
    assert answer == {"loaded": {"runtime.handlers.provisioning": True}, "stray": []}


def test_every_shipped_module_imports_without_a_stray_dependency(
    archive: LambdaArchive, tmp_path: Path
) -> None:
    modules = sorted(
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in archive.entries
        if name.endswith(".py")
    )
    answer = import_in_fresh_interpreter(archive, tmp_path, modules)
    assert answer["stray"] == []
    loaded = answer["loaded"]
    assert isinstance(loaded, dict)
    assert set(loaded) == set(modules)


def test_the_import_check_would_catch_a_dependency_lambda_does_not_provide(tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    (tmp_path / "src" / "runtime" / "core.py").write_text("import yaml\n")
    built = build_lambda_archive(tmp_path / "src", tmp_path / "out")
    with pytest.raises(AssertionError, match="No module named 'yaml'"):
        import_in_fresh_interpreter(built, tmp_path, ["runtime.core"])
