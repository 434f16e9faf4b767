"""Target 4: cold start. Import cost of the Lambda handlers next to boto3's, first request vs tenth,
and the size of the Lambda archive.

Everything runs in fresh interpreters (subprocesses) from the **real Lambda archive**, built by
``components.packaging`` and unpacked into a temporary directory, with
``PYTHONDONTWRITEBYTECODE=1``: that is what Lambda runs. The archive ships sources only and
``/var/task`` is read-only, so our modules are compiled on every cold start, while the runtime's
boto3 comes with bytecode. The same imports with our bytecode precompiled are reported beside it.

"Our own import cost" is the handler module imported *after* ``import boto3`` in the same
interpreter, i.e. (handler and boto3) minus boto3 alone, with the standard library they share
counted once, as it is in a real cold start. Each figure is the median of ``REPEATS`` runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.harness import Bench, okta_user
from components.packaging import _collect, archive_bytes, build_lambda_archive

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
FIRST_REQUEST_RUNS = 3
REQUESTS = 10
MARK = "BENCH-RESULT "
ARCHIVE_LIMIT = 256 * 1024
IMPORT_SHARE_LIMIT = 0.20

_IMPORTS = """
import json, sys, time
def timed(statement):
    started = time.perf_counter()
    exec(statement, {})
    return (time.perf_counter() - started) * 1000
result = {}
for name, statement in STEPS:
    result[name] = timed(statement)
result["boto3_loaded"] = "boto3" in sys.modules
print("BENCH-RESULT " + json.dumps(result))
"""

_REQUESTS = """
import json, sys, time
started = time.perf_counter()
import runtime.handlers.provisioning as lambda_module
imported = (time.perf_counter() - started) * 1000
event = json.loads(sys.argv[1])
latencies = []
for _ in range(REQUESTS):
    started = time.perf_counter()
    answer = lambda_module.handler(event, None)
    latencies.append((time.perf_counter() - started) * 1000)
    assert answer["statusCode"] == 200, answer
print("BENCH-RESULT " + json.dumps({"import_ms": imported, "latencies_ms": latencies}))
"""


@dataclass
class ColdStart:
    boto3_ms: float
    provisioning_ms: float
    """Provisioning handler imported after boto3, as shipped (compiled on import)."""
    provisioning_bytecode_ms: float
    authorizer_ms: float
    """Authorizer handler imported after boto3, as shipped."""
    authorizer_bytecode_ms: float
    provisioning_alone_ms: float
    """The provisioning handler alone in a fresh interpreter (it does not import boto3)."""
    provisioning_imports_boto3: bool
    rest_of_runtime_ms: float
    """The modules the first request imports (wiring, service, mapping, connect), as shipped."""
    first_request_ms: float
    tenth_request_ms: float
    warm_median_ms: float
    archive_bytes: int
    archive_stored_bytes: int

    @property
    def own_share(self) -> float:
        """Our own import cost over boto3's, the worse of the two handlers, as shipped."""
        return max(self.provisioning_ms, self.authorizer_ms) / self.boto3_ms

    @property
    def own_share_bytecode(self) -> float:
        return max(self.provisioning_bytecode_ms, self.authorizer_bytecode_ms) / self.boto3_ms

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "own_share": round(self.own_share, 4),
            "own_share_bytecode": round(self.own_share_bytecode, 4),
        }


