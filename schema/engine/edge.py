"""What a value must be to cross the edge: one rule for every input, not one per field.

PostgreSQL's text cannot hold a NUL character and UTF-8 cannot encode a lone surrogate
(`"\\ud800"` is valid JSON and a valid GraphQL string): either reached the database or the
mailer as an unexpected error, from any of 30 string fields. Every string of a request,
whether written in the document or passed in its variables, is therefore checked once,
before execution. Integers and dates are bounded by what the columns hold in
schema/engine/bounds.py (user errors for a mutation); a value a column still cannot hold that
reaches the database comes back as BAD_USER_INPUT rather than as an internal error.
"""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit

BAD_INPUT = "BAD_USER_INPUT"
UNSTORABLE = "Texte refusé : caractère nul ou caractère non codable en UTF-8."
OUT_OF_RANGE = "Valeur hors des limites acceptées."
# SQLSTATE class 22, "data exception": out of range, too long, bad encoding...
_DATA_EXCEPTION = "22"


def storable(text: str) -> bool:
    """Whether `text` has no NUL and encodes to UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable_error() -> GraphQLError:
    return GraphQLError(UNSTORABLE, extensions={"code": BAD_INPUT})


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> Any:
        if not storable(node.value):
            self.found = True
            return self.BREAK
        return None


def document_errors(document: DocumentNode) -> list[GraphQLError]:
    """A string written in the document that could not be stored."""
    literals = _Literals()
    visit(document, literals)
    return [_unstorable_error()] if literals.found else []


def variables_errors(variables: Any) -> list[GraphQLError]:
    """A string anywhere in the variables (keys included) that could not be stored."""
    pending = [variables]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not storable(value):
                return [_unstorable_error()]
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return []


def is_data_exception(error: BaseException | None) -> bool:
    """A value the database refused to hold (SQLSTATE class 22), however it was wrapped."""
    seen = 0
    while error is not None and seen < 5:
        if str(getattr(error, "sqlstate", "") or "").startswith(_DATA_EXCEPTION):
            return True
        error = error.__cause__ or (error.args[0] if error.args else None)
        if not isinstance(error, BaseException):
            return False
        seen += 1
    return False


UNAVAILABLE = "Service momentanément indisponible, réessayez dans un instant."
# Connection exceptions (08) and operator intervention (57P: shutdown, starting up).
_UNAVAILABLE_STATES = ("08", "57P")
_UNAVAILABLE_NAMES = frozenset(
    {"DBConnectionError", "ConnectionDoesNotExistError", "InterfaceError", "InternalClientError"}
)


def is_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached (restarting, down), however it was wrapped."""
    seen = 0
    while error is not None and seen < 6:
        state = str(getattr(error, "sqlstate", "") or "")
        if (
            isinstance(error, OSError)
            or state.startswith(_UNAVAILABLE_STATES)
            or type(error).__name__ in _UNAVAILABLE_NAMES
        ):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
