"""The provisioning role allows exactly the Connect operations runtime/connect calls (plus the implied ones).

A missing action is an AccessDenied on the first real request; an extra one is privilege nobody
uses (the seed granted UpdateUserIdentityInfo and SearchUsers and called neither). The runtime is
scanned as source text so the test needs no Connect and sees every call site, including
dispatch by method name (``self._call("describe_user", ...)``) and paginators.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

from components import iam

CONNECT_SOURCES = Path(__file__).resolve().parents[2] / "runtime" / "connect"
_CALL = re.compile(r"\.([a-z][a-z0-9_]*)\(")
_NAMED = re.compile(r"""["']([a-z][a-z0-9_]*)["']""")


def connect_operations() -> dict[str, str]:
    """snake_case boto3 method -> Connect operation name, from botocore's own Connect model."""
    model = botocore.session.get_session().get_service_model("connect")
    return {xform_name(name): name for name in model.operation_names}


def operations_called(source: str, operations: dict[str, str]) -> set[str]:
    found = {operations[m] for m in _CALL.findall(source) if m in operations}
    found |= {operations[m] for m in _NAMED.findall(source) if m in operations}
    return found


def runtime_operations() -> dict[str, set[str]]:
    operations = connect_operations()
    called: dict[str, set[str]] = {}
    for path in sorted(CONNECT_SOURCES.glob("*.py")):
        for operation in operations_called(path.read_text(), operations):
            called.setdefault(operation, set()).add(path.name)
    return called


def test_the_scanner_recognises_direct_calls_dispatch_by_name_and_paginators() -> None:
    operations = connect_operations()
    source = """
        client.search_users(InstanceId=i)
        self._call("describe_user", "DescribeUser", UserId=u)
        paginator = client.get_paginator('list_security_profiles')
        text = "not_an_operation"  # plain strings are ignored
        self.search_users_somehow()
    """
    assert operations_called(source, operations) == {"SearchUsers", "DescribeUser", "ListSecurityProfiles"}


def test_runtime_calls_connect_somewhere() -> None:
    # Guards the scan itself: a renamed folder must not make the comparison below vacuous.
    assert runtime_operations(), f"no Connect operation found under {CONNECT_SOURCES}"


def test_every_connect_operation_the_runtime_calls_is_allowed() -> None:
    allowed = set(iam.PROVISIONING_CONNECT_ACTIONS)
    missing = {
        operation: sorted(files)
        for operation, files in runtime_operations().items()
        if not iam.required_connect_actions([operation]) <= allowed
    }
    assert not missing, f"runtime calls Connect operations the provisioning role cannot: {missing}"


def test_every_allowed_connect_action_is_needed_by_the_runtime() -> None:
    needed = iam.required_connect_actions(sorted(runtime_operations()))
    unused = set(iam.PROVISIONING_CONNECT_ACTIONS) - needed
    assert not unused, f"the provisioning role grants Connect actions nothing calls: {sorted(unused)}"


@pytest.mark.parametrize(
    ("operation", "actions"),
    [
        ("SearchUsers", {"SearchUsers", "DescribeUser", "ListUserProficiencies"}),
        ("SearchSecurityProfiles", {"SearchSecurityProfiles", "DescribeSecurityProfile"}),
        ("SearchRoutingProfiles", {"SearchRoutingProfiles", "DescribeRoutingProfile"}),
        ("UpdateUserConfig", {"UpdateUserPhoneConfig"}),
        ("CreateUser", {"CreateUser", "TagResource"}),
        ("DeleteUser", {"DeleteUser"}),
    ],
)
def test_implied_actions_follow_the_iam_reference(operation: str, actions: set[str]) -> None:
    assert iam.required_connect_actions([operation]) == actions
