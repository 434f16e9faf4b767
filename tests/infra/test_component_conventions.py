"""Component conventions (style anchors): one typed Args, children parented and named after the component,
exactly one register_outputs as the last statement, and components never importing runtime code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .harness import ProgramRun

ROOT = Path(__file__).resolve().parents[2]
COMPONENT_FILES = sorted((ROOT / "components").glob("*.py"))
PROGRAM_FILES = [*COMPONENT_FILES, ROOT / "__main__.py"]
FORBIDDEN_ROOTS = {"runtime", "local", "tests", "bench"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            roots.add("__import__")
    return roots


@pytest.mark.parametrize("path", PROGRAM_FILES, ids=lambda p: p.name)
def test_program_code_never_imports_runtime_or_local_code(path: Path) -> None:
    assert not imported_roots(path) & (FORBIDDEN_ROOTS | {"__import__"}), path.name


def test_the_import_scan_sees_every_import_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import runtime.app\nfrom local import server\nfrom runtime.scim import errors as e\n")
    assert imported_roots(sample) == {"runtime", "local"}


def component_classes() -> list[tuple[Path, ast.ClassDef]]:
    found = []
    for path in COMPONENT_FILES:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Attribute) and base.attr == "ComponentResource" for base in node.bases
            ):
                found.append((path, node))
    return found


def test_all_six_components_exist() -> None:
    names = {node.name for _, node in component_classes()}
    assert names == {
        "ApiToken",
        "ProvisioningFunction",
        "AuthorizerFunction",
        "ScimApi",
        "DeactivatedSecurityProfile",
        "ConnectScim",
    }


def _init(node: ast.ClassDef) -> ast.FunctionDef:
    return next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")


@pytest.mark.parametrize("component", component_classes(), ids=lambda c: c[1].name)
def test_component_takes_name_one_typed_args_dataclass_and_opts(component: tuple[Path, ast.ClassDef]) -> None:
    path, node = component
    init = _init(node)
    params = [a.arg for a in init.args.args]
    assert params == ["self", "name", "args", "opts"]
    annotation = init.args.args[2].annotation
    assert isinstance(annotation, ast.Name)
    assert annotation.id == f"{node.name}Args"
    module = ast.parse(path.read_text())
    args_class = next(n for n in module.body if isinstance(n, ast.ClassDef) and n.name == annotation.id)
    decorators = [ast.unparse(d) for d in args_class.decorator_list]
    assert any(d.startswith("dataclass") for d in decorators)
    assert all(isinstance(s, ast.AnnAssign | ast.Expr) for s in args_class.body), "Args fields must be typed"


@pytest.mark.parametrize("component", component_classes(), ids=lambda c: c[1].name)
def test_exactly_one_register_outputs_and_it_comes_last(component: tuple[Path, ast.ClassDef]) -> None:
    _, node = component
    init = _init(node)
    calls = [
        n
        for n in ast.walk(init)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "register_outputs"
    ]
    assert len(calls) == 1
    last = init.body[-1]
    assert isinstance(last, ast.Expr)
    assert last.value is calls[0]


@pytest.mark.parametrize("component", component_classes(), ids=lambda c: c[1].name)
def test_public_outputs_are_declared_as_class_annotations(component: tuple[Path, ast.ClassDef]) -> None:
    _, node = component
    annotated = {
        s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    }
    assigned = {
        target.attr
        for n in ast.walk(_init(node))
        if isinstance(n, ast.Assign)
        for target in n.targets
        if isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    }
    assert assigned
    assert assigned <= annotated, f"undeclared public attributes: {assigned - annotated}"


def test_every_resource_has_a_component_parent_and_a_name_derived_from_it(run: ProgramRun) -> None:
    top = run.one("connect-scim:index:ConnectScim")
    assert top.parent == run.stack_urn
    for resource in run.resources:
        if resource is top:
            continue
        parent = run.by_urn(resource.parent)
        assert not parent.custom, f"{resource.urn} is parented to a custom resource"
        assert resource.name.startswith(f"{parent.name}-"), f"{resource.name} not derived from {parent.name}"


def test_every_custom_resource_belongs_to_a_leaf_component_not_to_the_top_one(run: ProgramRun) -> None:
    top = run.one("connect-scim:index:ConnectScim")
    assert all(r.parent != top.urn for r in run.resources if r.custom)


def test_type_tokens_use_the_project_package_and_index_module(run: ProgramRun) -> None:
    components = [r for r in run.resources if not r.custom]
    assert {r.typ.rsplit(":", 1)[0] for r in components} == {"connect-scim:index"}


def test_resource_names_are_unique(run: ProgramRun) -> None:
    names = [(r.typ, r.name) for r in run.resources]
    assert len(names) == len(set(names))
