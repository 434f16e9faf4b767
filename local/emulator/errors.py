"""Connect's error vocabulary, raised by the emulator's handlers and rendered by the wire layer.

Which code a rule raises is part of what the emulator promises: the product maps
DuplicateResourceException to SCIM 409, LimitExceededException to a final error, and so on. Messages
carry ids and member names only, never the values a client sent (they may be personal data).
"""

from __future__ import annotations

INVALID_PARAMETER = "InvalidParameterException"
INVALID_REQUEST = "InvalidRequestException"
NOT_FOUND = "ResourceNotFoundException"
DUPLICATE = "DuplicateResourceException"
LIMIT_EXCEEDED = "LimitExceededException"
THROTTLING = "ThrottlingException"
INTERNAL = "InternalServiceException"
ACCESS_DENIED = "AccessDeniedException"
# Not in Connect's model: what AWS REST front ends answer for a path no operation owns.
UNKNOWN_OPERATION = "UnknownOperationException"
UNKNOWN_OPERATION_STATUS = 404


class ConnectError(Exception):
    """An error response with Connect's code; the HTTP status comes from the service model."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid_parameter(message: str) -> ConnectError:
    return ConnectError(INVALID_PARAMETER, message)


def invalid_request(message: str) -> ConnectError:
    return ConnectError(INVALID_REQUEST, message)


def not_found(message: str) -> ConnectError:
    return ConnectError(NOT_FOUND, message)
