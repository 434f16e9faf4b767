# mypy: disallow-untyped-defs=False, disallow-incomplete-defs=False, disallow-untyped-calls=False
"""Request bodies: size, encoding, syntax, duplicates, depth and numbers each get a specific error."""

import pytest

from runtime.scim.errors import InvalidSyntax, PayloadTooLarge
from runtime.scim.jsonbody import MAX_BODY_BYTES, MAX_DEPTH, MAX_INTEGER_DIGITS, parse_json_object


def test_a_scim_object_parses():
    assert parse_json_object(b'{"schemas": ["x"], "userName": "a", "n": 1.5, "b": true}') == {
        "schemas": ["x"],
        "userName": "a",
        "n": 1.5,
        "b": True,
    }


def test_oversized_body_is_413_naming_the_limit():
    with pytest.raises(PayloadTooLarge) as err:
        parse_json_object(b'{"a": "' + b"x" * MAX_BODY_BYTES + b'"}')
    assert err.value.status == 413
    assert str(MAX_BODY_BYTES) in err.value.detail
    assert parse_json_object(b'{"a": "' + b"x" * 100 + b'"}', max_bytes=200)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff{}", "not valid UTF-8 (byte 0)"),
        (b'{"a": "\xc3"}', "not valid UTF-8 (byte 7)"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b"{", "line 1 column 2"),
        (b'{"a": 1,}', "not valid JSON"),
        (b'{"a": "tab\there"}', "Invalid control character"),
        (b"[]", "must be a JSON object, not an array"),
        (b'"x"', "not a string"),
        (b"null", "not null"),
        (b"7", "not a number"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e400}', "too large"),
        (b'{"a": ' + b"1" * (MAX_INTEGER_DIGITS + 1) + b"}", f"more than {MAX_INTEGER_DIGITS} digits"),
        (b'{"a": ' + b"1" * 5000 + b"}", "digits"),
        (b'{"userName": "a", "USERNAME": "b"}', "appears twice"),
        (b'{"name": {"givenName": "a", "givenname": "b"}}', "appears twice"),
        (b'{"a": "\\ud800"}', "unpaired UTF-16 surrogate"),
        (b'{"\\udfff": 1}', "unpaired UTF-16 surrogate"),
    ],
)
def test_bad_bodies_are_invalid_syntax_with_where_and_why(raw, expected):
    with pytest.raises(InvalidSyntax) as err:
        parse_json_object(raw)
    assert err.value.status == 400
    assert err.value.scim_type == "invalidSyntax"
    assert expected in err.value.detail


def test_depth_limit():
    ok = b'{"a":' * (MAX_DEPTH - 1) + b"1" + b"}" * (MAX_DEPTH - 1)
    assert parse_json_object(ok)  # MAX_DEPTH - 1 nested objects are fine
    too_deep = b"{" + b'"a":[' * MAX_DEPTH + b"]" * MAX_DEPTH + b"}"
    with pytest.raises(InvalidSyntax) as err:
        parse_json_object(too_deep)
    assert f"deeper than {MAX_DEPTH}" in err.value.detail


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "' + "[{" * 100 + '\\" [[["}'
    assert parse_json_object(text.encode())["a"].startswith("[{")


def test_hundred_thousand_brackets_are_refused_without_recursion():
    with pytest.raises(InvalidSyntax):
        parse_json_object(b"[" * 100_000, max_bytes=200_000)


def test_a_byte_order_mark_is_ignored_and_valid_surrogate_pairs_are_kept():
    assert parse_json_object(b'\xef\xbb\xbf{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


def test_non_nfc_and_unicode_text_is_kept_as_sent():
    raw = '{"displayName": "e\u0301 \u212b \u4e2d"}'.encode()
    assert parse_json_object(raw)["displayName"] == "e\u0301 \u212b \u4e2d"


def test_positional_limits_match_the_app_call_style():
    assert parse_json_object(b'{"a": [[1]]}', 100, 3) == {"a": [[1]]}
    with pytest.raises(InvalidSyntax):
        parse_json_object(b'{"a": [[1]]}', 100, 2)
