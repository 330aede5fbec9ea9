"""Plain rows for hot read paths, with the SQL that Tortoise wrote once per query shape.

For a calendar page (21 columns over four joins) Tortoise spent about 1 ms writing the
SQL and 1 ms turning SQLite's datetime text back into datetimes with a pure-Python
parser, against well under 1 ms for the database to answer. So:

- each query is still written with Tortoise, as a function of named inputs; the first
  time a shape (which filters, how many values in an IN) is asked for, its SQL is kept
  with where each parameter comes from (resolvers/core/shapes.py), and later requests of
  that shape reuse it with their own values; a shape that cannot be kept is built by
  Tortoise every time;
- datetimes are converted with the standard library, enum columns by a look-up of their
  members, the other columns as Tortoise does; an annotation's column is given as the
  database gives it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, date, datetime
from types import FunctionType
from typing import Any, TypeVar

from cachetools import LRUCache
from tortoise import fields
from tortoise.expressions import Case, Q, When
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery

from models.backends import batch

# Reads run side by side, their statements sent as one (PostgreSQL): the planner reads a
# document's roots, and each level below them, so (schema/engine/planner.py, row_fields.py).
from models.backends.batch import together as together

# A block whose reads share one pooled connection (PostgreSQL; nothing on SQLite): the
# schema runs each query's execution in one (schema/engine/connection.py).
from models.db import one_connection as one_connection
from resolvers.core.shapes import Prepared, probe, shape_of

Converter = Callable[[Any], Any]


def utc(value: Any) -> datetime | None:
    """What Tortoise's DatetimeField gives (use_tz, UTC), parsed by the standard library."""
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # asyncpg's, for a timestamptz
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day_of(field: fields.DateField[Any]) -> Converter:
    """What Tortoise's DateField gives, parsed by the standard library (a date is text on
    SQLite: Tortoise's own parser was a fifth of a planned page of invoices' CPU there);
    anything `date.fromisoformat` refuses is left to Tortoise."""

    def day(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return field.to_python_value(value)

    return day


def _member_of(field: CharEnumFieldInstance) -> Converter:
    """What Tortoise's CharEnumField gives (the member with that value), by a look-up in
    the enum's members rather than a call of the enum each time; anything else (a value
    no member has, which the enum refuses) is left to Tortoise."""
    members = {member.value: member for member in field.enum_type}

    def member(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return field.to_python_value(value)

    return member


CACHE_SIZE = 256
_UNKNOWN: Any = object()  # a shape not prepared yet (None: one that cannot be)


class PreparedRows:
    """`.values(*fields)` rows of `model`, the SQL written once per shape."""

    def __init__(self, model: type[Model], fields: tuple[str, ...]) -> None:
        self.model = model
        self.fields = fields
        # (dialect, columns, shape) -> the SQL and where its parameters come from; None: not
        # cacheable. Bounded: the planner asks for the columns of each document it plans.
        self._prepared: LRUCache[Hashable, Prepared | None] = LRUCache(CACHE_SIZE)
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
        prepared = self._prepared.get(key, _UNKNOWN)
        if prepared is _UNKNOWN:
            prepared = self._prepared[key] = self._prepare(build, inputs, columns)
        params = None if prepared is None else prepared.params(inputs)
        if prepared is None or params is None:
            sql, params = self._sql(build(inputs), columns)
        else:
            sql = prepared.sql
        rows: list[dict[str, Any]] = await batch.fetch(db, sql, params)
        converters = self._converters.get((dialect, columns))
        if converters is None:
            converters = self._converters[dialect, columns] = self._converters_of(columns)
        for name, convert in converters:
            for row in rows:
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
    ) -> Prepared | None:
        """The SQL of `build` for any inputs of this shape, from two builds with two sets
        of distinct probe values: the text must be the same (no value written into it) and
        each parameter must come from one input, the same one both times."""
        first, second = probe(inputs), probe(inputs, second=True)
        if first is None or second is None:
            return None
        built, again = self._sql(build(first), columns), self._sql(build(second), columns)
        return shape_of(built, again, first, second, inputs)

    def _converters_of(self, columns: tuple[str, ...]) -> list[tuple[str, Converter]]:
        # An annotation of the query (help search's word hits) is given as it is read.
        read = [n for n in columns if n in self.model._meta.fields_map or "__" in n]
        values: ValuesQuery[Any] = self.model.all().values(*read)
        found = []
        for name in read:
            convert = values.resolve_to_python_value(self.model, name)
            if isinstance(convert, FunctionType):
                continue  # Tortoise's identity lambdas
            owner = getattr(convert, "__self__", None)
            if isinstance(owner, fields.DatetimeField):
                convert = utc
            elif isinstance(owner, fields.DateField):
                convert = _day_of(owner)
            elif isinstance(owner, CharEnumFieldInstance):
                convert = _member_of(owner)
            found.append((name, convert))
        return found


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


def numbered(prefix: str, values: Iterable[Any]) -> dict[str, Any]:
    """Values of an IN as inputs: `prefix_0`, `prefix_1`... (the count is part of the shape)."""
    return {f"{prefix}_{i}": value for i, value in enumerate(values)}


def listed(inputs: Mapping[str, Any], prefix: str, count: int) -> list[Any]:
    """The `count` values `numbered` put in `inputs` under `prefix`, in order."""
    return [inputs[f"{prefix}_{i}"] for i in range(count)]


# The two values `truth` gives, as inputs: a constant would be written into the SQL, which
# could then not be kept. Text, so every database reads them back the same.
TRUTH = {"yes": "1", "no": "0"}


def truth(condition: Q, inputs: Mapping[str, Any]) -> Case:
    """`condition` as a column of the row: "1" when it holds, "0" otherwise (`TRUTH` must
    be among the inputs)."""
    return Case(When(condition, then=inputs["yes"]), default=inputs["no"])


M = TypeVar("M", bound=Model)


def loaded(model: type[M], row: Mapping[str, Any], names: Iterable[str], prefix: str = "") -> M:
    """An instance of `model` from the columns `names` of a row (each as `prefix` + name,
    already converted), marked as read from the database: a save updates it.

    Built as Tortoise builds the instances of a query (`Model._init_from_db`): its state
    flags, then each field's value, without `__init__`'s second conversion of every value
    and defaults (14 % of the pending requests' CPU in a profile). With fewer names than
    fields it is a partial instance, as `.only()` gives.

    Past `Model.__setattr__`, as `_init_from_db` sets the fields: it would look for pending
    defaults and check relations, which a row read back has none of. The values go
    straight into the instance's `__dict__`, which is what `object.__setattr__` does for
    a name the class does not make a data descriptor of (`_plain` says none is).
    """
    meta = model._meta
    found = model.__new__(model)
    names = tuple(names)
    values = found.__dict__ if _plain(model, names) else _Setter(found)
    values["_partial"] = len(names) < len(meta.fields_db_projection)
    values["_saved_in_db"] = True
    values["_custom_generated_pk"] = meta.db_pk_column not in meta.generated_db_fields
    values["_await_when_save"] = {}
    if prefix:
        for name in names:
            values[name] = row[prefix + name]
    else:
        for name in names:
            values[name] = row[name]
    return found


class _Setter:
    """`object.__setattr__` on one instance, written as item assignment."""

    __slots__ = ("instance",)

    def __init__(self, instance: Model) -> None:
        self.instance = instance

    def __setitem__(self, name: str, value: Any) -> None:
        object.__setattr__(self.instance, name, value)


@functools.lru_cache(maxsize=1024)
def _plain(model: type[Model], names: tuple[str, ...]) -> bool:
    """Whether none of `names` (nor a state flag `loaded` sets) is a data descriptor of
    `model`'s class: then setting it is writing it into the instance's `__dict__`."""
    return not any(
        hasattr(type(inspect.getattr_static(model, name, None)), "__set__")
        for name in (*names, *_FLAGS)
    )


_FLAGS = ("_partial", "_saved_in_db", "_custom_generated_pk", "_await_when_save")


_EVERY_FIELD: dict[type[Model], PreparedRows] = {}


def every_field(model: type[Model]) -> PreparedRows:
    """Rows of every field of `model`, foreign keys' ids included: known only once Tortoise
    has set its models up, so asked for when reading, not at import."""
    rows = _EVERY_FIELD.get(model)
    if rows is None:
        rows = _EVERY_FIELD[model] = PreparedRows(model, tuple(model._meta.fields_db_projection))
    return rows


async def get_by(model: type[M], column: str, value: int) -> M | None:
    """`model.get_or_none(**{column: value})` for a unique column, the SQL written once per
    model and column: an instance with every field, as Tortoise reads it
    (tests/engine/test_prepared_rows.py compares them)."""
    rows = every_field(model)
    found = await _row_by(rows, column, value, rows.fields)
    return loaded(model, found, rows.fields) if found else None


async def row_by_id(
    model: type[Model], pk: int, columns: Iterable[str], rows: PreparedRows | None = None
) -> dict[str, Any] | None:
    """The row of `model` with id `pk` and only `columns` (fields of `model`, or of `rows`
    when given, such as a related row's `account__id`), as `get_by` reads it; None when
    there is none. For a row a rule decides on: the caller names the columns its rule
    reads beside those it answers with."""
    wanted = tuple(dict.fromkeys(columns))
    return await _row_by(rows or every_field(model), "id", pk, wanted)


async def _row_by(
    rows: PreparedRows, column: str, value: int, columns: tuple[str, ...]
) -> dict[str, Any] | None:
    found = await rows.fetch(
        ("by", column),
        lambda v: rows.model.filter(**{column: v["value"]}).limit(v["one"]),
        {"value": value, "one": 1},  # an input: SQLite's LIMIT is a parameter
        columns,
    )
    return found[0] if found else None


async def get_by_id(model: type[M], pk: int) -> M | None:
    """`model.get_or_none(id=pk)`, the SQL written once per model (see `get_by`)."""
    return await get_by(model, "id", pk)


async def get_many(model: type[M], ids: Iterable[int], only: PreparedRows | None = None) -> list[M]:
    """`model.filter(id__in=ids)` in no given order, the SQL written once per model and
    number of ids (see `get_by`); with `only`, partial instances of its fields, as
    `.only()` gives."""
    rows = every_field(model) if only is None else only
    return [loaded(model, row, rows.fields) for row in await rows_by_ids(rows, ids)]


async def rows_by_ids(
    rows: PreparedRows, ids: Iterable[int], columns: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The rows of `rows.model` with these ids, in no given order, with `columns` (by
    default the fields `rows` was made with); the SQL written once per number of ids."""
    wanted = numbered("id", sorted(set(ids)))
    if not wanted:
        return []
    model = rows.model
    return await rows.fetch(
        ("in", len(wanted)),
        lambda v: model.filter(id__in=listed(v, "id", len(wanted))),
        wanted,
        columns,
    )
