"""Pulumi.yaml declares every contract key the way the program reads it; the example stack is valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from components.config import DEFAULTS, KEYS, ScimSettings

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return data


def test_project_runs_python_from_the_pinned_venv_with_mypy() -> None:
    project = load("Pulumi.yaml")
    assert project["name"] == "connect-scim"
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv", "typechecker": "mypy"},
    }


def test_project_config_declares_exactly_the_contract_keys() -> None:
    assert list(load("Pulumi.yaml")["config"]) == list(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_key_has_a_type_and_a_description_of_what_it_does_and_accepts(key: str) -> None:
    declared = load("Pulumi.yaml")["config"][key]
    assert declared["type"] in {"string", "integer", "array"}
    if declared["type"] == "array":
        assert declared["items"] == {"type": "string"}
    assert len(declared["description"]) > 60


@pytest.mark.parametrize("key", KEYS)
def test_declared_defaults_are_the_defaults_the_program_applies(key: str) -> None:
    declared = load("Pulumi.yaml")["config"][key]
    assert declared.get("default") == DEFAULTS.get(key)


def test_declared_defaults_pass_validation_as_pulumi_would_hand_them_over() -> None:
    declared = load("Pulumi.yaml")["config"]
    values = {
        key: json.dumps(spec["default"]) if isinstance(spec["default"], list) else str(spec["default"])
        for key, spec in declared.items()
        if "default" in spec
    }
    values["instanceId"] = "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    ScimSettings.from_mapping(values, stack="dev")


def test_the_example_dev_stack_is_a_valid_configuration() -> None:
    config = load("Pulumi.dev.yaml")["config"]
    assert config["aws:region"]
    values = {
        key.split(":", 1)[1]: json.dumps(value) if isinstance(value, list) else str(value)
        for key, value in config.items()
        if key.startswith("connect-scim:")
    }
    settings = ScimSettings.from_mapping(values, stack="dev")
    assert settings.idp_type == "okta"
