"""SCIM filters (RFC 7644 §3.4.2.2): a hand-written parser to a typed AST, and evaluation.

Why hand-written: the complete grammar is small (``eq ne co sw ew gt ge lt le pr``,
``and or not``, grouping, value paths), and a parser generator such as lark plus
scim2-models/pydantic would cost archive size and cold-start time in Lambda.

Precedence is ``not`` > ``and`` > ``or``; ``and``/``or`` associate to the left. Operators,
keywords and ``true``/``false``/``null`` are case-insensitive (ABNF literals, RFC 5234 §2.3),
attribute names too (RFC 7643 §2.1). Attribute paths are resolved against the resource type
at parse time, so the AST carries canonical names and definitions and unknown attributes are
reported before anything runs.

Hostile input is bounded by documented limits, each answered with 400 ``invalidFilter``:

* ``MAX_FILTER_LENGTH`` characters (4096);
* ``MAX_DEPTH`` nested groups / ``not`` / value filters (32), which also bounds recursion;
* ``MAX_TERMS`` comparisons and presence tests (100).

Only ``ScimError`` leaves this module. Error details give the 1-based character position and
what was expected; they never echo values (which may be personal data), only attribute names.

A complex attribute compared without a sub-attribute compares its ``value`` sub-attribute
(RFC 7644's own example ``emails co "example.com"``). ``schemas`` is filterable too
(``schemas eq "urn:...:enterprise:2.0:User"``, another RFC example).

Evaluation (``evaluate``) matches in memory: non-caseExact strings compare case-insensitively
(e.g. ``userName``), a multi-valued attribute matches when any value matches, ``ne`` is the
negation of ``eq`` (so an absent attribute is "not equal"), ``eq null`` means "absent", and
``dateTime`` values compare as instants (naive times are read as UTC).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime.scim.errors import InvalidFilter, InvalidPath, ScimError
from runtime.scim.policy import STRICT, ScimPolicy
from runtime.scim.schema import Attribute, ResourcePath, ResourceType, UnknownAttribute, resolve_path
from runtime.scim.values import parse_datetime

MAX_FILTER_LENGTH = 4096
MAX_DEPTH = 32
MAX_TERMS = 100
_MAX_NUMBER_LENGTH = 40

COMPARE_OPS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")
_ORDER_OPS = ("gt", "ge", "lt", "le")
_STRING_OPS = ("co", "sw", "ew")
_STRINGISH = ("string", "reference", "binary", "dateTime")

Value = str | bool | int | float | None

_NAME_CHARS = re.compile(r"[A-Za-z0-9_:.$-]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WS = " \t\r\n"


@dataclass(frozen=True)
class Comparison:
    """``path op value``; inside a value filter ``path.sub_attribute`` is the element's."""

    path: ResourcePath
    op: str
    value: Value


@dataclass(frozen=True)
class Present:
    path: ResourcePath


@dataclass(frozen=True)
class And:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Or:
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Not:
    filter: Filter


@dataclass(frozen=True)
class ValuePathFilter:
    """``attr[filter]``: some element of the (multi-valued) complex ``attr`` matches ``filter``.

    Entra's ``emails[type eq "work"].value eq "x"`` is read as
    ``emails[type eq "work" and value eq "x"]``, which means the same.
    """

    path: ResourcePath
    filter: Filter


Filter = Comparison | Present | And | Or | Not | ValuePathFilter


@dataclass(frozen=True)
class ValuePath:
    """A PATCH path (RFC 7644 §3.5.2): ``attrPath`` or ``attrPath[valFilter][.subAttr]``.

    ``path`` is the attribute (with ``sub_attribute`` set for ``name.givenName`` forms or for
    the ``.value`` after a filter); ``filter`` selects elements of a multi-valued attribute.
    """

    path: ResourcePath
    filter: Filter | None

    def __str__(self) -> str:
        return str(self.path) if self.filter is None else f"{self.path.attribute}[...]"


def parse_filter(text: str, resource_type: ResourceType, policy: ScimPolicy = STRICT) -> Filter:
    """Parse a ``filter`` query parameter into an AST resolved against ``resource_type``."""
    parser = _Parser(text, resource_type, policy)
    result = parser.expression(0, None)
    parser.skip_ws()
    if not parser.at_end():
        parser.fail("expected 'and', 'or' or the end of the filter")
    return result


def parse_value_path(text: str, resource_type: ResourceType, policy: ScimPolicy = STRICT) -> ValuePath:
    """Parse a PATCH ``path``; anything wrong in it answers ``invalidPath`` (RFC 7644 §3.5.2).

    Unknown attribute names raise ``UnknownAttribute`` (an ``InvalidPath``), so PATCH can
    ignore them when the policy says so.
    """
    parser = _Parser(text, resource_type, policy, path_mode=True)
    result = parser.value_path()
    if not parser.at_end():
        parser.fail("unexpected text after the path")
    return result


