"""web/request_json.py: what a body or a frame may be, whichever way it is read.

A body with no escape that could write a surrogate (`\\uD800` to `\\uDFFF`) and few
brackets is not walked; these check that the refusals hold on both sides of that shortcut.
"""

from __future__ import annotations

import json

import pytest

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
