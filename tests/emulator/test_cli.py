"""``python -m local emulator`` in a real subprocess, and the lazy ``serve`` dispatch."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import boto3
import pytest
from botocore.config import Config

import local.__main__ as cli

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
INSTANCE_LINE = re.compile(r"Instance id: ([0-9a-f-]{36})")


def launch(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "local", "emulator", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_banner(stdout: IO[str]) -> tuple[str, str]:
    url_match = URL_LINE.search(stdout.readline())
    instance_match = INSTANCE_LINE.search(stdout.readline())
    assert url_match, "the first line names the endpoint URL"
    assert instance_match, "the second line names the instance id"
    return url_match.group(1), instance_match.group(1)


def boto(url: str) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_the_cli_prints_its_url_and_instance_and_serves_boto3_until_sigterm(
    processes: list[subprocess.Popen[str]],
) -> None:
    process = launch("--rate", "0")
    processes.append(process)
    assert process.stdout is not None
    url, instance_id = read_banner(process.stdout)

    (instance,) = boto(url).list_instances()["InstanceSummaryList"]
    assert instance["Id"] == instance_id

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_state_survives_a_kill_9(tmp_path: Path, processes: list[subprocess.Popen[str]]) -> None:
    state = tmp_path / "state.json"
    first = launch("--state", str(state))
    processes.append(first)
    assert first.stdout is not None
    url, instance_id = read_banner(first.stdout)
    client = boto(url)
    agent = next(
        p["Id"]
        for p in client.list_security_profiles(InstanceId=instance_id)["SecurityProfileSummaryList"]
        if p["Name"] == "Agent"
    )
    user_id = client.create_user(
        InstanceId=instance_id,
        Username="survivor",
        SecurityProfileIds=[agent],
        RoutingProfileId=client.list_routing_profiles(InstanceId=instance_id)["RoutingProfileSummaryList"][0][
            "Id"
        ],
    )["UserId"]
    first.kill()
    first.wait(timeout=10)

    second = launch("--state", str(state))
    processes.append(second)
    assert second.stdout is not None
    url, _ = read_banner(second.stdout)
    assert boto(url).describe_user(InstanceId=instance_id, UserId=user_id)["User"]["Username"] == "survivor"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault-rate", "2"], "fault_rate"),
        (["--burst", "0"], "burst"),
        (["--state", "/nonexistent/dir/s.json"], "No such file"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "local", "emulator", "--port", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("emulator: ")
    assert message in done.stderr


def test_serve_is_dispatched_to_local_server_main_with_the_rest_of_the_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(list(argv))
        return 7

    fake = types.ModuleType("local.server")
    fake.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "local.server", fake)
    assert cli.main(["serve", "--port", "0", "--idp", "okta"]) == 7
    assert seen == [["--port", "0", "--idp", "okta"]]


def test_the_emulator_subcommand_lists_every_documented_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["emulator", "--help"])
    text = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--rate",
        "--burst",
        "--max-users",
        "--state",
        "--seed",
        "--per-operation-throttle",
        "--fault-rate",
        "--drop-rate",
        "--latency-ms",
        "--username-unique-case-sensitive",
        "--exact-search-case-insensitive",
    ):
        assert option in text
