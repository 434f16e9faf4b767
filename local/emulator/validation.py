"""Server-side checks of the model's constraints, the ones botocore leaves to the service.

botocore validates only ``required``, types and minimums before sending (connect-api.md §1); the
service enforces maximums, list sizes, enums and patterns. So does this module, for every member of
an emulated operation's input, with messages naming the member but never echoing its value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from local.emulator.errors import INVALID_PARAMETER, INVALID_REQUEST, ConnectError

# The model spells E.164 twice: correctly on SensitivePhoneNumber and with doubled backslashes on
# PhoneNumber (IdentityInfo.Mobile), an escaping slip whose intent is the same rule. Both anchor only
# the end; the service's documented intent is a whole E.164 number, so the check is a full match.
E164 = re.compile(r"\+[1-9]\d{1,14}")
_TAG_KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"
_PASSWORD_PATTERN = r"/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$/"  # noqa: S105 - a model pattern
_PASSWORD = re.compile(r"(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}")
_TAG_KEY_PUNCTUATION = frozenset("_.:/=+-@")
MAX_NESTING = 32


def _tag_key_ok(value: str) -> bool:
    # Python's re has no \p{...} classes: letters (L*), separators (Z*) and numbers (N*) by category.
    return not value.startswith("aws:") and all(
        char in _TAG_KEY_PUNCTUATION or unicodedata.category(char)[0] in "LZN" for char in value
    )


# Model patterns Python's ``re`` cannot take as written, keyed by their exact text in the model.
PATTERN_CHECKS: dict[str, Callable[[str], bool]] = {
    _TAG_KEY_PATTERN: _tag_key_ok,
    r"\\+[1-9]\\d{1,14}$": lambda value: E164.fullmatch(value) is not None,
    r"\+[1-9]\d{1,14}$": lambda value: E164.fullmatch(value) is not None,
    _PASSWORD_PATTERN: lambda value: _PASSWORD.fullmatch(value) is not None,
}


def pattern_check(pattern: str) -> Callable[[str], bool]:
    """How a model pattern is checked: the table above, else the pattern itself with search semantics
    (Smithy patterns are not implicitly anchored)."""
    if pattern in PATTERN_CHECKS:
        return PATTERN_CHECKS[pattern]
    compiled = re.compile(pattern)
    return lambda value: compiled.search(value) is not None


def parameter_error_code(op_model: Any) -> str:
    """InvalidParameterException where the operation declares it, else InvalidRequestException (the
    instance operations declare only the latter), so boto3 raises a modeled exception class."""
    declared = {shape.name for shape in op_model.error_shapes}
    return INVALID_PARAMETER if INVALID_PARAMETER in declared else INVALID_REQUEST


def validate_input(op_model: Any, params: dict[str, Any]) -> None:
    """Raise the service's validation error for the first member that breaks a model constraint."""
    if op_model.input_shape is not None:
        _Validator(parameter_error_code(op_model)).check(op_model.input_shape, params, op_model.name, 0)


class _Validator:
    def __init__(self, code: str) -> None:
        self.code = code

    def fail(self, path: str, constraint: str) -> ConnectError:
        return ConnectError(self.code, f"Value at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if depth > MAX_NESTING:
            raise self.fail(path, f"Member must not be nested more than {MAX_NESTING} levels deep")
        handler = getattr(self, f"_check_{shape.type_name}", None)
        if handler is None:
            raise ConnectError(INVALID_REQUEST, f"{path}: members of type {shape.type_name} are not emulated")
        handler(shape, value, path, depth)

    def _check_structure(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if not isinstance(value, dict):
            raise self.fail(path, "Member must be an object")
        for name in shape.required_members:
            if value.get(name) is None:
                raise self.fail(f"{path}.{name}", "Member must not be null")
        for name, item in value.items():
            if item is not None:
                self.check(shape.members[name], item, f"{path}.{name}", depth + 1)

    def _check_list(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if not isinstance(value, list):
            raise self.fail(path, "Member must be a list")
        self._size(shape, len(value), path)
        for item in value:
            self.check(shape.member, item, f"{path}[]", depth + 1)

    def _check_map(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if not isinstance(value, dict):
            raise self.fail(path, "Member must be a map")
        self._size(shape, len(value), path)
        for key, item in value.items():
            self.check(shape.key, key, f"{path} key", depth + 1)
            self.check(shape.value, item, f"{path} value", depth + 1)

    def _size(self, shape: Any, size: int, path: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and size < low:
            raise self.fail(path, f"Member must have length greater than or equal to {low}")
        if high is not None and size > high:
            raise self.fail(path, f"Member must have length less than or equal to {high}")

    def _check_string(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if not isinstance(value, str):
            raise self.fail(path, "Member must be a string")
        self._size(shape, len(value), path)
        enum = shape.enum
        if enum and value not in enum:
            raise self.fail(path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        if pattern is not None and not pattern_check(pattern)(value):
            raise self.fail(path, "Member must satisfy the pattern of the model")

    def _check_integer(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "Member must be an integer")
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            raise self.fail(path, f"Member must have value greater than or equal to {low}")
        if high is not None and value > high:
            raise self.fail(path, f"Member must have value less than or equal to {high}")

    _check_long = _check_integer

    def _check_boolean(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if not isinstance(value, bool):
            raise self.fail(path, "Member must be a boolean")

    def _check_float(self, shape: Any, value: Any, path: str, depth: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, "Member must be a number")

    _check_double = _check_float
