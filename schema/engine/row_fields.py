"""What a field of a row type is read from, and the statements below a planned level.

The vocabulary of `RowType` declarations (schema/engine/rows.py): a field is read from
columns of its row (`Column`, `column`, `columns`, `global_id`), is a nested object of the
same row (`Part`), or is read by one more statement for a whole level (`Fetched`). A
planned answer runs those statements level by level (`Load`, `load_all`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resolvers.core.prepared import together
from schema.core.ids import to_global_id

if TYPE_CHECKING:
    from schema.engine.rows import RowType

Row = Mapping[str, Any]
# What the statements of a request's levels read, by `Load.slot`: key -> row (or rows).
Loaded = dict[str, Mapping[Any, Any]]
# (context, columns, keys) -> key -> row, or key -> list of rows; a key the viewer may not
# see is absent, exactly as the field's own resolver would answer null or [].
FetchRows = Callable[[Any, tuple[str, ...], list[Any]], Coroutine[Any, Any, Mapping[Any, Any]]]


@dataclass(frozen=True)
class Column:
    """A field read from columns of the row: `read(*values)`, or the one value as it is."""

    names: tuple[str, ...]
    read: Callable[..., Any] | None = None

    def value(self, row: Row) -> Any:
        if self.read is None:
            return row[self.names[0]]
        return self.read(*(row[name] for name in self.names))


def column(name: str, read: Callable[[Any], Any] | None = None) -> Column:
    return Column((name,), read)


def columns(*names: str, read: Callable[..., Any]) -> Column:
    return Column(names, read)


def global_id(name: str, type_name: str) -> Column:
    """A field that is the global id (schema/core/ids.py) of the `name` column; null with it."""
    return Column((name,), functools.partial(_global_id, type_name))


def _global_id(type_name: str, pk: int | None) -> str | None:
    return None if pk is None else to_global_id(type_name, pk)


@dataclass(frozen=True)
class Part:
    """A nested object read from the same row; null when the `unless_null` column is."""

    of: RowType[Any]
    unless_null: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A field with a resolver of its own, read by one more statement for a whole level:
    `fetch(context, columns, keys)` with the `key` column of every row, giving each key's
    row (`many`: its list of rows). The resolver and `fetch` must apply the same rules.
    `of` a `Column`: the field is a value (an unread count), read from the key's row, and
    `absent` when the key has none. With `reads`, more columns of the row the fetch needs
    (a change request's rule checks are worked out from its columns), or that hold the
    field's own row, joined by the level's statement (a visit's rating: `fetch` then reads
    it from them, with no statement): it is handed the rows themselves, one per key, with
    the key and those columns, instead of the keys."""

    of: RowType[Any] | Column
    key: str
    fetch: FetchRows
    many: bool = False
    absent: Any = None
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Load:
    """One statement of a planned answer: for the rows of its level, `fetched`, with the
    columns its selection needs; `loads` are the level below, read from its rows."""

    slot: str
    key: str
    fetched: Fetched
    columns: tuple[str, ...]
    loads: tuple[Load, ...]


async def load_all(level: Sequence[tuple[Load, Sequence[Row]]], context: Any) -> Loaded:
    """Runs the statements of every level below the rows each `Load` of `level` is for,
    level by level, the statements of one level sent together (models/backends/batch.py).
    Loads of one level that read the same field by the same key with no level of their
    own below (two roots' conversations, each with its last message) share one statement:
    their keys and columns together; each writer looks up only its own."""
    loaded: Loaded = {}
    pending = list(level)
    while pending:
        groups = []
        reads = []
        for group in _shared(pending):
            load = group[0][0]
            fetched = load.fetched
            columns = load.columns
            if len(group) > 1:
                columns = tuple(sorted({name for shared, _ in group for name in shared.columns}))
            rows = group[0][1] if len(group) == 1 else [r for _, of in group for r in of]
            if fetched.reads:
                keys = list({r[load.key]: r for r in rows if r[load.key] is not None}.values())
            else:
                keys = list(dict.fromkeys(r[load.key] for r in rows if r[load.key] is not None))
            if not keys:
                for shared, _ in group:
                    loaded[shared.slot] = {}
                continue
            groups.append(group)
            reads.append(fetched.fetch(context, columns, keys))
        founds = await together(reads)
        below: list[tuple[Load, Sequence[Row]]] = []
        for group, found in zip(groups, founds, strict=True):
            if isinstance(found, BaseException):
                raise found
            load = group[0][0]
            for shared, _ in group:
                loaded[shared.slot] = found
            if load.loads and found:
                values = found.values()
                children = [r for v in values for r in v] if load.fetched.many else list(values)
                below.extend((inner, children) for inner in load.loads)
        pending = below
    return loaded


def _shared(level: Sequence[tuple[Load, Sequence[Row]]]) -> list[list[tuple[Load, Sequence[Row]]]]:
    """The loads of a level in groups of one statement each, in order of first appearance:
    together those of one field and key with no level below, alone the others."""
    groups: dict[Any, list[tuple[Load, Sequence[Row]]]] = {}
    for item in level:
        load = item[0]
        key = (id(load.fetched), load.key) if not load.loads else ("alone", load.slot)
        groups.setdefault(key, []).append(item)
    return list(groups.values())