class _Parser:
    """Recursive descent over the text with a cursor; no separate tokenizer, because whether
    a bare word is a value or an error depends on the attribute it is compared with."""

    def __init__(
        self,
        text: str,
        resource_type: ResourceType,
        policy: ScimPolicy,
        *,
        path_mode: bool = False,
    ) -> None:
        self.what = "path" if path_mode else "filter"
        self.error: type[ScimError] = InvalidPath if path_mode else InvalidFilter
        if not isinstance(text, str):
            raise self.error(f"the {self.what} must be a string")
        if len(text) > MAX_FILTER_LENGTH:
            raise self.error(f"the {self.what} is longer than {MAX_FILTER_LENGTH} characters")
        self.text = text
        self.pos = 0
        self.resource_type = resource_type
        self.policy = policy
        self.terms = 0

    # -- cursor helpers -------------------------------------------------------------------

    def fail(self, expected: str, at: int | None = None) -> None:
        position = (self.pos if at is None else at) + 1
        raise self.error(f"invalid {self.what} at position {position}: {expected}, found {self.found(at)}")

    def found(self, at: int | None = None) -> str:
        pos = self.pos if at is None else at
        if pos >= len(self.text):
            return f"the end of the {self.what}"
        ch = self.text[pos]
        if ch in '()[]."':
            return "a quoted string" if ch == '"' else f"'{ch}'"
        if ch in _WS:
            return "a space"
        return "other text"

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ws(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1
        return self.pos > start

    def require_ws(self, expected: str) -> None:
        if not self.skip_ws():
            self.fail(expected)

    def expect(self, ch: str, expected: str) -> None:
        self.skip_ws()
        if self.peek() != ch:
            self.fail(expected)
        self.pos += 1

    def name(self) -> str:
        match = _NAME_CHARS.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()
        return match.group()

    def keyword(self, word: str) -> bool:
        """Consume ``word`` (any case) if it is next and followed by a delimiter."""
        end = self.pos + len(word)
        if self.text[self.pos : end].lower() != word:
            return False
        if end < len(self.text) and self.text[end] not in _WS + "(":
            return False
        self.pos = end
        return True

    # -- grammar ----------------------------------------------------------------------------

    def expression(self, depth: int, within: Attribute | None) -> Filter:
        """``or`` has the lowest precedence."""
        left = self.conjunction(depth, within)
        while True:
            save = self.pos
            if not self.skip_ws() or not self.keyword("or"):
                self.pos = save
                return left
            self.skip_ws()
            left = Or(left, self.conjunction(depth, within))

    def conjunction(self, depth: int, within: Attribute | None) -> Filter:
        left = self.factor(depth, within)
        while True:
            save = self.pos
            if not self.skip_ws() or not self.keyword("and"):
                self.pos = save
                return left
            self.skip_ws()
            left = And(left, self.factor(depth, within))

    def factor(self, depth: int, within: Attribute | None) -> Filter:
        self.skip_ws()
        start = self.pos
        if self.keyword("not"):
            self.descend(depth, start)
            self.expect("(", "expected '(' after 'not' (RFC 7644: not ( filter ))")
            inner = self.expression(depth + 1, within)
            self.expect(")", "expected ')' closing 'not ('")
            return Not(inner)
        if self.peek() == "(":
            self.descend(depth, start)
            self.pos += 1
            inner = self.expression(depth + 1, within)
            self.expect(")", "expected ')' or 'and'/'or'")
            return inner
        return self.attribute_expression(depth, within)

    def descend(self, depth: int, start: int) -> None:
        if depth + 1 > MAX_DEPTH:
            raise self.error(f"invalid {self.what} at position {start + 1}: nesting deeper than {MAX_DEPTH}")

    def count_term(self, start: int) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(
                f"invalid {self.what} at position {start + 1}: more than {MAX_TERMS} comparisons"
            )

    def attribute_expression(self, depth: int, within: Attribute | None) -> Filter:
        start = self.pos
        text = self.name()
        if not text:
            self.fail("expected an attribute name, 'not' or '('")
        if self.peek() == "[":
            if within is not None:
                self.fail("value filters cannot be nested (RFC 7644 §3.4.2.2)")
            outer = self.resolve(text, start, None)
            if not outer.definition.is_complex or outer.sub_attribute is not None:
                raise self.error(
                    f"invalid {self.what} at position {start + 1}: '{outer}' is not a complex attribute, "
                    "so it cannot take a [value filter]"
                )
            self.descend(depth, start)
            self.pos += 1
            inner = self.expression(depth + 1, outer.definition)
            self.expect("]", "expected ']' closing the value filter")
            if self.peek() == ".":
                # Entra: emails[type eq "work"].value eq "x"
                self.pos += 1
                sub_start = self.pos
                sub_text = self.name()
                if not sub_text:
                    self.fail("expected a sub-attribute name after '].'")
                sub = self.resolve(sub_text, sub_start, outer.definition)
                inner = And(inner, self.comparison(sub, sub_start))
            return ValuePathFilter(outer, inner)
        path = self.resolve(text, start, within)
        return self.comparison(path, start)

    def comparison(self, path: ResourcePath, start: int) -> Filter:
        self.count_term(start)
        self.require_ws("expected a space and an operator after the attribute")
        op_start = self.pos
        op = self.name().lower()
        if op == "pr":
            return Present(path)
        if op not in COMPARE_OPS:
            self.fail("expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)", op_start)
        self.require_ws(f"expected a space and a value after '{op}'")
        value_start = self.pos
        implied = path.definition.sub("value") if path.definition.is_complex else None
        if implied is not None and path.sub_attribute is None:
            # RFC 7644 §3.4.2.2 example: ``emails co "example.com"`` compares emails.value.
            path = path.with_sub(implied)
        value = self.value(path.definition)
        return Comparison(path, op, self.check_comparison(path, op, value, value_start))

    def resolve(self, text: str, start: int, within: Attribute | None) -> ResourcePath:
        try:
            unknown = UnknownAttribute if self.error is InvalidPath else InvalidFilter
            return resolve_path(self.resource_type, text, error=self.error, within=within, unknown=unknown)
        except ScimError as exc:
            raise type(exc)(f"invalid {self.what} at position {start + 1}: {exc.detail}") from None

    def value(self, definition: Attribute) -> Value:
        ch = self.peek()
        if ch == '"':
            return self.string()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _WS + ")]":
            self.pos += 1
        token = self.text[start : self.pos]
        if not token:
            self.fail("expected a value (a quoted string, number, true, false or null)", start)
        lowered = token.lower()
        if lowered == "null":
            return None
        unquoted = self.policy.unquoted_filter_values and definition.type in _STRINGISH
        if unquoted:
            return token
        if lowered in ("true", "false"):
            return lowered == "true"
        if _NUMBER.fullmatch(token):
            return self.number(token, start)
        self.fail("expected a quoted string, number, true, false or null", start)
        raise AssertionError("unreachable")  # pragma: no cover

    def string(self) -> str:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if ch == '"':
                self.pos += 1
                raw = self.text[start : self.pos]
                try:
                    decoded = json.loads(raw)
                except ValueError:
                    self.fail("expected a JSON string (bad escape or control character)", start)
                assert isinstance(decoded, str)
                if any(0xD800 <= ord(c) <= 0xDFFF for c in decoded):
                    self.fail("expected a string without unpaired surrogates", start)
                return decoded
            self.pos += 1
        self.fail("expected '\"' closing the string", start)
        raise AssertionError("unreachable")  # pragma: no cover

    def number(self, token: str, start: int) -> int | float:
        if len(token) > _MAX_NUMBER_LENGTH:
            self.fail(f"expected a number of at most {_MAX_NUMBER_LENGTH} characters", start)
        match = _NUMBER.fullmatch(token)
        assert match is not None
        if match.group(1) is None and match.group(2) is None:
            return int(token)
        number = float(token)
        if not math.isfinite(number):
            self.fail("expected a finite number", start)
        return number

    def check_comparison(self, path: ResourcePath, op: str, value: Value, at: int) -> Value:
        """Refuse comparisons that cannot mean anything (RFC 7644 §3.4.2.2 rules)."""
        definition = path.definition
        kind = definition.type
        where = f"invalid {self.what} at position {at + 1}: "
        error = self.error
        if kind == "complex":
            raise error(f"{where}'{path}' is complex; compare one of its sub-attributes")
        return self.check_value(path, op, value, where)

    def check_value(self, path: ResourcePath, op: str, value: Value, where: str) -> Value:
        kind = path.definition.type
        error = self.error
        if value is None:
            if op not in ("eq", "ne"):
                raise error(f"{where}null can only be compared with eq or ne")
            return None
        if op in _ORDER_OPS and kind in ("boolean", "binary"):
            raise error(f"{where}'{op}' cannot compare the {kind} attribute '{path}'")
        if op in _STRING_OPS and (kind not in _STRINGISH or not isinstance(value, str)):
            raise error(f"{where}'{op}' needs a string attribute and a quoted string value")
        if kind == "boolean":
            if isinstance(value, str) and self.policy.boolean_strings and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if not isinstance(value, bool):
                raise error(f"{where}'{path}' is a boolean; compare it with true or false")
            return value
        if kind in ("integer", "decimal"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise error(f"{where}'{path}' is a number; compare it with a number")
            return value
        if not isinstance(value, str):
            raise error(f"{where}'{path}' is a string; compare it with a quoted string")
        if kind == "dateTime" and op not in _STRING_OPS and parse_datetime(value) is None:
            raise error(f"{where}'{path}' is a dateTime; compare it with an xsd:dateTime string")
        return value

    def value_path(self) -> ValuePath:
        start = self.pos
        text = self.name()
        if not text:
            self.fail("expected an attribute path")
        if self.peek() != "[":
            return ValuePath(self.resolve(text, start, None), None)
        outer = self.resolve(text, start, None)
        if not outer.definition.is_complex or not outer.definition.multi_valued or outer.sub_attribute:
            raise self.error(
                f"invalid path at position {start + 1}: '{outer}' is not a multi-valued complex "
                "attribute, so it cannot take a [value filter]"
            )
        self.pos += 1
        inner = self.expression(1, outer.definition)
        self.expect("]", "expected ']' closing the value filter")
        if self.peek() == ".":
            self.pos += 1
            sub_text = self.name()
            if not sub_text:
                self.fail("expected a sub-attribute name after '].'")
            sub = self.resolve(sub_text, self.pos - len(sub_text), outer.definition)
            return ValuePath(sub, inner)
        return ValuePath(outer, inner)


# --- evaluation -------------------------------------------------------------------------------


def evaluate(node: Filter, resource: dict[str, Any]) -> bool:
    """Does ``resource`` (a SCIM resource dict) match the filter?"""
    return _eval(node, resource, element=None)


def matches_element(node: Filter, element: Any) -> bool:
    """Does one element of a multi-valued complex attribute match a value filter?"""
    return _eval(node, {}, element=element)


def _eval(node: Filter, resource: dict[str, Any], element: Any) -> bool:
    if isinstance(node, And):
        return _eval(node.left, resource, element) and _eval(node.right, resource, element)
    if isinstance(node, Or):
        return _eval(node.left, resource, element) or _eval(node.right, resource, element)
    if isinstance(node, Not):
        return not _eval(node.filter, resource, element)
    if isinstance(node, ValuePathFilter):
        return any(_eval(node.filter, resource, item) for item in _elements(resource, node.path))
    values = _element_values(element, node.path) if element is not None else _values(resource, node.path)
    if isinstance(node, Present):
        return any(not _empty(v) for v in values)
    if node.op == "ne":
        return not any(_compare(node.path.definition, "eq", v, node.value) for v in values)
    if node.value is None:
        return not any(not _empty(v) for v in values)
    return any(_compare(node.path.definition, node.op, v, node.value) for v in values)


def get_key(obj: Any, name: str) -> Any:
    """``obj[name]`` with a case-insensitive key match; None when absent or not an object."""
    if not isinstance(obj, dict):
        return None
    if name in obj:
        return obj[name]
    folded = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == folded:
            return value
    return None


def _top(resource: dict[str, Any], path: ResourcePath) -> Any:
    container = get_key(resource, path.schema) if path.is_extension else resource
    return get_key(container, path.attribute)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _elements(resource: dict[str, Any], path: ResourcePath) -> list[Any]:
    return [item for item in _as_list(_top(resource, path)) if isinstance(item, dict)]


def _values(resource: dict[str, Any], path: ResourcePath) -> list[Any]:
    top = _as_list(_top(resource, path))
    if path.sub_attribute is None:
        return top
    out: list[Any] = []
    for item in top:
        out.extend(_as_list(get_key(item, path.sub_attribute)))
    return out


def _element_values(element: Any, path: ResourcePath) -> list[Any]:
    name = path.sub_attribute or path.attribute
    return _as_list(get_key(element, name))


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _compare(definition: Attribute, op: str, actual: Any, expected: Value) -> bool:
    if actual is None or expected is None:
        return False
    kind = definition.type
    if kind == "boolean":
        return isinstance(actual, bool) and isinstance(expected, bool) and op == "eq" and actual is expected
    if kind in ("integer", "decimal"):
        if (
            isinstance(actual, bool)
            or not isinstance(actual, int | float)
            or isinstance(expected, str | bool)
        ):
            return False
        return _ordered(op, actual, expected)
    if not isinstance(actual, str) or not isinstance(expected, str):
        return False
    if kind == "dateTime" and op not in _STRING_OPS:
        left, right = parse_datetime(actual), parse_datetime(expected)
        if left is None or right is None:
            return False
        return _ordered(op, _aware(left), _aware(right))
    if not definition.case_exact:
        actual, expected = actual.casefold(), expected.casefold()
    if op == "co":
        return bool(expected in actual)
    if op == "sw":
        return bool(actual.startswith(expected))
    if op == "ew":
        return bool(actual.endswith(expected))
    return _ordered(op, actual, expected)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ordered(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "gt":
        return bool(left > right)
    if op == "ge":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    if op == "le":
        return bool(left <= right)
    return False
