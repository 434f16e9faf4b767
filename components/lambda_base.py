"""What both functions share: an execution role of their own, a log group of their own, and the archive.

Each function gets its *own* role so the authorizer can read the token and nothing else, and the
provisioning function can call Connect and nothing else. Each gets its *own* log group, created
before the function under the name Lambda would use (``/aws/lambda/<function>``), so retention
applies from the first line and the role can be limited to that one group (no
``logs:CreateLogGroup`` on ``*``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.iam import lambda_assume_role_policy
from components.limits import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from components.packaging import LambdaArchive

RUNTIME = LAMBDA_RUNTIME
ARCHITECTURES = [LAMBDA_ARCHITECTURE]


def execution_role(name: str, description: str, parent: pulumi.Resource) -> aws.iam.Role:
    return aws.iam.Role(
        f"{name}-role",
        description=description,
        assume_role_policy=json.dumps(lambda_assume_role_policy()),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def function_log_group(
    name: str, function_name: str, retention_days: int, parent: pulumi.Resource
) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(
        f"{name}-logs",
        name=f"/aws/lambda/{function_name}",
        retention_in_days=retention_days,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def json_logging(
    log_group: aws.cloudwatch.LogGroup, level: str = "INFO"
) -> aws.lambda_.FunctionLoggingConfigArgsDict:
    """Lambda's native JSON log format: every record is one JSON object CloudWatch can query."""
    return {
        "log_format": "JSON",
        "log_group": log_group.name,
        "application_log_level": level,
        "system_log_level": "WARN",
    }


def archive_code(archive: LambdaArchive) -> pulumi.FileArchive:
    """The zip as a Pulumi archive, by a path relative to the project when possible.

    A relative path keeps the state identical between admins' checkouts; the content hash is what
    decides whether the code changed.
    """
    path = Path(archive.path)
    try:
        shown = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive on Windows
        shown = str(path)
    if shown.startswith(".."):
        shown = str(path)
    return pulumi.FileArchive(shown)