def _python(script: str, cwd: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(MARK):
            parsed: dict[str, Any] = json.loads(line[len(MARK) :])
            return parsed
    raise RuntimeError(f"cold-start probe failed ({completed.returncode}): {completed.stderr[-2000:]}")


def _steps(steps: list[tuple[str, str]]) -> str:
    return f"STEPS = {steps!r}\n" + _IMPORTS


def _median_of(script: str, cwd: Path, env: dict[str, str], key: str) -> float:
    return float(statistics.median(float(_python(script, cwd, env)[key]) for _ in range(REPEATS)))


def _environment(package: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(PYTHONPATH=str(package), PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def measure_cold_start(bench: Bench) -> ColdStart:
    with tempfile.TemporaryDirectory(prefix="connect-scim-bench-") as scratch:
        work = Path(scratch)
        archive = build_lambda_archive(ROOT, work / "build")
        stored = len(archive_bytes(_collect(ROOT, "runtime"), compression=zipfile.ZIP_STORED))
        shipped = work / "task"
        with zipfile.ZipFile(archive.path) as unpacked:
            unpacked.extractall(shipped)
        compiled = work / "task-bytecode"
        with zipfile.ZipFile(archive.path) as unpacked:
            unpacked.extractall(compiled)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(compiled)], check=True)

        env = _environment(shipped)
        env_bytecode = _environment(compiled)
        boto3_alone = _steps([("boto3", "import boto3")])
        after = {
            handler: _steps([("boto3", "import boto3"), ("handler", f"import runtime.handlers.{handler}")])
            for handler in ("provisioning", "authorizer")
        }
        alone = _steps([("handler", "import runtime.handlers.provisioning")])
        rest = _steps(
            [
                ("boto3", "import boto3"),
                ("handler", "import runtime.handlers.provisioning"),
                (
                    "rest",
                    "import runtime.wiring, runtime.service.users, runtime.connect.directory, "
                    "runtime.connect.client",
                ),
            ]
        )
        boto3_ms = _median_of(boto3_alone, work, env, "boto3")
        provisioning = _median_of(after["provisioning"], work, env, "handler")
        provisioning_bc = _median_of(after["provisioning"], work, env_bytecode, "handler")
        authorizer = _median_of(after["authorizer"], work, env, "handler")
        authorizer_bc = _median_of(after["authorizer"], work, env_bytecode, "handler")
        alone_runs = [_python(alone, work, env) for _ in range(REPEATS)]
        provisioning_alone = statistics.median(run["handler"] for run in alone_runs)
        rest_ms = _median_of(rest, work, env, "rest")

        first, tenth, warm = _first_requests(bench, work, shipped)
    return ColdStart(
        boto3_ms=round(boto3_ms, 1),
        provisioning_ms=round(provisioning, 1),
        provisioning_bytecode_ms=round(provisioning_bc, 1),
        authorizer_ms=round(authorizer, 1),
        authorizer_bytecode_ms=round(authorizer_bc, 1),
        provisioning_alone_ms=round(provisioning_alone, 1),
        provisioning_imports_boto3=any(run["boto3_loaded"] for run in alone_runs),
        rest_of_runtime_ms=round(rest_ms, 1),
        first_request_ms=round(first, 1),
        tenth_request_ms=round(tenth, 1),
        warm_median_ms=round(warm, 1),
        archive_bytes=archive.size,
        archive_stored_bytes=stored,
    )


def _first_requests(bench: Bench, work: Path, package: Path) -> tuple[float, float, float]:
    """GET /Users/{id} ten times from a fresh interpreter, against the emulator over HTTP."""
    bench.reset()
    with bench.serve("okta") as client:
        created = client.request("POST", "/Users", okta_user("cold.start@example.com", number=9)).body
    event = {
        "resource": "/scim/v2/{proxy+}",
        "path": f"/scim/v2/Users/{created['id']}",
        "httpMethod": "GET",
        "headers": {"Accept": "application/scim+json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": f"Users/{created['id']}"},
        "requestContext": {"stage": "prod", "requestId": "cold-start-probe"},
        "body": None,
        "isBase64Encoded": False,
    }
    env = _environment(
        package,
        CONNECT_INSTANCE_ID=bench.instance_id,
        CONNECT_ENDPOINT_URL=bench.url,
        AWS_REGION="us-east-1",
        CONNECT_RATE_LIMIT="0",
        LOG_LEVEL="WARNING",
    )
    script = f"REQUESTS = {REQUESTS}\n" + _REQUESTS
    runs = [_python(script, work, env, json.dumps(event)) for _ in range(FIRST_REQUEST_RUNS)]
    first = statistics.median(run["latencies_ms"][0] for run in runs)
    tenth = statistics.median(run["latencies_ms"][-1] for run in runs)
    warm = statistics.median(value for run in runs for value in run["latencies_ms"][1:])
    return first, tenth, warm
