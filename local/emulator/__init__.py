"""An Amazon Connect emulator on loopback, speaking the REST-JSON protocol boto3 speaks.

No AWS is reachable where connect-scim is built and tested, so the product, its tests and its
benchmarks run against this: routes and shapes come from botocore's own Connect model, validation and
errors follow the service's documented rules, and Connect's tiny API quota is enforced.

In process::

    server = EmulatorServer(EmulatorConfig(rate=0)); url = server.start()
    boto3.client("connect", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="x")

From a shell: ``python -m local emulator --port 8790``.
"""

from local.emulator.config import ConfigError, EmulatorConfig
from local.emulator.core import ControlError, Emulator, Reply, Request
from local.emulator.server import EmulatorServer
from local.emulator.state import StateFileError

__all__ = [
    "ConfigError",
    "ControlError",
    "Emulator",
    "EmulatorConfig",
    "EmulatorServer",
    "Reply",
    "Request",
    "StateFileError",
]
