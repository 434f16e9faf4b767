"""The Pulumi program never puts the bearer token where it could be read in plain text.

``tests/infra`` already proves, per stack scenario, that the token reaches only the SSM parameter
(as a Pulumi secret), that the parameter is a ``SecureString``, that ``apiToken`` is the only
secret output and that no plain input, output or environment variable holds it. What it does not
watch is what the program *logs* while it runs: here every scenario runs under the mocks with every
log record captured (Python logging, and Pulumi's engine log, which the mocks route to it) and with
stdout/stderr captured, and none may hold the token. The summary assertions are repeated so this
file alone states the whole guarantee.
"""

from __future__ import annotations

import logging

import pulumi
import pytest
from infra.conftest import SCENARIOS
from infra.harness import ProgramRun, is_secret, plain_strings, run_main, run_program

from .logcapture import capture_all_logs, leaks


def _logging_program() -> None:
    """The program, plus a log line of our own to prove the capture sees Pulumi's log channel."""
    pulumi.log.info("reliability-probe")
    run_main()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_program_logs_and_prints_nothing_that_holds_the_token(
    scenario: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack, config = SCENARIOS[scenario]
    with capture_all_logs(root_level=logging.DEBUG) as capture:
        run: ProgramRun = run_program(config, stack=stack, program=_logging_program)
    token = run.outputs["apiToken"]
    assert isinstance(token, str) and len(token) >= 32
    printed = capsys.readouterr()
    assert token not in printed.out and token not in printed.err
    records = capture.snapshot()
    assert any(record.getMessage() == "reliability-probe" for record in records)
    assert leaks(records, [token, token[:16], token[-16:]]) == []

    # The whole guarantee in one place (tests/infra checks each part in detail).
    assert run.secret_outputs == {"apiToken"}
    parameter = run.one("aws:ssm/parameter:Parameter")
    assert parameter.inputs["type"] == "SecureString" and is_secret(parameter.inputs["value"])
    for resource in run.resources:
        if resource.typ == "random:index/randomPassword:RandomPassword":
            continue
        assert not any(token in text for text in plain_strings(resource.inputs)), resource.urn
        variables = (
            resource.inputs.get("environment", {}).get("variables", {})
            if resource.typ.startswith("aws:lambda/function")
            else {}
        )
        assert token not in repr(variables), resource.urn
