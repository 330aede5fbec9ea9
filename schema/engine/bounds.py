"""What the columns hold: one rule for every integer and date an operation is given.

A GraphQL Int goes up to 2³¹ − 1 and a Date to the year 9999, but the columns behind
them are narrower: `ratings(maxScore: 2147483647)` overflowed a small integer column, and
`declareAbsence` on `9999-12-31` overflowed the calendar arithmetic one day later. So
every argument of a root field, and every field of its input objects at any depth, is
checked here before the resolver runs:

- an Int must fit a small integer column (-32768 to 32767), the narrowest the models
  use for a number taken from input: whatever column it lands in, it fits. Every Int the
  API takes (a score, a weekday, minutes, days, a year, a page size) is far inside it;
- a Date or DateTime must fall in the years 1900 to 2199, which the calendar arithmetic
  (a day, a week, a month later; time zones) and every date column can hold.

A mutation given such a value answers its payload with one user error per value
(`field` its path in the input, code `OUT_OF_RANGE`) and does nothing else. A query, which
has no payload, is refused with `BAD_USER_INPUT`. Both before any authorization: the
answer depends on the value alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    get_object_definition,
    has_object_definition,
)
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

from resolvers.core.errors import BadInput
from schema.core.common import UserErrorType

SMALLEST_INT, LARGEST_INT = -32768, 32767
FIRST_YEAR, LAST_YEAR = 1900, 2199
OUT_OF_RANGE = "OUT_OF_RANGE"
INT_MESSAGE = f"Nombre hors des limites : de {SMALLEST_INT} à {LARGEST_INT}."
DATE_MESSAGE = f"Date hors des limites : années {FIRST_YEAR} à {LAST_YEAR}."
# The argument whose fields a user error's path starts from (DESIGN.md: one `input`).
INPUT = "input"


@dataclasses.dataclass(frozen=True)
class Violation:
    path: tuple[str, ...]
    message: str


def _message(value: object) -> str | None:
    """Why `value` cannot be stored, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if SMALLEST_INT <= value <= LARGEST_INT else INT_MESSAGE
    if isinstance(value, dt.date):  # datetimes too
        return None if FIRST_YEAR <= value.year <= LAST_YEAR else DATE_MESSAGE
    return None


# Values nothing bounds, told apart at once (most arguments are text, flags or enums).
_UNBOUNDED = frozenset({str, bool, float, type(None), type(UNSET)})


# A value's place: list indexes as text, and the fields (or arguments) leading to it,
# named only once a value is found out of bounds (most are within them).
Place = tuple[str | StrawberryField | StrawberryArgument, ...]


def _walk(value: object, place: Place, config: StrawberryConfig) -> Iterator[Violation]:
    if type(value) in _UNBOUNDED:
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*place, str(index)), config)
        return
    if has_object_definition(value):
        definition = get_object_definition(value, strict=True)
        for field in definition.fields:
            yield from _walk(getattr(value, field.python_name, None), (*place, field), config)
        return
    message = _message(value)
    if message is not None:
        yield Violation(_path(place, config), message)


def _path(place: Place, config: StrawberryConfig) -> tuple[str, ...]:
    """The place's names in the schema; the argument `input` leaves no name (DESIGN.md)."""
    names = (
        step if isinstance(step, str) else config.name_converter.get_graphql_name(step)
        for step in place
    )
    return tuple(name for index, name in enumerate(names) if index or name != INPUT)


def violations(
    values: dict[str, Any], arguments: Iterable[StrawberryArgument], config: StrawberryConfig
) -> list[Violation]:
    """Every value given to `arguments` (converted, by Python name) no column can hold.

    The path of a value inside the `input` argument starts from the input's fields, as
    user errors' paths do; any other argument's path starts with its own name.
    """
    found: list[Violation] = []
    for argument in arguments:
        value = values.get(argument.python_name)
        if type(value) not in _UNBOUNDED:
            found.extend(_walk(value, (argument,), config))
    return found


def _filler(field: StrawberryField) -> object:
    """What a payload field holds when nothing was done, or raises TypeError."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    type_: object = field.type
    if isinstance(type_, StrawberryOptional):
        return None
    if isinstance(type_, StrawberryList):
        return []
    if type_ is bool:
        return False
    if type_ is int:
        return 0
    raise TypeError(f"{field.python_name}: no value for a payload of user errors only")


def refusal(payload: type) -> Callable[[list[UserErrorType]], object]:
    """Builds `payload` holding only user errors; raises TypeError when it cannot."""
    definition = get_object_definition(payload, strict=True)
    fillers = {
        f.python_name: _filler(f)
        for f in definition.fields
        if f.python_name != "user_errors" and f.base_resolver is None
    }
    if "user_errors" not in {f.python_name for f in definition.fields}:
        raise TypeError(f"{definition.name} has no userErrors")

    def build(errors: list[UserErrorType]) -> object:
        values = {k: (list(v) if isinstance(v, list) else v) for k, v in fillers.items()}
        return payload(**values, user_errors=errors)

    return build


class InputBounds(FieldExtension):
    """Checks a root field's arguments before its resolver (and its authorization) runs.

    `refuse` builds the mutation's payload of user errors; without it (a query), the
    field is refused with BAD_USER_INPUT.
    """

    def __init__(
        self,
        arguments: list[StrawberryArgument],
        refuse: Callable[[list[UserErrorType]], object] | None,
    ) -> None:
        self.arguments = arguments
        self.refuse = refuse

    def _refused(self, info: Any, kwargs: dict[str, Any]) -> object | None:
        found = violations(kwargs, self.arguments, info.schema.config)
        if not found:
            return None
        if self.refuse is None:
            first = found[0]
            raise BadInput(first.message, field=list(first.path))
        return self.refuse(
            [UserErrorType(field=list(v.path), message=v.message, code=OUT_OF_RANGE) for v in found]
        )

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refused(info, kwargs)
        return next_(source, info, **kwargs) if refused is None else refused

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refused(info, kwargs)
        if refused is not None:
            return refused
        return await next_(source, info, **kwargs)


def _bounded(type_: object, seen: set[object] | None = None) -> bool:
    """Whether a value of `type_` may hold an Int, a Date or a DateTime."""
    seen = set() if seen is None else seen
    while isinstance(type_, StrawberryOptional | StrawberryList):
        type_ = type_.of_type
    if type_ in (int, dt.date, dt.datetime):
        return True
    if type_ in seen or not has_object_definition(type_):
        return False
    seen.add(type_)
    fields = get_object_definition(type_, strict=True).fields
    return any(_bounded(f.type, seen) for f in fields)


def guard(types: Iterable[type], *, mutations: bool) -> tuple[type, ...]:
    """`types` (root types, before they are merged), each field whose arguments may hold
    an Int, a Date or a DateTime guarded.

    A mutation whose payload cannot be built with user errors alone fails here, at import.
    """
    types = tuple(types)
    for type_ in types:
        for field in get_object_definition(type_, strict=True).fields:
            if not any(_bounded(a.type) for a in field.arguments) or any(
                isinstance(e, InputBounds) for e in field.extensions
            ):
                continue
            payload = field.type if mutations else None
            refuse = refusal(payload) if isinstance(payload, type) else None
            if mutations and refuse is None:
                raise TypeError(f"{field.python_name}: a mutation returns a payload type")
            field.extensions.append(InputBounds(field.arguments, refuse))
    return types
