"""Runs ``__main__.py`` under Pulumi's mocks and keeps everything it registered, for assertions.

The mocks answer like the AWS provider would for the outputs the program consumes (ARNs, ids,
invoke URLs, the random token). The monitor is wrapped to also record the resource *options*
(parent, protect, dependencies) that ``MockResourceArgs`` does not carry.

Pulumi keeps global state (settings, root stack, config); :func:`run_program` resets all of it,
so several stacks can be run in one test session, one after another.
"""

from __future__ import annotations

import hashlib
import runpy
import string
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

PROJECT = "connect-scim"
MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
ACCOUNT = "123456789012"
REGION = "eu-central-1"
PARTITION = "aws"
REST_API_ID = "a1b2c3d4e5"
SECRET_SIG = rpc._special_sig_key
SECRET_MARK = rpc._special_secret_sig


@dataclass
class Registered:
    """One resource as the program registered it."""

    typ: str
    name: str
    urn: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str = ""
    protect: bool = False
    delete_before_replace: bool = False
    dependencies: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    custom: bool = True


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_MARK


def reveal(value: Any) -> Any:
    """Inputs with secret wrappers removed (for assertions about the value itself)."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def plain_strings(value: Any) -> Iterator[str]:
    """Every string in ``value`` that is *not* inside a secret wrapper."""
    if is_secret(value):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from plain_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from plain_strings(item)


def fake_token(length: int, seed: str) -> str:
    alphabet = string.ascii_letters + string.digits
    digest = hashlib.sha512(seed.encode()).digest() * 4
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


class ScimMocks(pulumi.runtime.Mocks):
    """Provider-computed outputs per resource type; invokes answer for one fixed account."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.outputs_by_urn_name: dict[str, dict[str, Any]] = {}
        self._counter = 0

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/admin",
                "userId": "AIDAEXAMPLE",
                "id": ACCOUNT,
            }, []
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "name": REGION,
                "region": REGION,
                "id": REGION,
                "description": "Europe (Frankfurt)",
                "endpoint": f"ec2.{REGION}.amazonaws.com",
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "partition": PARTITION,
                "dnsSuffix": "amazonaws.com",
                "id": PARTITION,
                "reverseDnsPrefix": "com.amazonaws",
            }, []
        raise AssertionError(f"unexpected invoke {args.token}")

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self._counter += 1
        inputs = reveal(args.inputs)
        outputs: dict[str, Any] = dict(args.inputs)
        resource_id = f"{args.name}-id"
        typ = args.typ
        if typ == "aws:lambda/function:Function":
            function_name = inputs["name"]
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
            invoke_prefix = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions"
            outputs |= {
                "arn": arn,
                "invokeArn": f"{invoke_prefix}/{arn}/invocations",
                "qualifiedArn": f"{arn}:$LATEST",
            }
            resource_id = function_name
        elif typ == "aws:apigateway/restApi:RestApi":
            resource_id = REST_API_ID
            outputs |= {
                "executionArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{REST_API_ID}",
                "rootResourceId": "r00tres0ur",
                "arn": f"arn:aws:apigateway:{REGION}::/restapis/{REST_API_ID}",
            }
        elif typ == "aws:apigateway/resource:Resource":
            resource_id = f"res{self._counter:05d}"
        elif typ == "aws:apigateway/authorizer:Authorizer":
            resource_id = "auth01"
        elif typ == "aws:apigateway/stage:Stage":
            stage = inputs["stageName"]
            outputs |= {
                "invokeUrl": f"https://{REST_API_ID}.execute-api.{REGION}.amazonaws.com/{stage}",
                "executionArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{REST_API_ID}/{stage}",
                "arn": f"arn:aws:apigateway:{REGION}::/restapis/{REST_API_ID}/stages/{stage}",
            }
        elif typ == "random:index/randomPassword:RandomPassword":
            outputs["result"] = fake_token(int(inputs["length"]), args.name)
        elif typ == "aws:ssm/parameter:Parameter":
            outputs["arn"] = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{inputs['name']}"
            outputs["version"] = 1
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            outputs["arn"] = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{inputs['name']}"
        elif typ == "aws:iam/role:Role":
            role_name = f"{args.name}-1234567"
            outputs |= {"arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}", "name": role_name}
            resource_id = role_name
        elif typ == "aws:connect/securityProfile:SecurityProfile":
            profile_id = "0f0e0d0c-0b0a-4909-8807-060504030201"
            instance_arn = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{inputs['instanceId']}"
            outputs |= {
                "securityProfileId": profile_id,
                "arn": f"{instance_arn}/security-profile/{profile_id}",
            }
        return resource_id, outputs


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that also remembers options the mocks never see."""

    def __init__(self, mocks: ScimMocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            state = self.resources.get(response.urn)
            self.registered.append(
                Registered(
                    typ=request.type,
                    name=request.name,
                    urn=response.urn,
                    id=response.id,
                    inputs=rpc.deserialize_properties(request.object),
                    outputs=state.state if state else {},
                    parent=request.parent,
                    protect=bool(request.protect),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    dependencies=tuple(request.dependencies),
                    additional_secret_outputs=tuple(request.additionalSecretOutputs),
                    custom=bool(request.custom),
                )
            )
        return response


@dataclass
class ProgramRun:
    stack: str
    config: dict[str, str]
    resources: list[Registered]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    invokes: list[str]
    stack_urn: str = ""
    errors: list[BaseException] = field(default_factory=list)

    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name_suffix: str = "") -> Registered:
        found = [r for r in self.of_type(typ) if r.name.endswith(name_suffix)]
        assert len(found) == 1, f"expected one {typ} named *{name_suffix}, found {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registered:
        return next(r for r in self.resources if r.urn == urn)


def _reset() -> None:
    pulumi_settings.reset_options()
    pulumi.runtime.set_all_config({})


def run_main() -> None:
    runpy.run_path(str(MAIN), run_name="__main__")


def run_program(
    config: dict[str, str], *, stack: str = "dev", program: Callable[[], None] = run_main
) -> ProgramRun:
    """Run ``__main__.py`` (or ``program``) as ``pulumi up`` would, for ``stack`` with ``config``."""
    if str(MAIN.parent) not in sys.path:  # `pulumi up` runs the program from the project directory
        sys.path.insert(0, str(MAIN.parent))
    _reset()
    mocks = ScimMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_all_config(dict(config))
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    root = pulumi_settings.get_root_resource()
    assert isinstance(root, pulumi.runtime.stack.Stack)

    try:
        _sync_await(run_pulumi_func(program))
        outputs: dict[str, Any] = {}
        secret: set[str] = set()
        for name, value in root.outputs.items():
            output = pulumi.Output.from_input(value)
            outputs[name] = _sync_await(output.future())
            if _sync_await(output.is_secret()):
                secret.add(name)
    finally:
        _reset()
    return ProgramRun(
        stack=stack,
        config=dict(config),
        resources=list(monitor.registered),
        outputs=outputs,
        secret_outputs=secret,
        invokes=list(mocks.calls),
        stack_urn=f"urn:pulumi:{stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{stack}",
    )
