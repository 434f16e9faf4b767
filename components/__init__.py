"""Pulumi components of connect-scim (never imports ``runtime``: it only packages its files).

``ConnectScim`` (connect_scim.py) composes ``ApiToken``, ``ProvisioningFunction``,
``AuthorizerFunction``, ``ScimApi`` and ``DeactivatedSecurityProfile``; ``config`` validates the
stack configuration, ``iam`` holds the policy documents, ``limits`` every sizing decision and
``packaging`` the reproducible Lambda archive.
"""
