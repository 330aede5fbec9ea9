"""Plain rows for hot read paths, with the SQL that Tortoise wrote once per query shape.

For a calendar page (21 columns over four joins) Tortoise spent about 1 ms writing the
SQL and 1 ms turning SQLite's datetime text back into datetimes with a pure-Python
parser, against well under 1 ms for the database to answer. So:

- each query is still written with Tortoise, as a function of named inputs; the first
  time a shape (which filters, how many values in an IN) is asked for, it is built with
  distinct probe values, and each SQL parameter is matched to the one input it came
  from. Later requests of that shape reuse the SQL with their own values. If the match
  is not one to one (an input Tortoise wrote into the text, a value it transformed, a
  None that became IS NULL), the shape is never cached and Tortoise builds every query;
- datetimes are converted with the standard library, the other columns as Tortoise does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from types import FunctionType
from typing import Any

from cachetools import LRUCache
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery

Converter = Callable[[Any], Any]


def utc(value: Any) -> datetime | None:
    """What Tortoise's DatetimeField gives (use_tz, UTC), parsed by the standard library."""
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class _Prepared:
    sql: str
    slots: tuple[str, ...]  # the input each parameter takes its value from, in order


def db_value(value: Any) -> Any:
    """A value as a statement's parameter: an enum member as its value."""
    return value.value if isinstance(value, Enum) else value


async def rows_changed(db: Any, statements: Mapping[str, str], values: list[Any]) -> int:
    """How many rows a hand-written INSERT or UPDATE changed; `statements` holds it per
    dialect. On PostgreSQL it ends in RETURNING and its rows are counted (Tortoise's
    `execute_query` takes the OID of "INSERT 0 1" for the count); on SQLite the changes
    count is read (RETURNING needs SQLite 3.35)."""
    dialect = db.capabilities.dialect
    if dialect == "postgres":
        return len(await db.execute_query_dict(statements[dialect], values))
    changed, _ = await db.execute_query(statements[dialect], values)
    return int(changed)


CACHE_SIZE = 256


class PreparedRows:
    """`.values(*fields)` rows of `model`, the SQL written once per shape."""

    def __init__(self, model: type[Model], fields: tuple[str, ...]) -> None:
        self.model = model
        self.fields = fields
        # (dialect, columns, shape) -> the SQL and where its parameters come from; None: not
        # cacheable. Bounded: the planner asks for the columns of each document it plans.
        self._prepared: LRUCache[Hashable, _Prepared | None] = LRUCache(CACHE_SIZE)
        self._converters: LRUCache[tuple[str, tuple[str, ...]], list[tuple[str, Converter]]] = (
            LRUCache(CACHE_SIZE)
        )

    async def fetch(
        self,
        shape: Hashable,
        build: Callable[[Mapping[str, Any]], QuerySet[Any]],
        inputs: Mapping[str, Any],
        columns: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of `build(inputs)`, with `columns` (by default every field given to the
        constructor): a query that needs fewer columns reads fewer, and joins less.

        `build` must take every value it filters on from `inputs` (and use every input),
        and write the same query, values aside, for every call with one `shape`. Each
        distinct `columns` has SQL of its own: callers pass a few fixed sets, not one per
        request (the planner's are per document, schema/engine/planner.py).
        """
        columns = self.fields if columns is None else columns
        db = self.model._meta.db
        dialect = db.capabilities.dialect
        key = (dialect, columns, shape)
        if key not in self._prepared:
            self._prepared[key] = self._prepare(build, inputs, columns)
        prepared = self._prepared[key]
        if prepared is None:
            sql, params = self._sql(build(inputs), columns)
        else:
            sql, params = prepared.sql, [db_value(inputs[slot]) for slot in prepared.slots]
        rows: list[dict[str, Any]] = await db.execute_query_dict(sql, params)
        converters = self._converters_for(dialect, columns)
        for row in rows:
            for name, convert in converters:
                row[name] = convert(row[name])
        return rows

    def _sql(self, query: QuerySet[Any], columns: tuple[str, ...]) -> tuple[str, list[Any]]:
        values = query.values(*columns)
        values.sql()  # picks the connection and builds `values.query`
        sql, params = values.query.get_parameterized_sql()
        return sql, list(params)

    def _prepare(
        self,
        build: Callable[[Mapping[str, Any]], QuerySet[Any]],
        inputs: Mapping[str, Any],
        columns: tuple[str, ...],
    ) -> _Prepared | None:
        probe = _probe(inputs)
        if probe is None:
            return None
        sql, params = self._sql(build(probe), columns)
        expected = {name: db_value(value) for name, value in probe.items()}
        slots = []
        for param in params:
            found = [
                name
                for name, value in expected.items()
                if type(value) is type(param) and value == param
            ]
            if len(found) != 1:
                return None
            slots.append(found[0])
        if sorted(slots) != sorted(expected):
            return None  # an input missing from the parameters, or used twice
        return _Prepared(sql, tuple(slots))

    def _converters_for(
        self, dialect: str, columns: tuple[str, ...]
    ) -> list[tuple[str, Converter]]:
        key = (dialect, columns)
        if key not in self._converters:
            values: ValuesQuery[Any] = self.model.all().values(*columns)
            found = []
            for name in columns:
                convert = values.resolve_to_python_value(self.model, name)
                if isinstance(convert, FunctionType):
                    continue  # Tortoise's identity lambdas
                if isinstance(getattr(convert, "__self__", None), fields.DatetimeField):
                    convert = utc
                found.append((name, convert))
            self._converters[key] = found
        return self._converters[key]


def add_position(inputs: dict[str, Any], position: tuple[Any, int]) -> None:
    """A keyset position (a column's value and an id) as inputs, for `past`: the value
    twice, since each parameter of the SQL takes its value from one input."""
    inputs["after"], inputs["after_id"] = position
    inputs["after_again"] = inputs["after"]


def past(inputs: Mapping[str, Any], column: str, descending: bool = False) -> Q:
    """The rows past the position `add_position` put in `inputs`, in (column, id) order."""
    op = "lt" if descending else "gt"
    return Q(**{f"{column}__{op}": inputs["after"]}) | Q(
        **{column: inputs["after_again"], f"id__{op}": inputs["after_id"]}
    )


def _probe(inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """A distinct value of the same type for each input, or None for an unsupported one."""
    numbers = itertools.count(1_000_000_001)
    moments = (datetime(2001, 2, 3, tzinfo=UTC) + timedelta(seconds=i) for i in itertools.count())
    members: dict[type[Enum], Any] = {}
    probe: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, Enum):
            kind = type(value)
            choice = next(members.setdefault(kind, iter(list(kind))), None)
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
