"""Builds the SCIM app from settings: the one place the Lambda handler and the local server share.

Both adapters must serve exactly the same services with the same configuration, or a behaviour
tested locally would not be the one deployed; so neither assembles the parts itself.
"""

from __future__ import annotations

from typing import Any

from runtime.app import ScimApp
from runtime.settings import Settings, SettingsError


def build_app(settings: Settings, connect_client: Any | None = None) -> ScimApp:
    """The app for ``settings``; ``connect_client`` defaults to one made from the settings.

    Heavy imports (boto3, the services) happen here rather than at module import, so importing
    a handler module stays cheap and the cost is paid once per execution environment.
    """
    from runtime.connect.directory import ConnectDirectory
    from runtime.observability import set_level
    from runtime.service.groups import GroupService
    from runtime.service.users import UserService

    set_level(settings.log_level)
    if not settings.instance_id:
        raise SettingsError("CONNECT_INSTANCE_ID must name the Amazon Connect instance (its UUID)")
    if connect_client is None:
        from runtime.connect.client import connect_client as make_client

        connect_client = make_client(
            settings.region,
            settings.connect_endpoint_url,
            max_attempts=settings.connect_max_attempts,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
    from runtime.connect.client import pace

    # Every Connect call of this environment waits for the account quota (CONNECT_RATE_LIMIT).
    pace(connect_client, settings.connect_rate_limit, settings.connect_burst)
    directory = ConnectDirectory(connect_client, settings.instance_id)
    return ScimApp(
        {
            "Users": UserService(directory, settings),
            "Groups": GroupService(directory, settings),
        }
    )
