"""The SQL of a query kept per shape, and where each of its parameters comes from.

A query of resolvers/core/prepared.py is written with Tortoise as a function of named
inputs. The first time a shape (which filters, how many values in an IN) is asked for, it
is built twice, with two sets of distinct probe values (`probe`), and each SQL parameter
is matched to the one input it came from, the same in both builds: its value, or a
`contains`/`startswith` LIKE pattern of it (`shape_of`). Later requests of that shape
reuse the SQL with their own values (`Prepared.params`). If the two texts differ (an
input Tortoise wrote into the text, a None that became IS NULL) or a parameter matches no
one input (a value it transformed, a constant), the shape is never kept and Tortoise
builds every query.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

# What a LIKE pattern needs escaped: a value holding one is read without the cached SQL.
_LIKE_SPECIAL = frozenset("%_\\")


@dataclass(frozen=True)
class Slot:
    """A parameter: the value of input `name`, or (`pattern`) a LIKE pattern of it, the
    `%` Tortoise put around it (`contains`, `startswith`) kept."""

    name: str
    before: str = ""
    after: str = ""

    @property
    def pattern(self) -> bool:
        return bool(self.before or self.after)


def _derived() -> Any:
    """A field worked out from the others once (`__post_init__`)."""
    return dataclasses.field(init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Prepared:
    sql: str
    slots: tuple[Slot, ...]  # where each parameter takes its value from, in order
    # Read per statement: each parameter's input, and where the LIKE patterns are.
    _names: tuple[str, ...] = _derived()
    _patterns: tuple[tuple[int, str, str], ...] = _derived()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", tuple(slot.name for slot in self.slots))
        patterns = tuple((i, s.before, s.after) for i, s in enumerate(self.slots) if s.pattern)
        object.__setattr__(self, "_patterns", patterns)

    def params(self, inputs: Mapping[str, Any]) -> list[Any] | None:
        """The parameters for `inputs`, or None when one needs the escaping Tortoise does."""
        params = [  # `db_value` written out: this runs for each parameter of a statement
            value.value if isinstance(value, Enum) else value
            for value in map(inputs.__getitem__, self._names)
        ]
        for index, before, after in self._patterns:
            value = params[index]
            if not _LIKE_SPECIAL.isdisjoint(value):
                return None
            params[index] = f"{before}{value}{after}"
        return params


def _slot(one: Any, other: Any, first: Mapping[str, Any], second: Mapping[str, Any]) -> Slot | None:
    """Where a parameter comes from, given its values in the builds from the `first` and
    `second` probes: one input, the same one both times (its value, or a LIKE pattern of it)."""
    found = [name for name in first if _same(one, first[name]) and _same(other, second[name])]
    if len(found) == 1:
        return Slot(found[0])
    if not (isinstance(one, str) and isinstance(other, str)):
        return None
    for name, value in first.items():
        if type(value) is not str or value not in one:
            continue
        before, _, after = one.partition(value)
        if (
            (before or after)
            and before in ("", "%")
            and after in ("", "%")
            and one == f"{before}{value}{after}"
            and other == f"{before}{second[name]}{after}"
        ):
            return Slot(name, before, after)
    return None


def _same(parameter: Any, value: Any) -> bool:
    """Whether a built statement's parameter is the input `value`, as a parameter."""
    expected = db_value(value)
    if type(expected) is bool and type(parameter) is int:
        return parameter == int(expected)  # Tortoise gives SQLite a flag as 1 or 0
    return type(parameter) is type(expected) and parameter == expected


def db_value(value: Any) -> Any:
    """A value as a statement's parameter: an enum member as its value."""
    return value.value if isinstance(value, Enum) else value


def shape_of(
    built: tuple[str, list[Any]],
    again: tuple[str, list[Any]],
    first: Mapping[str, Any],
    second: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> Prepared | None:
    """The shape kept from a query built with the `first` probes and again with the
    `second` (SQL and parameters each), or None when it cannot be kept: the text must be
    the same (no value written into it) and each parameter must come from one input, the
    same one both times."""
    (sql, one), (other_sql, other) = built, again
    if sql != other_sql or len(one) != len(other):
        return None
    slots = []
    for value, other_value in zip(one, other, strict=True):
        slot = _slot(value, other_value, first, second)
        if slot is None:
            return None
        slots.append(slot)
    if {slot.name for slot in slots} != set(inputs):
        return None  # an input written nowhere: the query reads something else
    return Prepared(sql, tuple(slots))


def probe(inputs: Mapping[str, Any], second: bool = False) -> dict[str, Any] | None:
    """A distinct value of the same type for each input, or None for an unsupported one;
    `second`: another set, each input's value differing from the first set's."""
    numbers = itertools.count(2_000_000_001 if second else 1_000_000_001)
    base = datetime(2002 if second else 2001, 2, 3, tzinfo=UTC)
    moments = (base + timedelta(seconds=i) for i in itertools.count())
    members: dict[type[Enum], Any] = {}
    probe: dict[str, Any] = {}
    flags = 0
    for name, value in inputs.items():
        if type(value) is bool:
            # True in the first set, False in the second: one such input at most, or two
            # would take the same values and a parameter could come from either.
            flags += 1
            if flags > 1:
                return None
            probe[name] = not second
        elif isinstance(value, Enum):
            kind = type(value)
            if kind not in members:
                listed = list(kind)
                members[kind] = iter(listed[1:] + listed[:1] if second else listed)
            choice = next(members[kind], None)
            if choice is None:
                return None  # more inputs than members: no distinct values left
            probe[name] = choice
        elif type(value) is int:
            probe[name] = next(numbers)
        elif type(value) is str:
            probe[name] = f"probe{next(numbers)}"
        elif isinstance(value, datetime) and value.tzinfo is not None:
            probe[name] = next(moments)
        else:
            return None
    return probe
