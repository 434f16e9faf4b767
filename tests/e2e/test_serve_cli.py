"""``python -m local serve`` as an operator runs it: a subprocess, its banner, curl-like requests, Ctrl-C."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from local.emulator.testing import EmulatorHandle
from runtime.scim.schema import CORE_USER

from .conftest import http_request

REPO = Path(__file__).resolve().parents[2]
BANNER_TIMEOUT = 30.0


class Served:
    """A running ``python -m local serve``; its stdout is drained by a thread into ``lines``."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.banner = self._read_banner()
        base = re.search(r"SCIM base URL: (\S+)", self.banner)
        token = re.search(r"Bearer token:\s+(\S+)", self.banner)
        assert base and token, self.banner
        self.base_url = base.group(1)
        self.token = token.group(1)

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def _read_banner(self) -> str:
        banner: list[str] = []
        deadline = time.monotonic() + BANNER_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if not line:
                break
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                return "".join(banner)
        self.proc.kill()
        self.proc.wait(timeout=5)
        pytest.fail(f"serve did not print its banner: {(''.join(banner) + self.rest_of_output(5))[-3000:]!r}")

    def rest_of_output(self, timeout: float) -> str:
        self._reader.join(timeout)
        rest: list[str] = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return "".join(rest)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def start(*args: str) -> Served:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "local", "serve", "--port", "0", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    return Served(proc)


def stop(served: Served) -> tuple[int, str]:
    """Ctrl-C, as an operator would; returns the exit status and what was printed after the banner."""
    served.proc.send_signal(signal.SIGINT)
    try:
        code = served.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        raise
    return code, served.rest_of_output(timeout=5)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One embedded-emulator server for the module (throttle off: these tests are about HTTP)."""
    server = start("--connect-rate", "0")
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            stop(server)


def test_banner_prints_base_url_token_and_a_curl_example(served: Served) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/scim/v2", served.base_url)
    assert len(served.token) >= 32
    assert f"curl -s -H 'Authorization: Bearer {served.token}' '{served.base_url}/Users" in served.banner
    assert "embedded Connect emulator" in served.banner


def test_curl_style_post_creates_a_user_then_get_reads_it(served: Served) -> None:
    body = (
        b'{"schemas":["%s"],"userName":"walkthrough@example.com",'
        b'"name":{"givenName":"Walk","familyName":"Through"}}' % CORE_USER.encode()
    )
    status, headers, created = http_request(
        "POST",
        served.base_url + "/Users",
        body=body,
        headers={**served.auth(), "Content-Type": "application/scim+json"},
    )
    assert status == 201, created
    assert headers["Location"] == f"{served.base_url}/Users/{created['id']}"
    status, _, fetched = http_request("GET", headers["Location"], headers=served.auth())
    assert (status, fetched["userName"]) == (200, "walkthrough@example.com")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer", "{token}", "Token {token}"],
)
def test_requests_without_the_right_bearer_token_are_401(served: Served, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization.format(token=served.token)}
    status, response_headers, body = http_request("GET", served.base_url + "/Users", headers=headers)
    assert status == 401
    assert response_headers["WWW-Authenticate"].startswith("Bearer")
    assert response_headers["Content-Type"] == "application/scim+json"
    assert response_headers["X-Correlation-Id"]
    assert body["status"] == "401"
    assert served.token not in str(body)


def test_bearer_scheme_is_case_insensitive(served: Served) -> None:
    status, _, _ = http_request(
        "GET", served.base_url + "/Users?count=1", headers={"Authorization": f"bEaReR {served.token}"}
    )
    assert status == 200


def test_paths_outside_scim_v2_are_scim_404(served: Served) -> None:
    root = served.base_url.removesuffix("/scim/v2")
    status, _, body = http_request("GET", root + "/Users", headers=served.auth())
    assert status == 404
    assert "/scim/v2" in body["detail"]


def test_oversized_content_length_is_413_before_the_body_is_sent(served: Served) -> None:
    parts = urlsplit(served.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    connection.putrequest("POST", parts.path + "/Users")
    connection.putheader("Authorization", f"Bearer {served.token}")
    connection.putheader("Content-Type", "application/scim+json")
    connection.putheader("Content-Length", str(50 * 1024 * 1024))
    connection.endheaders()  # no body follows: the server must answer from the header alone
    response = connection.getresponse()
    assert response.status == 413
    assert b'"status": "413"' in response.read()
    connection.close()


def test_external_endpoint_discovers_the_instance_and_sigint_exits_cleanly(emulator: EmulatorHandle) -> None:
    served = start("--connect-endpoint", emulator.url, "--token", "operator-chosen-token-0123456789")
    try:
        assert served.token == "operator-chosen-token-0123456789"
        assert emulator.instance_id in served.banner
        status, _, body = http_request("GET", served.base_url + "/Users?count=1", headers=served.auth())
        assert status == 200, body
    finally:
        code, out = stop(served)
    assert code == 0
    assert "Stopped." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--connect-rate", "-1"], "--connect-rate/--connect-burst"),
        (["--token", "short"], "--token must be"),
        (["--token", "has spaces in the middle of it"], "--token must be"),
    ],
)
def test_bad_options_exit_2_with_a_message_not_a_traceback(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from local.server import main

    assert main(["--port", "0", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("serve: ")
    assert message in err
    assert "Traceback" not in err


def test_invalid_settings_exit_2_naming_the_problem(
    emulator: EmulatorHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    from local.server import main

    code = main(
        ["--port", "0", "--connect-endpoint", emulator.url, "--default-security-profiles", "SCIM-Deactivated"]
    )
    assert code == 2
    assert "DEACTIVATED_SECURITY_PROFILE" in capsys.readouterr().err


def test_unreachable_endpoint_exits_2_suggesting_instance_id(capsys: pytest.CaptureFixture[str]) -> None:
    from local.server import main

    assert main(["--port", "0", "--connect-endpoint", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "could not list Connect instances" in err
    assert "--instance-id" in err
