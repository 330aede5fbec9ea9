"""web/request_json.py: what a body or a frame may be, whichever way it is read.

A body with no escape that could write a surrogate (`\\uD800` to `\\uDFFF`) and few
brackets is not walked; these check that the refusals hold on both sides of that shortcut.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from web.request_json import MAX_DEPTH, read_json


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "data",
    [
        b'{"q": "\\ud800"}',
        '{"q": "\\udfff x"}',
        '["ok", {"k": ["\\ud83d"]}]',
        '{"q": "\\u00e9t\\u00e9 \\uDBFF"}',  # upper case, after escaped accents
        '{"\\udc00": "a key"}',
        '{"q": "\\\\\\ud800"}',  # an escaped backslash, then the escape
    ],
)
def test_an_escaped_lone_surrogate_is_refused(data):
    with pytest.raises(json.JSONDecodeError, match="surrogate"):
        read_json(data)


def test_a_surrogate_in_text_handed_over_decoded_is_refused():
    with pytest.raises(json.JSONDecodeError, match="surrogate"):
        read_json('{"q": "\ud800"}')


def test_escaped_text_that_is_whole_is_read():
    assert read_json(b'{"q": "\\ud83d\\ude00 \\u00e9t\\u00e9"}') == {"q": "😀 été"}
    assert read_json('{"q": "été"}') == {"q": "été"}


def test_nesting_is_bounded_with_or_without_escapes():
    assert read_json(_nested(MAX_DEPTH)) == json.loads(_nested(MAX_DEPTH))
    for text in (_nested(MAX_DEPTH + 1), '{"a": ' + _nested(MAX_DEPTH) + ', "b": "\\u00e9"}'):
        with pytest.raises(json.JSONDecodeError, match="nested deeper"):
            read_json(text)


def test_brackets_inside_text_only_make_the_body_walked():
    # A query full of braces is walked (no shortcut), and read as it is.
    query = "query { " + "a { " * 40 + "b" + " }" * 40 + " }"
    assert read_json(json.dumps({"query": query}))["query"] == query  # type: ignore[index]


def test_escapes_that_write_no_surrogate_are_read_without_the_walk():
    # Accents escaped (`\\u00e9`, as Python's json.dumps writes them) and an escaped
    # backslash before a `u`: read as they are.
    assert read_json(b'{"q": "pr\\u00e9l\\u00e8vement"}') == {"q": "prélèvement"}
    assert read_json('{"q": "\\\\ud800"}') == {"q": "\\ud800"}


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400)
@given(st.dictionaries(st.text(), _JSON, max_size=4), st.booleans())
def test_a_body_reads_as_the_standard_library_reads_it(value, ascii_only):
    # A body is read by orjson unless it may hold an integer past 64 bits: the same
    # values, of the same types (1 and 1.0, every digit of a float, every integer exact).
    text = json.dumps(value, ensure_ascii=ascii_only)
    read = read_json(text.encode())
    assert json.dumps(read) == json.dumps(json.loads(text))


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 123456789012345678901234567890}',  # past 64 bits: exact, not a float
        b'{"a": -9223372036854775809}',
        b'{"a": 18446744073709551616}',
        b'{"a": 1e400}',  # the standard library's infinity, as before
        b'{"a": NaN}',
    ],
)
def test_what_orjson_reads_otherwise_is_read_by_the_standard_library(body):
    assert json.dumps(read_json(body)) == json.dumps(json.loads(body.decode()))


def test_a_body_orjson_refuses_is_refused_with_the_standard_librarys_reason():
    with pytest.raises(json.JSONDecodeError, match="not UTF-8"):
        read_json(b'{"q": "\xff"}')
    with pytest.raises(json.JSONDecodeError, match="surrogate"):
        read_json(b'{"q": "\\ud800"}')
    with pytest.raises(json.JSONDecodeError, match="must be a JSON object"):
        read_json(b"12")
    with pytest.raises(json.JSONDecodeError, match="nested deeper"):
        read_json(_nested(MAX_DEPTH + 1).encode())
