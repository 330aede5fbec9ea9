"""What the compiled functions of the read path share: the fast completion of graphql-core's
plain fields (schema/engine/execution.py) and the planned rows (schema/engine/rows.py).

Both write Python source for a selection once, bind the values it uses as names of its
namespace (never as text), compile it and call it for every value; both give a value up
(`GiveUp`) for graphql-core to complete from the start, and complete leaves with
`completed`: the usual values inline, the rest by `Leaf`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
    Undefined,
)
from strawberry.schema.types.base_scalars import isoformat

Complete = Callable[[Any], Any]

# Scalars whose coercion hands values of one type back unchanged (graphql-core's own).
_UNCHANGED: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class GiveUp(Exception):
    """The fast pass cannot complete this value; graphql-core will."""

    @classmethod
    def now(cls) -> Any:
        """Raises, from inside an expression of generated code."""
        raise cls


class Leaf:
    """Completes a scalar or enum value; `unchanged` is the type it hands back as is."""

    __slots__ = ("coerce", "is_awaitable", "names", "non_null", "type_", "unchanged")

    def __init__(
        self, type_: Any, non_null: bool, is_awaitable: Callable[[Any], bool] | None = None
    ) -> None:
        self.type_ = type_
        self.coerce = type_.coerce_output_value
        # An enum's coercion, its names kept by value: strawberry's scans the values.
        self.names: _Names | None = None
        if isinstance(type_, GraphQLEnumType):
            self.coerce = self.names = _Names(self.coerce)
        self.unchanged = _UNCHANGED.get(type_)
        self.non_null = non_null
        self.is_awaitable = is_awaitable  # None: a value read from a row, never awaitable

    def __call__(self, value: Any) -> Any:
        if type(value) is self.unchanged:
            return value
        if value is None:
            if self.non_null:
                raise GiveUp
            return None
        if self.is_awaitable is not None and self.is_awaitable(value):
            raise GiveUp
        result = self.coerce(value)
        if result is None or result is Undefined:
            raise GiveUp
        return result


def completed(leaf: Leaf, value: str, namespace: dict[str, Any]) -> str:
    """The expression completing `value` (an expression) with `leaf` in generated code:
    the usual values (text, an int within 32 bits, a datetime or a date) inline, exactly as
    `leaf` completes them; anything else, an awaitable included, by `leaf` itself."""
    complete = bind(namespace, "c", leaf)
    type_ = leaf.type_
    if leaf.unchanged is not None:  # most strings (and global ids): handed on as they are
        unchanged = bind(namespace, "u", leaf.unchanged)
        return f"(x if type(x := {value}) is {unchanged} else {complete}(x))"
    if type_ is GraphQLInt:  # graphql-core's: an int within 32 bits, as it is
        return (
            f"(x if type(x := {value}) is int and {-(2**31)} <= x <= {2**31 - 1}"
            f" else {complete}(x))"
        )
    origin = _ISO_ORIGINS.get(type_.name)
    if origin is not None and type_.serialize is isoformat:  # strawberry's DateTime, Date
        exact = bind(namespace, "u", origin)
        return f"(x.isoformat() if type(x := {value}) is {exact} else {complete}(x))"
    if leaf.names is not None and leaf.is_awaitable is None:
        # An enum read from a row (never awaitable): a value of a type named before is
        # looked up; any other is completed by `leaf`, which names it or gives up.
        names = bind(namespace, "n", leaf.names.names)
        kinds = bind(namespace, "k", leaf.names.kinds)
        return (
            f"(n if type(x := {value}) in {kinds} and type(n := {names}.get((type(x), x))) is str"
            f" else {complete}(x))"
        )
    return f"{complete}({value})"


# Scalars strawberry writes with the value's `isoformat()`, and the type they are for.
_ISO_ORIGINS: dict[str, type] = {"DateTime": datetime, "Date": date}


class _Names:
    """An enum's coercion, its answers kept by value (and the types of the values kept:
    hashable, so generated code may look a value of one of them up)."""

    __slots__ = ("coerce", "kinds", "names")

    def __init__(self, coerce: Complete) -> None:
        self.coerce = coerce
        self.names: dict[tuple[type, Any], Any] = {}
        self.kinds: set[type] = set()

    def __call__(self, value: Any) -> Any:
        key = (type(value), value)  # a StrEnum member equals its value, yet is not it
        try:
            return self.names[key]
        except KeyError:
            self.names[key] = name = self.coerce(value)
            if key[0] is not tuple:  # a tuple may hold a list: not every one is hashable
                self.kinds.add(key[0])
            return name
        except TypeError:  # unhashable
            return self.coerce(value)


def bind(namespace: dict[str, Any], prefix: str, value: Any) -> str:
    """A fresh name of the generated code, bound to `value` in its namespace."""
    name = f"{prefix}{len(namespace)}"
    namespace[name] = value
    return name


def total(costs: list[str | int]) -> str:
    """One expression adding cost terms, their constants folded."""
    constant = sum(term for term in costs if isinstance(term, int))
    return " + ".join([str(constant), *(term for term in costs if isinstance(term, str))])


@functools.lru_cache(maxsize=2048)
def compiled(source: str, filename: str) -> Any:
    """Compiling is the slow part; the code depends on the schema's types only."""
    return compile(source, filename, "exec")
