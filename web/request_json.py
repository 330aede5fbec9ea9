"""Reading a request body or a websocket frame as JSON, refusing what no handler expects.

Every refusal is a `json.JSONDecodeError`, which the HTTP view answers with 400 and the
websocket handler with close code 4400: invalid UTF-8, nesting deeper than any request
needs (an array 5,000 deep raised RecursionError, a 500), a lone surrogate anywhere
(valid JSON, yet no UTF-8 text: it failed later, when written to the database or to the
answer), and a top level that is not an object or an array (`null`, `12` and `"x"` met
`.get` and failed with a 500).

A request body (bytes) is read by orjson when it can be read exactly so: orjson refuses
what the rules above refuse (invalid UTF-8, a lone surrogate, `NaN`, a number past a
double), but reads an integer past 64 bits as a float. A body holding a run of 19
digits, or one orjson refuses, is read by the standard library instead, which keeps
every integer exact and says why a body is refused. A frame (text) is read by the
standard library.
"""

from __future__ import annotations

import json
import re

import orjson

MAX_DEPTH = 32
# Where a surrogate may be written: `\u` then D8 to DF, in either case (an escaped
# backslash before `u` matches too: the walk then finds nothing, which is only slower).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _refuse(reason: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(reason, "", 0)


# Where an integer might be past 64 bits (one has 20 digits at least; 19 keeps a margin).
_LONG_DIGITS = re.compile(rb"[0-9]{19}")


def read_json(data: str | bytes) -> object:
    """The decoded object or array, or a JSONDecodeError saying why not."""
    value = _by_orjson(data) if isinstance(data, bytes) else _UNREAD
    if value is _UNREAD:
        text = _text(data)
        try:
            value = json.loads(text)
        except RecursionError:
            raise _refuse("JSON nested too deeply") from None
        # Valid UTF-8 holds no surrogate: only an escape `\uD800` to `\uDFFF` writes one
        # (an accent escaped, `\u00e9`, does not).
        escaped = _SURROGATE_ESCAPE.search(text) is not None
        brackets = text.count("{") + text.count("[")
    else:
        assert isinstance(data, bytes)
        escaped = False  # orjson reads no lone surrogate
        brackets = data.count(b"{") + data.count(b"[")
    if not isinstance(value, dict | list):
        raise _refuse("Body must be a JSON object")
    # A value nested deeper than MAX_DEPTH needs more than MAX_DEPTH opening brackets. Most
    # bodies have neither those nor an escape, and are not walked.
    if escaped or brackets > MAX_DEPTH:
        _check(value, escaped)
    return value


_UNREAD = object()


def _by_orjson(data: bytes) -> object:
    """The body as orjson reads it, or _UNREAD when it may not read it exactly (a run of
    digits) or refuses it (the standard library then says why)."""
    if _LONG_DIGITS.search(data) is not None:
        return _UNREAD
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _UNREAD


def _text(data: str | bytes) -> str:
    """The body or frame as text, refused when it is no UTF-8."""
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse("Body is not UTF-8") from None
    if not data.isascii():  # text handed over decoded: it may hold a surrogate as is
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            raise _refuse("Text with a lone surrogate") from None
    return data


def _check(value: object, escaped: bool = True) -> None:
    """Depth of every value and, when the text has escapes, text without recursion."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if escaped:
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise _refuse("Text with a lone surrogate") from None
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _refuse(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        else:
            pending.extend((child, depth + 1) for child in item)


_PAYLOAD_FIELDS = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


def frame_problem(message: object) -> str | None:
    """Why a graphql-transport-ws message cannot be handled, or None when it can.

    Frames `null`, `12` or `[1]`, a `subscribe` whose payload is null or a list, an id
    that is not text: each crashed the handler and dropped the socket with no close code.
    """
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "Message must be an object with a type"
    kind = message["type"]
    if kind == "connection_init":
        payload = message.get("payload")
        return None if payload is None or isinstance(payload, dict) else "Invalid payload"
    if kind not in {"subscribe", "complete"}:
        return None
    if not isinstance(message.get("id"), str) or not 0 < len(message["id"]) <= 64:
        return "Message id must be text of 1 to 64 characters"
    if kind == "complete":
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "Subscribe payload must be an object with a query"
    for name, expected in _PAYLOAD_FIELDS.items():
        value = payload.get(name)
        if value is not None and not isinstance(value, expected):
            return f"Subscribe payload field {name} has the wrong type"
    return None
