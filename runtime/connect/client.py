"""The boto3 Connect client, configured for a 2 requests/s account quota and a 29 s request budget.

Retries are explicit (``standard`` mode, bounded attempts) because the botocore bundled with the
Lambda runtime may default to ``legacy`` (5 attempts, 429/5xx only). Timeouts are short so that
even a PUT touching every facet, with retries, stays inside API Gateway's 29 s integration
timeout instead of the IdP seeing a 504 while the Lambda keeps writing.

Retries alone waste the quota (a throttled call is a round trip for nothing, then 0-1 s of
backoff), so a client is also *paced* to the account's rate (``runtime.connect.pacing``): calls
wait for a token instead of being throttled, and retries are paced the same way.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from runtime.connect.pacing import Pacer, install_pacing, pacer_for

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_CONNECT_TIMEOUT = 2.0
DEFAULT_READ_TIMEOUT = 5.0
_LOCAL_REGION = "us-east-1"


def client_config(
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Config:
    """Bounded standard-mode retries: throttling backs off 0-1 s, then 0-2 s, then gives up.

    ``max_attempts`` counts every attempt, the first included (botocore's ``total_max_attempts``;
    its ``max_attempts`` would mean retries, one more attempt than the name says).
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        tcp_keepalive=True,
    )


def pace(client: Any, rate: float, burst: int) -> Pacer | None:
    """Pace ``client``'s Connect requests to ``rate``/s with ``burst`` (rate 0: unpaced); the pacer.

    Installed on the client object, so it covers clients made by ``connect_client`` and clients
    handed to ``runtime.wiring.build_app`` alike; calling it again replaces the previous pacer.
    """
    pacer = pacer_for(rate, burst)
    install_pacing(client, pacer)
    return pacer


def connect_client(
    region: str | None = None,
    endpoint_url: str | None = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    session: boto3.session.Session | None = None,
) -> Any:
    """A Connect client for real AWS (ambient credentials) or, with ``endpoint_url``, the local emulator.

    The emulator does not check signatures; when it is the target and no AWS credentials are
    configured, fixed placeholder credentials are used so a developer machine needs no AWS setup.
    The CreateUser quota rule (never retry LimitExceededException) is installed by
    ``ConnectDirectory`` on whatever client it is given, so it holds for clients made elsewhere too.
    """
    session = session or boto3.session.Session()
    region = region or session.region_name or os.environ.get("AWS_REGION") or _LOCAL_REGION
    config = client_config(
        max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout
    )
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
        if session.get_credentials() is None:
            kwargs["aws_access_key_id"] = "local"
            kwargs["aws_secret_access_key"] = "local"  # noqa: S105 - emulator placeholder, not a secret
    return session.client("connect", **kwargs)
